"""What the API of the prestation workflow refuses (issue 4): bad input is a 400 with
field errors, a refused transition a 409 naming its rule, an action by the wrong role a
403 and a case outside the acteur's scope a 404; nothing changes.
"""

from __future__ import annotations

import datetime

import pytest

from comptes.models import Role
from prestations.models import Entretien, Prestation, Sortie, Suspension
from tests.support.api_suivi import SIRET, contractualiser, enregistrer_entretien, instant, mettre_en_cours, poster

pytestmark = pytest.mark.django_db


# --- 400: field errors ------------------------------------------------------------------


def test_entretien_in_the_future_or_badly_typed_is_a_400_with_field_errors(monde, dossiers, client_de):
    prestation = dossiers.nouveau()
    client = client_de(monde.referent)
    mettre_en_cours(client, prestation)
    response = enregistrer_entretien(client, prestation, "2026-11-24T10:00:00")
    assert response.status_code == 400
    assert "future" in response.json()["debut"][0]
    response = enregistrer_entretien(client, prestation, "hier", duree_minutes="une heure", modalite="velo")
    assert response.status_code == 400
    assert set(response.json()) == {"debut", "duree_minutes", "modalite"}
    assert "entier valide" in response.json()["duree_minutes"][0]  # DRF speaks French (LANGUAGE_CODE)
    assert Entretien.objects.filter(prestation=prestation).count() == 1


def test_mov09_illness_of_15_days_is_a_400_on_fin_and_14_days_pass(monde, dossiers, client_de):
    prestation = dossiers.nouveau()
    client = client_de(monde.referent)
    mettre_en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/suspensions/"
    response = poster(client, url, {"motif": "maladie", "debut": "2026-11-24", "fin": "2026-12-08"})
    assert response.status_code == 400 and list(response.json()) == ["fin"]
    assert "14" in response.json()["fin"][0]
    response = poster(client, url, {"motif": "maladie", "debut": "2026-11-24", "fin": "2026-12-07"})
    assert response.status_code == 201 and response.json()["jours"] == 14
    assert [s["jours"] for s in client.get(url).json()] == [14]
    response = poster(client, url, {"motif": "vacances", "debut": "2026-12-24", "fin": "2026-12-20"})
    assert response.status_code == 400 and "motif" in response.json()


def test_mov09_suspension_ended_earlier(monde, dossiers, client_de):
    prestation = dossiers.nouveau()
    autre = dossiers.nouveau()
    client = client_de(monde.referent)
    mettre_en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/suspensions/"
    suspension = poster(client, url, {"motif": "conges", "debut": "2026-11-30", "fin": "2026-12-10"}).json()
    fin = f"{url}{suspension['id']}/fin/"
    response = poster(client, fin, {"fin": "2026-12-12"})
    assert response.status_code == 400 and "fin" in response.json()
    response = poster(client, fin, {"fin": "2026-12-05"})
    assert response.status_code == 200 and (response.json()["fin"], response.json()["jours"]) == ("2026-12-05", 6)
    assert Suspension.objects.get().fin == datetime.date(2026, 12, 5)
    # The suspension is reached only through its own case.
    response = poster(client, f"/api/prestations/{autre.pk}/suspensions/{suspension['id']}/fin/", {"fin": "2026-12-01"})
    assert response.status_code == 404


def test_mov12_periode_of_43_days_is_a_400_and_42_days_pass(monde, dossiers, client_de):
    prestation = dossiers.nouveau()
    client = client_de(monde.referent)
    mettre_en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/periodes-entreprise/"
    data = {"entreprise": "Garage Dupont", "siret": SIRET, "debut": "2026-12-01", "tuteur": "M. Dupont"}
    response = poster(client, url, {**data, "fin": "2027-01-12"})  # 43 days
    assert response.status_code == 400 and "fin" in response.json()
    response = poster(client, url, {**data, "siret": "12345678901234", "fin": "2027-01-11"})
    assert response.status_code == 400 and "siret" in response.json()
    response = poster(client, url, {**data, "fin": "2027-01-11"})  # 42 days = 6 weeks
    assert response.status_code == 201, response.json()
    assert len(client.get(url).json()) == 1


def test_sor01_cdi_with_a_duration_is_a_400_and_nothing_changes(monde, dossiers, client_de):
    prestation = dossiers.nouveau()
    client = client_de(monde.referent)
    mettre_en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/sortie/"
    data = {"type": "emploi", "date_sortie": "2026-11-23", "type_contrat": "cdi", "temps_plein": True}
    response = poster(client, url, {**data, "duree_contrat_mois": "6"})
    assert response.status_code == 400 and "duree_contrat_mois" in response.json()
    # An interruption reason is not an outcome of this route.
    assert "type" in poster(client, url, {**data, "type": "abandon"}).json()
    assert Sortie.objects.count() == 0 and Prestation.objects.get(pk=prestation.pk).etat == "en_cours"
    # SOR-01: 78 hours a month part-time is not positive; the case ends without follow-up.
    response = poster(client, url, {**data, "temps_plein": False, "heures_mensuelles": "78"})
    assert response.status_code == 201, response.json()
    assert (response.json()["positive"], response.json()["etat_prestation"]) == (False, "terminee")


