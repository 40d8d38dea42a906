"""API of the prestation workflow (issue 4): /api/prestations/{id}/... and /api/sessions/:
the journeys, the group sessions, the lists and their pinned query counts.

Each action calls one workflow function; a refused transition is a 409 naming its rule.
What the API refuses (400, 403, 404) is in ``test_api_suivi_refus.py``.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prestations.models import Entretien, Prestation
from tests.prestations.dossiers import jour
from tests.support.api_suivi import (
    SIRET,
    contractualiser,
    enregistrer_entretien,
    instant,
    mettre_en_cours,
    patcher,
    poster,
)

pytestmark = pytest.mark.django_db


# --- Journeys -------------------------------------------------------------------------


def test_mov_full_journey_through_the_api(monde, dossiers, client_de, time_machine):
    """MOV-05, MOV-09, MOV-12, SOR-01, MOV-13 and MOV-07 (the end date never moves) through the API."""
    prestation = dossiers.nouveau()
    date_fin = prestation.date_fin.isoformat()
    client = client_de(monde.referent)
    url = f"/api/prestations/{prestation.pk}/"

    # MOV-05: contract signed at the contractualisation entretien → phase 1.
    cas = mettre_en_cours(client, prestation)
    assert (cas["etat"], cas["phase"], cas["contrat_signe"]) == ("en_cours", "phase_1", True)
    assert cas["contractualisee_le"] == "2026-11-23" and len(cas["entretiens"]) == 1
    # MOV-05: its signed copy, scanned, transmitted to the prescripteur within 48 hours.
    contrat = SimpleUploadedFile("contrat.pdf", b"%PDF-1.4\n% contrat signe\n%%EOF\n", content_type="application/pdf")
    response = client.post(url + "livrables/", {"type": "contrat_accompagnement", "fichier": contrat})
    assert response.status_code == 201, response.json()

    # An entretien of phase 1, logged afterwards, then phase 1 → phase 2.
    time_machine.move_to(instant("2026-11-30"))
    client = client_de(monde.referent)  # a session lasts 2 weeks
    response = enregistrer_entretien(client, prestation, "2026-11-30T10:00:00", compte_rendu="Diagnostic.")
    assert response.status_code == 201, response.json()
    assert (response.json()["phase"], response.json()["type"]) == ("phase_1", "individuel")
    response = poster(client, url + "phase/")
    assert response.status_code == 200, response.json()
    assert response.json()["phase"] == "phase_2"
    phases = {ph["cle"]: ph for ph in response.json()["faits"]["phases"]}
    assert phases["phase_1"]["complete"] and phases["phase_2"]["courante"]

    # MOV-09: a week of illness.
    response = poster(client, url + "suspensions/", {"motif": "maladie", "debut": "2026-12-01", "fin": "2026-12-07"})
    assert response.status_code == 201, response.json()
    assert (response.json()["jours"], response.json()["motif_libelle"]) == (7, "Maladie")

    time_machine.move_to(instant("2026-12-08"))

    client = client_de(monde.referent)  # a session lasts 2 weeks
    assert enregistrer_entretien(client, prestation, "2026-12-08T10:00:00").status_code == 201

    # MOV-12: a période en entreprise of 12 days (the SIRET may be typed with spaces).
    response = poster(
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

    time_machine.move_to(instant("2026-12-28"))

    client = client_de(monde.referent)  # a session lasts 2 weeks
    assert enregistrer_entretien(client, prestation, "2026-12-28T10:00:00").status_code == 201
    cas = client.get(url).json()
    assert cas["date_fin"] == date_fin  # MOV-07: not postponed by the suspension
    assert cas["faits"]["ecart_net"] == 0 and cas["faits"]["ecart_max"] == 14
    assert cas["faits"]["jours_maladie"] == 7 and cas["faits"]["jours_conges"] == 0
    assert len(cas["entretiens"]) == 4 and len(cas["suspensions"]) == 1 and len(cas["periodes_entreprise"]) == 1
    assert {"contractualisation", "suspension", "periode_entreprise", "phase"} <= {e["type"] for e in cas["journal"]}

    # SOR-01: a full-time CDI is a positive outcome; MOV-13: the suivi dans l'emploi opens.
    time_machine.move_to(instant("2027-01-05"))
    client = client_de(monde.referent)  # a session lasts 2 weeks
    response = poster(
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
    time_machine.move_to(instant("2027-01-08"))
    client = client_de(monde.referent)  # a session lasts 2 weeks
    response = enregistrer_entretien(
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
    refus = poster(client, url + "suivi/cloture/")
    assert refus.status_code == 409 and refus.json()["regle"] == "MOV-13"
    time_machine.move_to(instant("2027-04-05"))
    client = client_de(monde.referent)  # a session lasts 2 weeks
    response = poster(client, url + "suivi/cloture/")
    assert response.status_code == 200, response.json()
    assert (response.json()["etat"], response.json()["motif_fin"]) == ("terminee", "suivi_clos")


def test_mov06_contract_not_signed_ends_as_refusee_then_entretien_is_409(monde, dossiers, client_de):
    prestation = dossiers.nouveau()
    client = client_de(monde.referent)
    response = contractualiser(client, prestation, signe=False)
    assert response.status_code == 200, response.json()
    cas = response.json()
    assert (cas["etat"], cas["contrat_signe"], cas["motif_fin"]) == ("refusee", False, "refus")
    assert (cas["sortie"]["type"], cas["sortie"]["positive"], cas["sortie"]["regle"]) == ("refus", False, "SOR-04")
    # An entretien on a case that has ended is refused (409) and changes nothing.
    response = enregistrer_entretien(client, prestation, "2026-11-23T09:45:00")
    assert response.status_code == 409
    assert set(response.json()) == {"detail", "regle"} and "refusée" in response.json()["detail"]
    assert Entretien.objects.filter(prestation=prestation).count() == 1
    # MOV-05: the contractualisation is not recorded twice.
    assert contractualiser(client, prestation).status_code == 409


def test_bca02_next_phase_without_an_individual_entretien_is_409(monde, dossiers, client_de):
    prestation = dossiers.nouveau("BCA")
    client = client_de(monde.referent)
    assert mettre_en_cours(client, prestation)["phase"] == "investigation"
    url = f"/api/prestations/{prestation.pk}/phase/"
    response = poster(client, url)
    assert response.status_code == 409
    assert response.json()["regle"] == "BCA-02" and "Investigation du potentiel" in response.json()["detail"]
    assert Prestation.objects.get(pk=prestation.pk).phase == "investigation"
    assert enregistrer_entretien(client, prestation, "2026-11-23T09:45:00").status_code == 201
    # BCA-02: phases in this order.
    assert poster(client, url, {"cible": "formalisation"}).status_code == 409
    response = poster(client, url)
    assert response.status_code == 200 and response.json()["phase"] == "confrontation"


def test_cep01_levels_are_chosen_with_cible(monde, dossiers, client_de):
    prestation = dossiers.nouveau("CEP")
    client = client_de(monde.referent)
    assert mettre_en_cours(client, prestation)["phase"] == "niveau_1"
    url = f"/api/prestations/{prestation.pk}/phase/"
    response = poster(client, url)
    assert response.status_code == 400 and "cible" in response.json()
    response = poster(client, url, {"cible": "niveau_2"})
    assert response.status_code == 200 and response.json()["phase"] == "niveau_2"


def test_bam02_early_end_after_the_bilan_initial(monde, dossiers, client_de):
    prestation = dossiers.nouveau("BAM")
    client = client_de(monde.referent)
    assert mettre_en_cours(client, prestation)["phase"] == "bilan_initial"
    url = f"/api/prestations/{prestation.pk}/fin-anticipee/"
    response = poster(client, url, {"motif": "envie_de_partir"})
    assert response.status_code == 400 and "motif" in response.json()
    assert poster(client, url).json() == {"motif": ["Ce champ est obligatoire."]}
    response = poster(client, url, {"motif": "absence_frein_mobilite"})
    assert response.status_code == 200, response.json()
    assert (response.json()["etat"], response.json()["motif_fin"]) == ("terminee", "absence_frein_mobilite")
    # A case that has ended cannot end again.
    assert poster(client, url, {"motif": "absence_frein_mobilite"}).json()["regle"] == "BAM-02"


def test_bam03_carnet_de_suivi_actions_created_and_updated(monde, dossiers, client_de):
    prestation = dossiers.nouveau("BAM")
    client = client_de(monde.referent)
    mettre_en_cours(client, prestation)
    url = f"/api/prestations/{prestation.pk}/actions/"
    # BAM-03: a paid service is recorded with its cost and the aids that may cover it.
    response = poster(client, url, {"nature": "service_payant", "libelle": "Location de scooter"})
    assert response.status_code == 400 and {"cout", "aides_mobilisables"} <= set(response.json())
    response = poster(client, url, {"nature": "service_payant", "libelle": "Location", "cout": "-5"})
    assert response.status_code == 400 and "cout" in response.json()
    response = poster(
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
    response = patcher(client, f"{url}{action_id}/", {"statut": "realisee"})
    assert response.status_code == 200 and response.json()["statut_libelle"] == "Réalisée"
    assert patcher(client, f"{url}{action_id}/", {}).status_code == 400
    response = patcher(client, f"{url}{action_id}/", {"date_fin": "2026-11-01"})
    assert response.status_code == 400 and "date_fin" in response.json()
    assert [a["statut"] for a in client.get(url).json()] == ["realisee"]
    assert client_de(monde.referent_y).get(url).status_code == 404


# --- Group sessions (EMA-01, BAM-03) ----------------------------------------------------------


def test_bam03_session_refuses_one_participant_too_many(monde, dossiers, client_de):
    client = client_de(monde.referent)
    premiere, seconde = dossiers.nouveau(), dossiers.nouveau()
    mettre_en_cours(client, premiere)
    mettre_en_cours(client, seconde)
    response = poster(
        client,
        "/api/sessions/",
        {"titre": "Atelier CV", "debut": "2026-11-23T09:45:00", "duree_minutes": 90, "taille_max": 1},
    )
    assert response.status_code == 201, response.json()
    session = response.json()
    url = f"/api/sessions/{session['id']}/participants/"
    response = poster(client, url, {"prestation": premiere.pk, "presence": "present"})
    assert response.status_code == 201, response.json()
    assert (response.json()["type"], response.json()["session"]) == ("collectif", session["id"])
    assert poster(client, url, {"prestation": premiere.pk, "presence": "present"}).status_code == 400
    response = poster(client, url, {"prestation": seconde.pk, "presence": "absent"})
    assert response.status_code == 409 and response.json()["regle"] == "BAM-03"
    detail = client.get(f"/api/sessions/{session['id']}/").json()
    assert [p["prestation"] for p in detail["participants"]] == [premiere.pk]
    assert client.get("/api/sessions/").json()["count"] == 1
    # Another prestataire neither sees the session nor reaches X's cases through its own.
    autre = client_de(monde.referent_y)
    assert autre.get(f"/api/sessions/{session['id']}/").status_code == 404
    assert autre.get("/api/sessions/").json()["count"] == 0
    sienne = poster(
        autre, "/api/sessions/", {"titre": "Atelier Y", "debut": "2026-11-23T09:45:00", "duree_minutes": 60}
    )
    reponse = poster(autre, f"/api/sessions/{sienne.json()['id']}/participants/", {"prestation": seconde.pk})
    assert reponse.status_code == 400 and {"prestation", "presence"} <= set(reponse.json())
    # A prescripteur organises no session.
    refus = poster(
        client_de(monde.prescripteur),
        "/api/sessions/",
        {"titre": "x", "debut": "2026-11-23T09:45:00", "duree_minutes": 60},
    )
    assert refus.status_code == 403


# --- Lists, query counts, schema ----------------------------------------------------------------


def test_list_filters_and_ordering(monde, dossiers, client_de, time_machine):
    client = client_de(monde.referent)
    premiere = dossiers.nouveau()
    mettre_en_cours(client, premiere)
    dossiers.transmet_le_contrat(premiere)  # MOV-05 met: the next deadline is the MOV-10 gap
    bca = dossiers.nouveau("BCA")
    time_machine.move_to(instant("2026-11-25"))
    seconde = dossiers.nouveau(debut=jour(2))
    contractualiser(client, seconde, debut="2026-11-25T09:30:00")
    dossiers.transmet_le_contrat(seconde)
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


def test_list_and_detail_query_counts_are_constant(monde, dossiers, client_de):
    client = client_de(monde.referent)

    def compter(url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            assert response.status_code == 200
        return len(ctx.captured_queries)

    deux = [dossiers.nouveau() for _ in range(2)]
    mettre_en_cours(client, deux[0])
    detail = f"/api/prestations/{deux[0].pk}/"
    avant = (compter("/api/prestations/"), compter(detail))
    for _ in range(10):
        dossiers.nouveau()
    for minute in (35, 40, 45):
        assert enregistrer_entretien(client, deux[0], f"2026-11-23T09:{minute}:00").status_code == 201
    poster(client, detail + "suspensions/", {"motif": "conges", "debut": "2026-12-01", "fin": "2026-12-05"})
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
