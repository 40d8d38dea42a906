"""The demo data command builds the small world of the README, and is idempotent."""

import io

import pytest
from django.core.management import call_command

from comptes.demo import MOT_DE_PASSE_DEMO, UTILISATEURS
from comptes.models import Membership, Organisation, Role, User
from prestations.models import LettreDeCommande, Marche, Prestation

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_has_one_account_per_role(client):
    call_command("demo", stdout=io.StringIO())
    compte = (
        Organisation.objects.count(),
        User.objects.count(),
        Marche.objects.count(),
        LettreDeCommande.objects.count(),
    )
    call_command("demo", stdout=io.StringIO())
    assert (
        Organisation.objects.count(),
        User.objects.count(),
        Marche.objects.count(),
        LettreDeCommande.objects.count(),
    ) == compte
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role)
    assert set(Marche.objects.values_list("dispositif", flat=True)) == {"MOV", "BCA", "BAM", "PMA", "CEP"}
    assert Prestation.objects.filter(etat="en_cours").exists()  # a case with a history to look at
    for email, *_ in UTILISATEURS:
        assert client.login(username=email, password=MOT_DE_PASSE_DEMO), email
        client.logout()