def test_pma04_exclusion_without_consultation_is_a_400(monde, dossiers, client_de):
    prestation = dossiers.nouveau("PMA")
    client = client_de(monde.referent)
    mettre_en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/interruption/"
    response = poster(client, url, {"type": "exclusion", "motif": "Absences répétées sans justification."})
    assert response.status_code == 400 and "PMA-04" in response.json()["consultation_financeur"][0]
    assert Prestation.objects.get(pk=prestation.pk).etat == "en_cours"
    response = poster(
        client,
        url,
        {"type": "exclusion", "motif": "Absences répétées sans justification.", "consultation_financeur": True},
    )
    assert response.status_code == 201, response.json()
    sortie = response.json()
    assert (sortie["type"], sortie["positive"], sortie["regle"]) == ("exclusion", False, "SOR-04")
    assert sortie["etat_prestation"] == "interrompue" and sortie["consultation_financeur"] is True


def test_sor04_exclusion_is_refused_where_the_rule_set_has_none(monde, dossiers, client_de):
    prestation = dossiers.nouveau()
    client = client_de(monde.referent)
    mettre_en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/interruption/"
    response = poster(client, url, {"type": "exclusion", "motif": "Absences.", "consultation_financeur": True})
    assert response.status_code == 409 and response.json()["regle"] == "PMA-04"
    response = poster(client, url, {"type": "abandon", "motif": "Déménagement."})
    assert response.status_code == 201 and response.json()["etat_prestation"] == "interrompue"


# --- Scope and roles ----------------------------------------------------------------------


def test_scope_referent_of_y_gets_404_on_the_case_of_x_and_its_actions(monde, dossiers, client_de):
    prestation = dossiers.nouveau()
    url = f"/api/prestations/{prestation.pk}/"
    for membership in (monde.referent_y, monde.responsable_y, monde.prescripteur_b):
        client = client_de(membership)
        assert client.get("/api/prestations/").json()["count"] == 0
        assert client.get(url).status_code == 404
        assert contractualiser(client, prestation).status_code == 404
        assert enregistrer_entretien(client, prestation, "2026-11-23T09:45:00").status_code == 404
        assert client.get(url + "entretiens/").status_code == 404
        assert poster(client, url + "interruption/", {"type": "abandon", "motif": "x"}).status_code == 404
    assert Prestation.objects.get(pk=prestation.pk).etat == "a_contractualiser"
    for membership in (monde.prescripteur, monde.responsable, monde.referent):
        assert client_de(membership).get(url).status_code == 200


def test_prescripteur_cannot_log_an_entretien_403_another_referent_does_not_see_the_case(
    monde, dossiers, client_de, membre
):
    prestation = dossiers.nouveau()
    mettre_en_cours(client_de(monde.referent), prestation)
    response = enregistrer_entretien(client_de(monde.prescripteur), prestation, "2026-11-23T09:45:00")
    assert response.status_code == 403
    collegue = membre(Role.REFERENT, organisation=monde.referent.organisation)
    response = enregistrer_entretien(client_de(collegue), prestation, "2026-11-23T09:45:00")
    assert response.status_code == 404
    # A responsable of the prestataire acts on every case of the structure.
    assert enregistrer_entretien(client_de(monde.responsable), prestation, "2026-11-23T09:45:00").status_code == 201


def test_mov08_prescripteur_renews_at_term_and_the_referent_cannot(monde, dossiers, client_de, time_machine):
    prestation = dossiers.nouveau()
    mettre_en_cours(client_de(monde.referent), prestation)
    url = f"/api/prestations/{prestation.pk}/renouvellement/"
    prescripteur = client_de(monde.prescripteur)
    motif = {"motif": "Recherche d'emploi à poursuivre."}
    response = poster(prescripteur, url, motif)
    assert response.status_code == 409 and response.json()["regle"] == "MOV-08"  # not at term yet
    time_machine.move_to(instant((prestation.date_fin - datetime.timedelta(days=10)).isoformat()))
    prescripteur = client_de(monde.prescripteur)  # a session lasts 2 weeks
    assert poster(client_de(monde.referent), url, motif).status_code == 403
    assert poster(client_de(monde.responsable), url, motif).status_code == 403
    assert poster(prescripteur, url).json() == {"motif": ["Ce champ est obligatoire."]}
    response = poster(prescripteur, url, motif)
    assert response.status_code == 200, response.json()
    cas = response.json()
    assert cas["nombre_renouvellements"] == 1 and cas["date_fin"] == "2027-11-21"
    assert cas["renouvellements"][0]["ancienne_date_fin"] == prestation.date_fin.isoformat()
    # Once only.
    time_machine.move_to(instant("2027-11-15"))
    assert poster(client_de(monde.prescripteur), url, motif).status_code == 409
