"""Shared fixtures: the prescription world and its cases, logged-in clients, browser launch
settings, and the guardrails every test runs under."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from comptes.models import Role
from tests.factories import MOT_DE_PASSE, MembershipFactory
from tests.prestations.dossiers import Dossiers, Monde, beneficiaire_dans, construire_monde

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


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
def monde(db, membre, time_machine) -> Monde:
    """The prescription world (``tests.prestations.dossiers.Monde``); the clock stops on
    Monday 23 November 2026, 10:00 in Paris, and ticks."""
    return construire_monde(membre, time_machine)


@pytest.fixture
def beneficiaire_de(monde):
    """``beneficiaire_de(organisation=None, **champs)``: a bénéficiaire of agence A, in Moulins."""

    def _beneficiaire(organisation=None, **kwargs):
        return beneficiaire_dans(monde, organisation, **kwargs)

    return _beneficiaire


@pytest.fixture
def dossiers(monde, beneficiaire_de, time_machine) -> Dossiers:
    """The case builder (``tests.prestations.dossiers.Dossiers``), the only one of the suite."""
    return Dossiers(monde, beneficiaire_de, time_machine)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """The files a test writes (deliverables, PDFs) go to a MEDIA_ROOT of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"


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


@pytest.fixture(autouse=True)
def _hachage_rapide(settings):
    """Fast password hashing in tests (the default PBKDF2 costs ~0.2 s per user)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
