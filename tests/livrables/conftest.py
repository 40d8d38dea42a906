"""Reuse the prescription world of the prestations tests; a case with its référent."""

import datetime

import pytest

from comptes.acteurs import Acteur
from prestations.commandes import services
from tests.prestations.conftest import beneficiaire_de, monde  # noqa: F401


@pytest.fixture
def prestation(monde, beneficiaire_de, settings, tmp_path):  # noqa: F811
    """A case of the X prestataire with ``monde.referent`` as its référent; the files go
    to a MEDIA_ROOT of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    ldc = services.creer_lettre_de_commande(
        Acteur(monde.prescripteur.user, monde.prescripteur),
        beneficiaire=beneficiaire_de(nom="Girard"),
        marche=monde.marche,
        date_debut=datetime.date(2026, 11, 24),
        accord_beneficiaire=True,
    )
    services.designer_referent(Acteur(monde.responsable.user, monde.responsable), ldc.prestation, monde.referent.user)
    return ldc.prestation
