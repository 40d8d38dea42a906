"""Shared fixtures: the prescription world and its cases, logged-in clients, browser launch
settings, and the guardrails every test runs under."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from comptes.models import Role
from tests.factories import MOT_DE_PASSE, MembershipFactory
from tests.prestations.dossiers import Dossiers, Monde, beneficiaire_dans, construire_monde
from tests.support import gabarits

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


# --- Guardrail: undefined template variables fail the test ------------------------------


@pytest.fixture(autouse=True, scope="session")
def _variables_de_gabarit_indefinies():
    """Undefined template variables fail the suite (les-emplois' guard, done without patching Django).

    Django puts ``string_if_invalid`` where a variable cannot be resolved; here it is a
    ``tests.support.gabarits.VariableIndefinie``, on every Django template engine, for
    the whole session.

    What fails, as in les-emplois (pytest-django's ``--fail-on-template-vars`` made
    falsy, its ``default`` filter exempted): a variable that is *rendered* (``{{ x }}``,
    ``{{ x|upper }}``, ``{{ x|date }}``, a ``{% blocktranslate %}`` placeholder, a
    ``{% url %}`` argument) or *compared* (``__eq__``) raises
    ``VariableDeGabaritIndefinie`` with the template, line and page.

    What does not fail, because it is legitimate Django: ``{% if x %}`` / ``{% elif %}``
    / ``{% firstof %}`` / ``{% for %}`` on a missing variable (Django resolves them with
    ``ignore_failures``, so the guard is never even consulted), ``{{ x|default:"…" }}``
    (the object is falsy, as production's ``""`` is) and a missing related object in
    ``{% if obj.relation %}`` (falsy again, where pytest-django's truthy marker would
    take the wrong branch).

    Why an object instead of les-emplois' patch of ``FilterExpression.resolve``: the
    same cases fail without rewriting Django's code, and the object gets no variable
    name from Django, so it reads the template node being rendered from the stack.
    Nothing is skipped: every undefined variable met is also recorded (the per-test
    fixture below fails a test whose exception was swallowed, and the end of the run
    lists them all).
    """
    from django.conf import settings as reglages
    from django.template import engines
    from django.template.backends.django import DjangoTemplates

    garde = gabarits.VariableIndefinie()
    anciennes = []
    for moteur in reglages.TEMPLATES:
        if moteur["BACKEND"] == "django.template.backends.django.DjangoTemplates":
            options = moteur.setdefault("OPTIONS", {})
            anciennes.append((options, options.get("string_if_invalid", "")))
            options["string_if_invalid"] = garde
    for moteur in engines.all():
        if isinstance(moteur, DjangoTemplates):
            moteur.engine.string_if_invalid = garde
    yield
    for options, ancienne in anciennes:
        options["string_if_invalid"] = ancienne
    for moteur in engines.all():
        if isinstance(moteur, DjangoTemplates):
            moteur.engine.string_if_invalid = ""


@pytest.fixture(autouse=True)
def _aucune_variable_de_gabarit_indefinie(request, _variables_de_gabarit_indefinies):
    """Fail the test that met an undefined template variable, even if the exception was
    swallowed on the way (a live server thread, a comparison inside ``{% if %}``)."""
    debut = gabarits.commencer_test(request.node.nodeid)
    yield
    rencontres = gabarits.rencontres_depuis(debut)
    appel = getattr(request.node, "rapport_appel", None)
    if rencontres and not (appel is not None and appel.failed):
        pytest.fail("Variable(s) de gabarit indéfinie(s) :\n" + "\n".join(f"- {r}" for r in rencontres))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rapport = yield
    if rapport.when == "call":
        item.rapport_appel = rapport  # read by _aucune_variable_de_gabarit_indefinie
    return rapport


def pytest_terminal_summary(terminalreporter):
    """List every undefined template variable of the run, once per place, with its tests."""
    if not gabarits.RENCONTRES:
        return
    par_endroit: dict[tuple, list[str]] = {}
    for r in gabarits.RENCONTRES:
        par_endroit.setdefault((r.gabarit, r.ligne, r.expression, r.page), []).append(r.test)
    terminalreporter.section("variables de gabarit indéfinies")
    for (gabarit, ligne, expression, page), tests in sorted(par_endroit.items(), key=str):
        terminalreporter.write_line(f"{gabarit}:{ligne} {expression} ({page})")
        for test in sorted(set(tests)):
            terminalreporter.write_line(f"    {test}")
