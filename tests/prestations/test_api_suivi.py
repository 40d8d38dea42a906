"""API of the prestation workflow (issue 4): /api/prestations/{id}/... and /api/sessions/.

Each action calls one workflow function; a refused transition is a 409 naming its rule,
bad input a 400 with field errors, an action by the wrong role a 403 and a case outside
the acteur's scope a 404.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptes.acteurs import Acteur
from comptes.models import Role
from prestations.commandes import services
from prestations.models import Entretien, Prestation, Sortie, Suspension
from tests.factories import MarcheFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SIRET = "73282932000074"


def _acteur(membership):
    return Acteur(membership.user, membership)


def _a(jour: str, heure: int = 15):
    """Move the frozen clock to ``jour`` (ISO date) at ``heure`` o'clock in Paris."""
    return datetime.datetime.fromisoformat(jour).replace(hour=heure, tzinfo=PARIS)


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def nouvelle_prestation(monde, beneficiaire_de):
    """A prestation starting today, its référent designated (``a_contractualiser``)."""

    def _creer(marche=None, *, responsable=None, referent=None, **beneficiaire):
        ldc = services.creer_lettre_de_commande(
            _acteur(monde.prescripteur),
            beneficiaire=beneficiaire_de(**beneficiaire),
            marche=marche or monde.marche,
            date_debut=timezone.localdate(),
            accord_beneficiaire=True,
        )
        services.designer_referent(
            _acteur(responsable or monde.responsable), ldc.prestation, (referent or monde.referent).user
        )
        return Prestation.objects.get(pk=ldc.prestation.pk)

    return _creer


def _marche(monde, dispositif):
    return MarcheFactory(dispositif=dispositif, prestataire=monde.marche.prestataire, financeur=monde.marche.financeur)


def _contractualiser(client, prestation, *, signe=True, debut="2026-11-23T09:30:00"):
    return _post(
        client,
        f"/api/prestations/{prestation.pk}/contractualisation/",
        {"debut": debut, "duree_minutes": 60, "modalite": "presentiel", "signe": signe, "compte_rendu": "Contrat lu."},
    )


def _entretien(client, prestation, debut, **champs):
    data = {"debut": debut, "duree_minutes": 45, "modalite": "presentiel", "presence": "present", **champs}
    return _post(client, f"/api/prestations/{prestation.pk}/entretiens/", data)


def _en_cours(client, prestation):
    response = _contractualiser(client, prestation)
    assert response.status_code == 200, response.json()
    return response.json()


# --- Journeys -------------------------------------------------------------------------


