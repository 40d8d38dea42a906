"""The « à traiter » work queue (issue 5): every open échéance of the acteur's cases, soonest first."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptes.models import Role
from prestations.models import Echeance, MotifSuspension
from prestations.models.echeances import TypeEcheance
from tests.prestations.dossiers import jour

pytestmark = pytest.mark.django_db


def test_mov03_work_queue_lists_the_contractualisation_with_its_age(monde, dossiers, client_de, time_machine):
    dossiers.nouveau(debut=jour(1), nom="Girard")
    time_machine.move_to(datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.UTC))
    page = client_de(monde.referent).get(reverse("prestations:a_traiter")).content.decode()
    assert "Contractualisation à faire au plus tard le 01/12/2026" in page
    assert "J+5 sur 7" in page
    assert 'text-bg-danger">En retard' not in page
    time_machine.move_to(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC))
    page = client_de(monde.referent).get(reverse("prestations:a_traiter"), {"retard": "1"}).content.decode()
    assert 'text-bg-danger">En retard' in page and "Girard" in page


def test_work_queue_is_scoped_and_sorted(monde, dossiers, client_de):
    dossiers.nouveau(debut=jour(1), nom="Alpha")
    dossiers.nouveau(debut=jour(1), nom="Beta", marche=monde.marche_y, referent=monde.referent_y)
    page_x = client_de(monde.referent).get(reverse("prestations:a_traiter")).content.decode()
    assert "Alpha" in page_x and "Beta" not in page_x
    page_y = client_de(monde.responsable_y).get(reverse("prestations:a_traiter")).content.decode()
    assert "Beta" in page_y and "Alpha" not in page_y
    assert client_de(monde.financeur).get(reverse("prestations:a_traiter")).status_code == 403


def test_work_queue_query_count_is_constant(monde, dossiers, client_de):
    client = client_de(monde.referent)
    dossiers.nouveau(debut=jour(1), nom="Un")

    def compter():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("prestations:a_traiter")).status_code == 200
        return len(ctx.captured_queries)

    une = compter()
    for i in range(8):
        dossiers.nouveau(debut=jour(1), nom=f"Nom{i}")
    assert Echeance.objects.count() >= 9
    assert compter() == une


# --- The same work queue and the case clocks through the API ------------------------------


def test_mov03_api_file_a_traiter_comme_la_page(monde, dossiers, client_de, time_machine):
    prestation = dossiers.nouveau(debut=jour(1), nom="Girard")
    time_machine.move_to(datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.UTC))
    client = client_de(monde.referent)
    reponse = client.get("/api/echeances/")
    assert reponse.status_code == 200
    [contractualisation, *autres] = reponse.json()["results"]
    assert contractualisation["libelle"] == "Contractualisation à faire au plus tard le 01/12/2026"
    assert (contractualisation["regle"], contractualisation["avancement"]) == ("MOV-03", "J+5 sur 7")
    assert contractualisation["en_retard"] is False
    assert contractualisation["a_faire"] == "Recevoir le bénéficiaire et enregistrer la contractualisation."
    assert contractualisation["beneficiaire"].endswith("Girard")
    assert contractualisation["lien"] == reverse("prestations:prestation_detail", args=[prestation.pk])
    assert [e["type"] for e in autres] == ["bilan_intermediaire", "bilan_final"]
    assert all(e["a_faire"] for e in autres)  # every kind says what to do
    assert client.get("/api/echeances/", {"en_retard": "true"}).json()["count"] == 0
    time_machine.move_to(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC))
    [en_retard] = client.get("/api/echeances/", {"en_retard": "true"}).json()["results"]
    assert (en_retard["id"], en_retard["en_retard"]) == (contractualisation["id"], True)


def test_api_file_a_traiter_portee_roles_et_parametres(monde, dossiers, client_de, membre):
    collegue = membre(Role.REFERENT, organisation=monde.referent.organisation)
    dossiers.nouveau(debut=jour(1), nom="Alpha")
    dossiers.nouveau(debut=jour(1), nom="Gamma", referent=collegue)
    dossiers.nouveau(debut=jour(1), nom="Beta", marche=monde.marche_y, referent=monde.referent_y)

    def noms(membership, **params):
        reponse = client_de(membership).get("/api/echeances/", params)
        assert reponse.status_code == 200, reponse.content
        return {e["beneficiaire"].split()[-1] for e in reponse.json()["results"]}

    assert noms(monde.referent) == {"Alpha"}  # only the cases they are designated on (comptes.acces)
    assert noms(monde.responsable) == {"Alpha", "Gamma"}
    assert noms(monde.responsable_y) == {"Beta"}
    assert client_de(monde.financeur).get("/api/echeances/").status_code == 403
    reponse = client_de(monde.referent).get("/api/echeances/", {"en_retard": "peut-être"})
    assert reponse.status_code == 400 and "en_retard" in reponse.json()


def test_api_file_a_traiter_nombre_de_requetes_constant(monde, dossiers, client_de):
    client = client_de(monde.referent)
    dossiers.nouveau(debut=jour(1), nom="Un")

    def compter():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/echeances/").status_code == 200
        return len(ctx.captured_queries)

    une = compter()
    for i in range(6):
        dossiers.nouveau(debut=jour(1), nom=f"Nom{i}")
    assert compter() == une


def test_mov10_api_horloges_du_dossier_avec_leurs_pauses(monde, dossiers, client_de):
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.MALADIE, jour(3), jour(5))
    reponse = client_de(monde.prescripteur).get(f"/api/prestations/{p.pk}/echeances/")
    assert reponse.status_code == 200
    horloges = {h["echeance"]["type"]: h for h in reponse.json()}
    ecart = horloges[TypeEcheance.ECART_ENTRETIENS]
    assert ecart["echeance"]["etat"] == "a_venir" and ecart["echeance"]["regle"] == "MOV-10"
    assert len(ecart["pauses"]) == 1 and "Maladie" in ecart["pauses"][0]
    # The contractualisation was met on day 1: the prescripteur sees when.
    contractualisation = horloges[TypeEcheance.CONTRACTUALISATION]["echeance"]
    assert contractualisation["etat"] == "honoree" and contractualisation["honoree_le"]
    # Another prescribing agency's user gets a 404, not the case's deadlines.
    assert client_de(monde.prescripteur_b).get(f"/api/prestations/{p.pk}/echeances/").status_code == 404
