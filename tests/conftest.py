"""Shared fixtures: factories, logged-in clients, eager Celery, browser launch settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from comptes.models import Role
from tests.factories import MembershipFactory
from tests.prestations.conftest import beneficiaire_de, monde  # noqa: F401 (shared by every folder)

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
MOT_DE_PASSE = "Mot-de-passe-de-test-2026"


@pytest.fixture
def membre(db):
    """Create a user with one membership of ``role`` (in ``organisation`` if given)."""

    def _membre(role: Role, organisation=None, **user_kwargs):
        kwargs = {"role": role, "user__password": MOT_DE_PASSE}
        if organisation is not None:
            kwargs["organisation"] = organisation
        for key, value in user_kwargs.items():
            kwargs[f"user__{key}"] = value
        return MembershipFactory(**kwargs)

    return _membre


@pytest.fixture
def client_de(db):
    """A test client logged in as the membership's user, acting through that membership."""

    def _client(membership) -> Client:
        client = Client()
        client.force_login(membership.user)
        session = client.session
        session["membership_id"] = membership.pk
        session.save()
        return client

    return _client


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


@pytest.fixture(autouse=True)
def _referentiel_territorial(request):
    """Transactional tests (browser, live server) flush every table after them, the
    reference data loaded by migration included: put it back before each of them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        from territoires.loader import charger_si_vide

        request.getfixturevalue("transactional_db")
        charger_si_vide()


@pytest.fixture(scope="session")
def certificat_de_sceau(tmp_path_factory) -> Path:
    """The tests' own seal certificate (self-signed, made once per run, never committed)."""
    from livrables.certificat import generer

    dossier = tmp_path_factory.mktemp("sceau")
    generer(dossier / "certificat.pem", dossier / "cle.pem", organisation="Plateforme Prestations (tests)")
    return dossier


@pytest.fixture(autouse=True)
def _sceau_de_test(settings, certificat_de_sceau):
    """Documents are sealed with the tests' certificate, offline (no timestamp server)."""
    settings.SCEAU_CERTIFICAT = certificat_de_sceau / "certificat.pem"
    settings.SCEAU_CLE = certificat_de_sceau / "cle.pem"
    settings.SCEAU_CLE_MOT_DE_PASSE = ""
    settings.SCEAU_AUTORITES = ""
    settings.SCEAU_HORODATAGE_URL = ""


@pytest.fixture(autouse=True)
def _hachage_rapide(settings):
    """Fast password hashing in tests (the default PBKDF2 costs ~0.2 s per user)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
