"""The « à traiter » work queue (issue 5): every open échéance of the acteur's cases, soonest first."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptes.acteurs import Acteur
from prestations import services
from prestations.models import Echeance

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(monde, beneficiaire_de):
    def _dossier(nom="Girard", marche=None, referent=None):
        prescripteur = monde.prescripteur
        ldc = services.creer_lettre_de_commande(
            Acteur(prescripteur.user, prescripteur),
            beneficiaire=beneficiaire_de(nom=nom),
            marche=marche or monde.marche,
            date_debut=datetime.date(2026, 11, 24),
            accord_beneficiaire=True,
        )
        responsable = monde.responsable if ldc.marche == monde.marche else monde.responsable_y
        services.designer_referent(
            Acteur(responsable.user, responsable), ldc.prestation, (referent or monde.referent).user
        )
        return ldc.prestation

    return _dossier


def test_mov03_work_queue_lists_the_contractualisation_with_its_age(monde, dossier, client_de, time_machine):
    dossier()
    time_machine.move_to(datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.UTC))
    page = client_de(monde.referent).get(reverse("prestations:a_traiter")).content.decode()
    assert "Contractualisation à faire avant le 01/12/2026" in page
    assert "J+5 sur 7" in page
    assert 'text-bg-danger">En retard' not in page
    time_machine.move_to(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC))
    page = client_de(monde.referent).get(reverse("prestations:a_traiter"), {"retard": "1"}).content.decode()
    assert 'text-bg-danger">En retard' in page and "Girard" in page


def test_work_queue_is_scoped_and_sorted(monde, dossier, client_de):
    dossier(nom="Alpha")
    dossier(nom="Beta", marche=monde.marche_y, referent=monde.referent_y)
    page_x = client_de(monde.referent).get(reverse("prestations:a_traiter")).content.decode()
    assert "Alpha" in page_x and "Beta" not in page_x
    page_y = client_de(monde.responsable_y).get(reverse("prestations:a_traiter")).content.decode()
    assert "Beta" in page_y and "Alpha" not in page_y
    assert client_de(monde.financeur).get(reverse("prestations:a_traiter")).status_code == 403


def test_work_queue_query_count_is_constant(monde, dossier, client_de):
    client = client_de(monde.referent)
    dossier(nom="Un")

    def compter():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("prestations:a_traiter")).status_code == 200
        return len(ctx.captured_queries)

    une = compter()
    for i in range(8):
        dossier(nom=f"Nom{i}")
    assert Echeance.objects.count() >= 9
    assert compter() == une
