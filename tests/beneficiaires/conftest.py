"""Two prescribing agencies in the Allier, a clock fixed on 15 June 2026."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from comptes.models import Role
from tests.factories import OrganisationFactory

AUJOURD_HUI = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def horloge(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC), tick=True)


@dataclass
class Agences:
    a: object  # membership of a prescripteur of agence A
    b: object  # membership of a prescripteur of agence B


@pytest.fixture
def agences(membre):
    return Agences(
        a=membre(Role.PRESCRIPTEUR, organisation=OrganisationFactory(agence_france_travail=True, nom="Agence A")),
        b=membre(Role.PRESCRIPTEUR, organisation=OrganisationFactory(agence_france_travail=True, nom="Agence B")),
    )


@pytest.fixture
def saisie():
    """What a prescripteur types in the creation form for a valid bénéficiaire (Moulins, 03)."""
    return {
        "civilite": "madame",
        "nom": "Lefèvre",
        "prenom": "Élodie",
        "nom_naissance": "",
        "date_naissance": "1990-04-12",
        "identifiant_ft": "1234567a",
        "email": "elodie.lefevre@exemple.test",
        "telephone": "+33 6 12 34 56 78",
        "adresse": "12 rue de Paris",
        "commune": "03190",
        "statut": "demandeur_emploi",
        "categorie_demandeur": "A",
        "date_inscription_ft": "2025-09-01",
        "niveau_francais": "B1",
        "projet_professionnel": "Aide-soignante en EHPAD",
        "code_rome": "j1501",
        "projet_defini": "on",
        "accompagnateur_insertion": "Mme Martin, mission locale de Moulins",
        "demarches_engagees": "Stage d'observation réalisé en mai.",
        "qpv": "oui",
        "territoire_rural": "non",
    }
