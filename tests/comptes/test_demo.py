"""The demo data command builds the small world of the README, and is idempotent.

Its accounts (a superuser among them) share the README's public password: with DEBUG
off, a production instance, the command refuses unless explicitly allowed.
"""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from comptes.demo import MOT_DE_PASSE_DEMO, UTILISATEURS
from comptes.models import Membership, Organisation, Role, User
from prestations.models import LettreDeCommande, Marche, Prestation

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_demo_is_idempotent_and_has_one_account_per_role(client, settings):
    settings.DEBUG = True  # as `make run` (scripts/dev.sh) runs it
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


def test_demo_refuses_to_run_with_debug_off_unless_allowed(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as refus:
        call_command("demo", stdout=io.StringIO())
    message = str(refus.value)
    assert "production" in message and "mot de passe public" in message and "--allow-in-production" in message
    assert not User.objects.exists() and not Organisation.objects.exists()

    call_command("demo", "--allow-in-production", stdout=io.StringIO())
    assert User.objects.filter(is_superuser=True).exists()


@pytest.mark.slow
def test_manage_py_demo_exits_non_zero_with_debug_off():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "demo-refusal-test-secret-key",
            # A database that does not exist: whatever the command does, it writes nothing.
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/prestations_demo_absente_{os.getpid()}",
        }
    )
    resultat = subprocess.run(
        [sys.executable, "manage.py", "demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert resultat.returncode != 0
    assert "Démo refusée" in resultat.stderr and "--allow-in-production" in resultat.stderr, resultat.stderr[-2000:]