def test_mov_full_journey_through_the_api(monde, nouvelle_prestation, client_de, time_machine):
    """MOV-05, MOV-09, MOV-12, SOR-01, MOV-13 and MOV-07 (the end date never moves) through the API."""
    prestation = nouvelle_prestation()
    date_fin = prestation.date_fin.isoformat()
    client = client_de(monde.referent)
    url = f"/api/prestations/{prestation.pk}/"

    # MOV-05: contract signed at the contractualisation entretien → phase 1.
    cas = _en_cours(client, prestation)
    assert (cas["etat"], cas["phase"], cas["contrat_signe"]) == ("en_cours", "phase_1", True)
    assert cas["contractualisee_le"] == "2026-11-23" and len(cas["entretiens"]) == 1

    # An entretien of phase 1, logged afterwards, then phase 1 → phase 2.
    time_machine.move_to(_a("2026-11-30"))
    client = client_de(monde.referent)  # a session lasts 2 weeks
    response = _entretien(client, prestation, "2026-11-30T10:00:00", compte_rendu="Diagnostic.")
    assert response.status_code == 201, response.json()
    assert (response.json()["phase"], response.json()["type"]) == ("phase_1", "individuel")
    response = _post(client, url + "phase/")
    assert response.status_code == 200, response.json()
    assert response.json()["phase"] == "phase_2"
    phases = {ph["cle"]: ph for ph in response.json()["faits"]["phases"]}
    assert phases["phase_1"]["complete"] and phases["phase_2"]["courante"]

    # MOV-09: a week of illness.
    response = _post(client, url + "suspensions/", {"motif": "maladie", "debut": "2026-12-01", "fin": "2026-12-07"})
    assert response.status_code == 201, response.json()
    assert (response.json()["jours"], response.json()["motif_libelle"]) == (7, "Maladie")

    time_machine.move_to(_a("2026-12-08"))

    client = client_de(monde.referent)  # a session lasts 2 weeks
    assert _entretien(client, prestation, "2026-12-08T10:00:00").status_code == 201

    # MOV-12: a période en entreprise of 12 days (the SIRET may be typed with spaces).
    response = _post(
        client,
        url + "periodes-entreprise/",
        {
            "entreprise": "Boulangerie du Centre",
            "siret": "732 829 320 00074",
            "debut": "2026-12-14",
            "fin": "2026-12-25",
            "tuteur": "Mme Martin",
            "tuteur_fonction": "Gérante",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["siret"] == SIRET

    time_machine.move_to(_a("2026-12-28"))

    client = client_de(monde.referent)  # a session lasts 2 weeks
    assert _entretien(client, prestation, "2026-12-28T10:00:00").status_code == 201
    cas = client.get(url).json()
    assert cas["date_fin"] == date_fin  # MOV-07: not postponed by the suspension
    assert cas["faits"]["ecart_net"] == 0 and cas["faits"]["ecart_max"] == 14
    assert cas["faits"]["jours_maladie"] == 7 and cas["faits"]["jours_conges"] == 0
    assert len(cas["entretiens"]) == 4 and len(cas["suspensions"]) == 1 and len(cas["periodes_entreprise"]) == 1
    assert {"contractualisation", "suspension", "periode_entreprise", "phase"} <= {e["type"] for e in cas["journal"]}

    # SOR-01: a full-time CDI is a positive outcome; MOV-13: the suivi dans l'emploi opens.
    time_machine.move_to(_a("2027-01-05"))
    client = client_de(monde.referent)  # a session lasts 2 weeks
    response = _post(
        client,
        url + "sortie/",
        {
            "type": "emploi",
            "date_sortie": "2027-01-04",
            "type_contrat": "cdi",
            "temps_plein": True,
            "employeur": "Boulangerie du Centre",
        },
    )
    assert response.status_code == 201, response.json()
    sortie = response.json()
    assert (sortie["positive"], sortie["regle"], sortie["categorie"]) == (True, "SOR-01", "emploi")
    assert sortie["etat_prestation"] == "suivi_emploi"

    # MOV-13: the first-week entretien records that the person is still in the job.
    time_machine.move_to(_a("2027-01-08"))
    client = client_de(monde.referent)  # a session lasts 2 weeks
    response = _entretien(
        client, prestation, "2027-01-08T09:00:00", modalite="telephone", duree_minutes=20, toujours_en_emploi=True
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["phase"], response.json()["toujours_en_emploi"]) == ("suivi_emploi", True)
    cas = client.get(url).json()
    assert cas["etat"] == "suivi_emploi" and cas["sortie"]["positive"] is True
    assert cas["faits"]["suivi_emploi"][0]["entretien"] == response.json()["id"]
    # The open obligations, soonest first (its rows): the bilan final, then the next follow-up window.
    assert [e["regle"] for e in cas["faits"]["echeances"]][:2] == ["LIV-02", "MOV-13"]

    # MOV-13: the suivi is closed after its 3 months, not before.
    refus = _post(client, url + "suivi/cloture/")
    assert refus.status_code == 409 and refus.json()["regle"] == "MOV-13"
    time_machine.move_to(_a("2027-04-05"))
    client = client_de(monde.referent)  # a session lasts 2 weeks
    response = _post(client, url + "suivi/cloture/")
    assert response.status_code == 200, response.json()
    assert (response.json()["etat"], response.json()["motif_fin"]) == ("terminee", "suivi_clos")


def test_mov06_contract_not_signed_ends_as_refusee_then_entretien_is_409(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation()
    client = client_de(monde.referent)
    response = _contractualiser(client, prestation, signe=False)
    assert response.status_code == 200, response.json()
    cas = response.json()
    assert (cas["etat"], cas["contrat_signe"], cas["motif_fin"]) == ("refusee", False, "refus")
    assert (cas["sortie"]["type"], cas["sortie"]["positive"], cas["sortie"]["regle"]) == ("refus", False, "SOR-04")
    # An entretien on a case that has ended is refused (409) and changes nothing.
    response = _entretien(client, prestation, "2026-11-23T09:45:00")
    assert response.status_code == 409
    assert set(response.json()) == {"detail", "regle"} and "refusée" in response.json()["detail"]
    assert Entretien.objects.filter(prestation=prestation).count() == 1
    # MOV-05: the contractualisation is not recorded twice.
    assert _contractualiser(client, prestation).status_code == 409


def test_bca02_next_phase_without_an_individual_entretien_is_409(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation(_marche(monde, "BCA"))
    client = client_de(monde.referent)
    assert _en_cours(client, prestation)["phase"] == "investigation"
    url = f"/api/prestations/{prestation.pk}/phase/"
    response = _post(client, url)
    assert response.status_code == 409
    assert response.json()["regle"] == "BCA-02" and "Investigation du potentiel" in response.json()["detail"]
    assert Prestation.objects.get(pk=prestation.pk).phase == "investigation"
    assert _entretien(client, prestation, "2026-11-23T09:45:00").status_code == 201
    # BCA-02: phases in this order.
    assert _post(client, url, {"cible": "formalisation"}).status_code == 409
    response = _post(client, url)
    assert response.status_code == 200 and response.json()["phase"] == "confrontation"


def test_cep01_levels_are_chosen_with_cible(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation(_marche(monde, "CEP"))
    client = client_de(monde.referent)
    assert _en_cours(client, prestation)["phase"] == "niveau_1"
    url = f"/api/prestations/{prestation.pk}/phase/"
    response = _post(client, url)
    assert response.status_code == 400 and "cible" in response.json()
    response = _post(client, url, {"cible": "niveau_2"})
    assert response.status_code == 200 and response.json()["phase"] == "niveau_2"


def test_bam02_early_end_after_the_bilan_initial(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation(_marche(monde, "BAM"))
    client = client_de(monde.referent)
    assert _en_cours(client, prestation)["phase"] == "bilan_initial"
    url = f"/api/prestations/{prestation.pk}/fin-anticipee/"
    response = _post(client, url, {"motif": "envie_de_partir"})
    assert response.status_code == 400 and "motif" in response.json()
    assert _post(client, url).json() == {"motif": ["Ce champ est obligatoire."]}
    response = _post(client, url, {"motif": "absence_frein_mobilite"})
    assert response.status_code == 200, response.json()
    assert (response.json()["etat"], response.json()["motif_fin"]) == ("terminee", "absence_frein_mobilite")
    # A case that has ended cannot end again.
    assert _post(client, url, {"motif": "absence_frein_mobilite"}).json()["regle"] == "BAM-02"


def test_bam03_carnet_de_suivi_actions_created_and_updated(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation(_marche(monde, "BAM"))
    client = client_de(monde.referent)
    _en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/actions/"
    # BAM-03: a paid service is recorded with its cost and the aids that may cover it.
    response = _post(client, url, {"nature": "service_payant", "libelle": "Location de scooter"})
    assert response.status_code == 400 and {"cout", "aides_mobilisables"} <= set(response.json())
    response = _post(client, url, {"nature": "service_payant", "libelle": "Location", "cout": "-5"})
    assert response.status_code == 400 and "cout" in response.json()
    response = _post(
        client,
        url,
        {
            "nature": "service_payant",
            "libelle": "Location de scooter",
            "cout": "120.50",
            "aides_mobilisables": "Aide à la mobilité France Travail",
            "date_debut": "2026-12-01",
        },
    )
    assert response.status_code == 201, response.json()
    action_id = response.json()["id"]
    assert response.json()["statut"] == "prevue" and response.json()["cout"] == "120.50"
    response = _patch(client, f"{url}{action_id}/", {"statut": "realisee"})
    assert response.status_code == 200 and response.json()["statut_libelle"] == "Réalisée"
    assert _patch(client, f"{url}{action_id}/", {}).status_code == 400
    response = _patch(client, f"{url}{action_id}/", {"date_fin": "2026-11-01"})
    assert response.status_code == 400 and "date_fin" in response.json()
    assert [a["statut"] for a in client.get(url).json()] == ["realisee"]
    assert client_de(monde.referent_y).get(url).status_code == 404


# --- 400: field errors ------------------------------------------------------------------


def test_entretien_in_the_future_or_badly_typed_is_a_400_with_field_errors(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation()
    client = client_de(monde.referent)
    _en_cours(client, prestation)
    response = _entretien(client, prestation, "2026-11-24T10:00:00")
    assert response.status_code == 400
    assert "future" in response.json()["debut"][0]
    response = _entretien(client, prestation, "hier", duree_minutes="une heure", modalite="velo")
    assert response.status_code == 400
    assert set(response.json()) == {"debut", "duree_minutes", "modalite"}
    assert "entier valide" in response.json()["duree_minutes"][0]  # DRF speaks French (LANGUAGE_CODE)
    assert Entretien.objects.filter(prestation=prestation).count() == 1


def test_mov09_illness_of_15_days_is_a_400_on_fin_and_14_days_pass(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation()
    client = client_de(monde.referent)
    _en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/suspensions/"
    response = _post(client, url, {"motif": "maladie", "debut": "2026-11-24", "fin": "2026-12-08"})
    assert response.status_code == 400 and list(response.json()) == ["fin"]
    assert "14" in response.json()["fin"][0]
    response = _post(client, url, {"motif": "maladie", "debut": "2026-11-24", "fin": "2026-12-07"})
    assert response.status_code == 201 and response.json()["jours"] == 14
    assert [s["jours"] for s in client.get(url).json()] == [14]
    response = _post(client, url, {"motif": "vacances", "debut": "2026-12-24", "fin": "2026-12-20"})
    assert response.status_code == 400 and "motif" in response.json()


def test_mov09_suspension_ended_earlier(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation()
    autre = nouvelle_prestation()
    client = client_de(monde.referent)
    _en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/suspensions/"
    suspension = _post(client, url, {"motif": "conges", "debut": "2026-11-30", "fin": "2026-12-10"}).json()
    fin = f"{url}{suspension['id']}/fin/"
    response = _post(client, fin, {"fin": "2026-12-12"})
    assert response.status_code == 400 and "fin" in response.json()
    response = _post(client, fin, {"fin": "2026-12-05"})
    assert response.status_code == 200 and (response.json()["fin"], response.json()["jours"]) == ("2026-12-05", 6)
    assert Suspension.objects.get().fin == datetime.date(2026, 12, 5)
    # The suspension is reached only through its own case.
    response = _post(client, f"/api/prestations/{autre.pk}/suspensions/{suspension['id']}/fin/", {"fin": "2026-12-01"})
    assert response.status_code == 404


def test_mov12_periode_of_43_days_is_a_400_and_42_days_pass(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation()
    client = client_de(monde.referent)
    _en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/periodes-entreprise/"
    data = {"entreprise": "Garage Dupont", "siret": SIRET, "debut": "2026-12-01", "tuteur": "M. Dupont"}
    response = _post(client, url, {**data, "fin": "2027-01-12"})  # 43 days
    assert response.status_code == 400 and "fin" in response.json()
    response = _post(client, url, {**data, "siret": "12345678901234", "fin": "2027-01-11"})
    assert response.status_code == 400 and "siret" in response.json()
    response = _post(client, url, {**data, "fin": "2027-01-11"})  # 42 days = 6 weeks
    assert response.status_code == 201, response.json()
    assert len(client.get(url).json()) == 1


def test_sor01_cdi_with_a_duration_is_a_400_and_nothing_changes(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation()
    client = client_de(monde.referent)
    _en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/sortie/"
    data = {"type": "emploi", "date_sortie": "2026-11-23", "type_contrat": "cdi", "temps_plein": True}
    response = _post(client, url, {**data, "duree_contrat_mois": "6"})
    assert response.status_code == 400 and "duree_contrat_mois" in response.json()
    # An interruption reason is not an outcome of this route.
    assert "type" in _post(client, url, {**data, "type": "abandon"}).json()
    assert Sortie.objects.count() == 0 and Prestation.objects.get(pk=prestation.pk).etat == "en_cours"
    # SOR-01: 78 hours a month part-time is not positive; the case ends without follow-up.
    response = _post(client, url, {**data, "temps_plein": False, "heures_mensuelles": "78"})
    assert response.status_code == 201, response.json()
    assert (response.json()["positive"], response.json()["etat_prestation"]) == (False, "terminee")


def test_pma04_exclusion_without_consultation_is_a_400(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation(_marche(monde, "PMA"), pma_eligible=True)
    client = client_de(monde.referent)
    _en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/interruption/"
    response = _post(client, url, {"type": "exclusion", "motif": "Absences répétées sans justification."})
    assert response.status_code == 400 and "PMA-04" in response.json()["consultation_financeur"][0]
    assert Prestation.objects.get(pk=prestation.pk).etat == "en_cours"
    response = _post(
        client,
        url,
        {"type": "exclusion", "motif": "Absences répétées sans justification.", "consultation_financeur": True},
    )
    assert response.status_code == 201, response.json()
    sortie = response.json()
    assert (sortie["type"], sortie["positive"], sortie["regle"]) == ("exclusion", False, "SOR-04")
    assert sortie["etat_prestation"] == "interrompue" and sortie["consultation_financeur"] is True


def test_sor04_exclusion_is_refused_where_the_rule_set_has_none(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation()
    client = client_de(monde.referent)
    _en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/interruption/"
    response = _post(client, url, {"type": "exclusion", "motif": "Absences.", "consultation_financeur": True})
    assert response.status_code == 409 and response.json()["regle"] == "PMA-04"
    response = _post(client, url, {"type": "abandon", "motif": "Déménagement."})
    assert response.status_code == 201 and response.json()["etat_prestation"] == "interrompue"


# --- Scope and roles ----------------------------------------------------------------------


def test_scope_referent_of_y_gets_404_on_the_case_of_x_and_its_actions(monde, nouvelle_prestation, client_de):
    prestation = nouvelle_prestation()
    url = f"/api/prestations/{prestation.pk}/"
    for membership in (monde.referent_y, monde.responsable_y, monde.prescripteur_b):
        client = client_de(membership)
        assert client.get("/api/prestations/").json()["count"] == 0
        assert client.get(url).status_code == 404
        assert _contractualiser(client, prestation).status_code == 404
        assert _entretien(client, prestation, "2026-11-23T09:45:00").status_code == 404
        assert client.get(url + "entretiens/").status_code == 404
        assert _post(client, url + "interruption/", {"type": "abandon", "motif": "x"}).status_code == 404
    assert Prestation.objects.get(pk=prestation.pk).etat == "a_contractualiser"
    for membership in (monde.prescripteur, monde.responsable, monde.referent):
        assert client_de(membership).get(url).status_code == 200


def test_prescripteur_cannot_log_an_entretien_403_another_referent_does_not_see_the_case(
    monde, nouvelle_prestation, client_de, membre
):
    prestation = nouvelle_prestation()
    _en_cours(client_de(monde.referent), prestation)
    response = _entretien(client_de(monde.prescripteur), prestation, "2026-11-23T09:45:00")
    assert response.status_code == 403
    collegue = membre(Role.REFERENT, organisation=monde.referent.organisation)
    response = _entretien(client_de(collegue), prestation, "2026-11-23T09:45:00")
    assert response.status_code == 404
    # A responsable of the prestataire acts on every case of the structure.
    assert _entretien(client_de(monde.responsable), prestation, "2026-11-23T09:45:00").status_code == 201


def test_mov08_prescripteur_renews_at_term_and_the_referent_cannot(monde, nouvelle_prestation, client_de, time_machine):
    prestation = nouvelle_prestation()
    _en_cours(client_de(monde.referent), prestation)
    url = f"/api/prestations/{prestation.pk}/renouvellement/"
    prescripteur = client_de(monde.prescripteur)
    motif = {"motif": "Recherche d'emploi à poursuivre."}
    response = _post(prescripteur, url, motif)
    assert response.status_code == 409 and response.json()["regle"] == "MOV-08"  # not at term yet
    time_machine.move_to(_a((prestation.date_fin - datetime.timedelta(days=10)).isoformat()))
    prescripteur = client_de(monde.prescripteur)  # a session lasts 2 weeks
    assert _post(client_de(monde.referent), url, motif).status_code == 403
    assert _post(client_de(monde.responsable), url, motif).status_code == 403
    assert _post(prescripteur, url).json() == {"motif": ["Ce champ est obligatoire."]}
    response = _post(prescripteur, url, motif)
    assert response.status_code == 200, response.json()
    cas = response.json()
    assert cas["nombre_renouvellements"] == 1 and cas["date_fin"] == "2027-11-21"
    assert cas["renouvellements"][0]["ancienne_date_fin"] == prestation.date_fin.isoformat()
    # Once only.
    time_machine.move_to(_a("2027-11-15"))
    assert _post(client_de(monde.prescripteur), url, motif).status_code == 409


# --- Group sessions (EMA-01, BAM-03) ----------------------------------------------------------


def test_bam03_session_refuses_one_participant_too_many(monde, nouvelle_prestation, client_de):
    client = client_de(monde.referent)
    premiere, seconde = nouvelle_prestation(), nouvelle_prestation()
    _en_cours(client, premiere)
    _en_cours(client, seconde)
    response = _post(
        client,
        "/api/sessions/",
        {"titre": "Atelier CV", "debut": "2026-11-23T09:45:00", "duree_minutes": 90, "taille_max": 1},
    )
    assert response.status_code == 201, response.json()
    session = response.json()
    url = f"/api/sessions/{session['id']}/participants/"
    response = _post(client, url, {"prestation": premiere.pk, "presence": "present"})
    assert response.status_code == 201, response.json()
    assert (response.json()["type"], response.json()["session"]) == ("collectif", session["id"])
    assert _post(client, url, {"prestation": premiere.pk, "presence": "present"}).status_code == 400
    response = _post(client, url, {"prestation": seconde.pk, "presence": "absent"})
    assert response.status_code == 409 and response.json()["regle"] == "BAM-03"
    detail = client.get(f"/api/sessions/{session['id']}/").json()
    assert [p["prestation"] for p in detail["participants"]] == [premiere.pk]
    assert client.get("/api/sessions/").json()["count"] == 1
    # Another prestataire neither sees the session nor reaches X's cases through its own.
    autre = client_de(monde.referent_y)
    assert autre.get(f"/api/sessions/{session['id']}/").status_code == 404
    assert autre.get("/api/sessions/").json()["count"] == 0
    sienne = _post(autre, "/api/sessions/", {"titre": "Atelier Y", "debut": "2026-11-23T09:45:00", "duree_minutes": 60})
    reponse = _post(autre, f"/api/sessions/{sienne.json()['id']}/participants/", {"prestation": seconde.pk})
    assert reponse.status_code == 400 and {"prestation", "presence"} <= set(reponse.json())
    # A prescripteur organises no session.
    refus = _post(
        client_de(monde.prescripteur),
        "/api/sessions/",
        {"titre": "x", "debut": "2026-11-23T09:45:00", "duree_minutes": 60},
    )
    assert refus.status_code == 403


# --- Lists, query counts, schema ----------------------------------------------------------------


def test_list_filters_and_ordering(monde, nouvelle_prestation, client_de, time_machine):
    client = client_de(monde.referent)
    premiere = nouvelle_prestation()
    _en_cours(client, premiere)
    bca = nouvelle_prestation(_marche(monde, "BCA"))
    time_machine.move_to(_a("2026-11-25"))
    seconde = nouvelle_prestation()
    _contractualiser(client, seconde, debut="2026-11-25T09:30:00")
    assert client.get("/api/prestations/", {"dispositif": "BCA"}).json()["results"][0]["id"] == bca.pk
    assert client.get("/api/prestations/", {"etat": "en_cours"}).json()["count"] == 2
    assert client.get("/api/prestations/", {"referent": monde.referent.user.pk}).json()["count"] == 3
    assert client.get("/api/prestations/", {"referent": monde.responsable.user.pk}).json()["count"] == 0
    assert client.get("/api/prestations/", {"echeance_avant": "2026-12-07"}).json()["count"] == 1
    ordre = client.get("/api/prestations/", {"etat": "en_cours", "ordering": "prochaine_echeance"}).json()["results"]
    assert [p["id"] for p in ordre] == [premiere.pk, seconde.pk]
    assert ordre[0]["prochaine_echeance"] == "2026-12-07" and "MOV-10" in ordre[0]["prochaine_echeance_libelle"]
    ordre = client.get("/api/prestations/", {"etat": "en_cours", "ordering": "-prochaine_echeance"}).json()["results"]
    assert [p["id"] for p in ordre] == [seconde.pk, premiere.pk]
    ligne = client.get("/api/prestations/", {"dispositif": "BCA"}).json()["results"][0]
    assert ligne["referent"]["email"] == "ref.x@exemple.test" and ligne["etat"] == "a_contractualiser"
    assert client.get("/api/prestations/", {"etat": "inconnu"}).status_code == 400


def test_list_and_detail_query_counts_are_constant(monde, nouvelle_prestation, client_de):
    client = client_de(monde.referent)

    def compter(url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            assert response.status_code == 200
        return len(ctx.captured_queries)

    deux = [nouvelle_prestation() for _ in range(2)]
    _en_cours(client, deux[0])
    detail = f"/api/prestations/{deux[0].pk}/"
    avant = (compter("/api/prestations/"), compter(detail))
    for _ in range(10):
        nouvelle_prestation()
    for minute in (35, 40, 45):
        assert _entretien(client, deux[0], f"2026-11-23T09:{minute}:00").status_code == 201
    _post(client, detail + "suspensions/", {"motif": "conges", "debut": "2026-12-01", "fin": "2026-12-05"})
    assert client.get("/api/prestations/").json()["count"] == 12
    assert (compter("/api/prestations/"), compter(detail)) == avant
    # pinned: 4 to resolve the session and the acteur, then the list: count + page; the case: 1 + 8
    # prefetches (its facts, deliverables included, and its échéance rows, which give its deadlines)
    assert avant == (5, 13)


def test_schema_lists_the_workflow_routes(monde, client_de):
    response = client_de(monde.referent).get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/prestations/{id}/entretiens/",
        "/api/prestations/{id}/contractualisation/",
        "/api/prestations/{id}/suspensions/{suspension_id}/fin/",
        "/api/prestations/{id}/actions/{action_id}/",
        "/api/prestations/{id}/suivi/cloture/",
        "/api/sessions/{id}/participants/",
    ):
        assert path in schema
