"""The application as production runs it: DEBUG off, hashed static files, gunicorn.

The rest of the suite runs with ``STATIC_MANIFEST=0`` (scripts/test.sh) and the Django
test client, so it cannot see a static file missing from the manifest: every page
would then answer 500 in production. Here ``collectstatic`` builds the manifest into a
temporary folder, gunicorn serves ``config.wsgi`` from it against the test database
(a transactional test: the rows are committed, so gunicorn sees them), and a plain
HTTP client logs in through the form and loads the pages and each static file they use.
"""

from __future__ import annotations

import datetime
import html.parser
import http.cookiejar
import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from comptes.acteurs import Acteur
from comptes.models import Role, User
from prestations.commandes import services
from territoires.models import Departement
from tests.factories import MOT_DE_PASSE, BeneficiaireFactory, MarcheFactory, OrganisationFactory

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("copy_assets", ROOT / "scripts" / "copy_assets.py")
copy_assets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(copy_assets)

ATTENTE = 30  # seconds, for gunicorn to start or stop
HASHED = re.compile(r"\.[0-9a-f]{12}\.")  # the manifest storage's file names: name.<hash>.ext


# --- scripts/copy_assets.py ----------------------------------------------------------------


def test_copied_assets_bring_every_file_they_reference(tmp_path):
    """What collectstatic's manifest storage follows (source maps, fonts) is copied too."""
    copy_assets.copy(tmp_path)
    assert (tmp_path / "chartjs" / "chart.umd.min.js.map").is_file()
    assert copy_assets.unresolved_references(tmp_path) == []


def test_a_reference_to_a_file_not_copied_is_reported(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "lib.min.js").write_text("var a=1;\n//# sourceMappingURL=lib.min.js.map\n")
    (tmp_path / "lib" / "lib.css").write_text(
        '.i{background:url("data:image/svg+xml,%3csvg%3e")}\n'
        '@font-face{src:url("fonts/i.woff2?v=1") format("woff2"),url(https://exemple.test/i.woff)}\n'
    )
    assert copy_assets.unresolved_references(tmp_path) == [
        "lib/lib.css -> fonts/i.woff2",
        "lib/lib.min.js -> lib.min.js.map",
    ]
    (tmp_path / "lib" / "fonts").mkdir()
    (tmp_path / "lib" / "fonts" / "i.woff2").write_bytes(b"")
    (tmp_path / "lib" / "lib.min.js.map").write_text("{}")
    assert copy_assets.unresolved_references(tmp_path) == []


# --- collectstatic + gunicorn ----------------------------------------------------------------


class _Ressources(html.parser.HTMLParser):
    """The URLs of ``<link href>``, ``<script src>`` and ``<img src>``, and the CSRF token."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.csrf: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf = attrs["value"]


def _analyser(page: str) -> _Ressources:
    parser = _Ressources()
    parser.feed(page)
    return parser


class Navigateur:
    """A cookie-keeping HTTP client that follows redirects and never raises on a status."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, url: str, **headers) -> tuple[int, str, bytes, dict]:
        return self._ouvrir(urllib.request.Request(urllib.parse.urljoin(self.base, url), headers=headers))

    def post(self, url: str, data: dict) -> tuple[int, str, bytes, dict]:
        body = urllib.parse.urlencode(data).encode()
        return self._ouvrir(urllib.request.Request(urllib.parse.urljoin(self.base, url), data=body))

    def _ouvrir(self, request) -> tuple[int, str, bytes, dict]:
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.url, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read(), dict(error.headers)


def _url_base_de_test() -> str:
    """DATABASE_URL of the test database pytest-django created (test_<name>)."""
    db = connection.settings_dict
    auth = urllib.parse.quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + urllib.parse.quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _environnement_production(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STATIC_", "WHITENOISE_"))}
    env.update(
        {
            "DEBUG": "0",
            "STATIC_MANIFEST": "1",
            "SECRET_KEY": "production-test-secret-key-not-used-anywhere-else-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SESSION_COOKIE_SECURE": "0",  # plain http on 127.0.0.1
            "VAR_DIR": str(var_dir),  # STATIC_ROOT is VAR_DIR/staticfiles
            "DATABASE_URL": _url_base_de_test(),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def _cas_visible_par_un_prescripteur(membre) -> tuple[str, int]:
    """A prescripteur of an agency in the Allier and the prestation of the LdC they issued."""
    aujourd_hui = timezone.localdate()
    agence = OrganisationFactory(agence_france_travail=True, nom="Agence de Moulins")
    agence.departements.set(Departement.objects.filter(code="03"))
    prescripteur = membre(Role.PRESCRIPTEUR, organisation=agence, email="presc.prod@exemple.test")
    # The suite hashes passwords with MD5 (tests/conftest.py); gunicorn runs the
    # production hashers, which do not know MD5.
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk=prescripteur.user_id).update(password=hasher.encode(MOT_DE_PASSE, hasher.salt()))
    marche = MarcheFactory(
        reference="MOV-PROD-03",
        date_debut=aujourd_hui - datetime.timedelta(days=30),
        date_fin=aujourd_hui + datetime.timedelta(days=400),
    )
    ldc = services.creer_lettre_de_commande(
        Acteur(prescripteur.user, prescripteur),
        beneficiaire=BeneficiaireFactory(organisation=agence, nom="Témoin-Production"),
        marche=marche,
        date_debut=aujourd_hui,
        accord_beneficiaire=True,
    )
    return prescripteur.user.email, ldc.prestation.pk


def _collectstatic(env: dict[str, str]) -> None:
    resultat = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "tests.support.collectstatic_settings"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resultat.returncode == 0, resultat.stderr[-3000:]


def _demarrer_gunicorn(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn on a port the system chooses (no race for a free port); returns its base URL."""
    with log.open("w") as sortie:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                "127.0.0.1:0",
                "--workers",
                "1",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=sortie,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    limite = time.monotonic() + ATTENTE
    while time.monotonic() < limite and process.poll() is None:
        ecoute = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log.read_text())
        if ecoute:
            base = ecoute.group(1)
            try:  # the worker is booted once a request gets an answer
                with urllib.request.urlopen(f"{base}/sante/", timeout=5):
                    return process, base
            except OSError:
                pass
        time.sleep(0.1)
    return process, ""


def _arreter(process: subprocess.Popen) -> int | None:
    """SIGTERM to gunicorn's process group (graceful stop), SIGKILL if it does not stop."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=ATTENTE)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=ATTENTE)
        return None


def _fichiers_statiques(navigateur: Navigateur, page_url: str, page: str) -> dict[str, int]:
    """Status of every static file the page references, and of the files its CSS references."""
    statuts: dict[str, int] = {}
    a_voir = [urllib.parse.urljoin(page_url, u) for u in _analyser(page).urls]
    a_voir = [u for u in a_voir if urllib.parse.urlsplit(u).path.startswith("/static/")]
    while a_voir:
        url = a_voir.pop()
        cle = urllib.parse.urlsplit(url)._replace(query="", fragment="").geturl()
        if cle in statuts:
            continue
        statut, _, contenu, _ = navigateur.get(url)
        statuts[cle] = statut
        if statut == 200 and cle.endswith(".css"):
            css = contenu.decode("utf-8", errors="replace")
            for match in re.finditer(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)""", css):
                if not match.group(1).startswith(("data:", "#")):
                    a_voir.append(urllib.parse.urljoin(url, match.group(1)))
    return statuts


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gunicorn_with_debug_off_serves_the_pages_and_their_static_files(membre, tmp_path):
    email, prestation_id = _cas_visible_par_un_prescripteur(membre)
    env = _environnement_production(tmp_path / "var")
    _collectstatic(env)
    assert (tmp_path / "var" / "staticfiles" / "staticfiles.json").is_file()

    log = tmp_path / "gunicorn.log"
    process, base = _demarrer_gunicorn(env, log)
    try:
        assert base, f"gunicorn did not answer within {ATTENTE} s:\n{log.read_text()[-3000:]}"
        navigateur = Navigateur(base)

        statut, _, contenu, _ = navigateur.get("/connexion/")
        pages = {"/connexion/": (statut, contenu.decode())}
        assert statut == 200, contenu.decode()[-2000:]
        csrf = _analyser(contenu.decode()).csrf
        assert csrf, "no CSRF token in the login form"
        statut, arrivee, contenu, _ = navigateur.post(
            "/connexion/", {"csrfmiddlewaretoken": csrf, "username": email, "password": MOT_DE_PASSE, "next": ""}
        )
        assert (statut, urllib.parse.urlsplit(arrivee).path) == (200, "/"), contenu.decode()[-2000:]

        for chemin in (f"/prestations/{prestation_id}/", "/api/docs/"):
            statut, _, contenu, _ = navigateur.get(chemin)
            pages[chemin] = (statut, contenu.decode())
        assert {chemin: statut for chemin, (statut, _) in pages.items()} == dict.fromkeys(pages, 200)
        assert "Témoin-Production" in pages[f"/prestations/{prestation_id}/"][1]
        statut, _, _, _ = navigateur.get("/api/schema/")  # what the Swagger UI loads
        assert statut == 200

        statiques = {}
        for chemin, (_, page) in pages.items():
            hotes = {urllib.parse.urlsplit(urllib.parse.urljoin(base, u)).netloc for u in _analyser(page).urls}
            assert hotes <= {urllib.parse.urlsplit(base).netloc}, f"{chemin} loads files from elsewhere (no CDN)"
            statuts = _fichiers_statiques(navigateur, urllib.parse.urljoin(base, chemin), page)
            assert statuts, f"{chemin} references no static file"
            assert {url: s for url, s in statuts.items() if s != 200} == {}, chemin
            # Served under their hashed names, from the manifest.
            non_hachees = [url for url in statuts if not HASHED.search(url.rsplit("/", 1)[-1])]
            assert non_hachees == [], chemin
            statiques[chemin] = statuts
        polices = [url for url in statiques["/connexion/"] if "/fonts/bootstrap-icons." in url]
        assert len(polices) == 2, statiques["/connexion/"]  # woff2 and woff, from the bootstrap-icons CSS

        # WhiteNoise serves the compressed variant collectstatic wrote.
        css = next(url for url in statiques["/connexion/"] if "/bootstrap.min." in url and url.endswith(".css"))
        _, _, _, entetes = navigateur.get(css, **{"Accept-Encoding": "gzip"})
        assert entetes.get("Content-Encoding") == "gzip"
    finally:
        returncode = _arreter(process)
    sortie = log.read_text()
    assert returncode is not None, f"gunicorn did not stop within {ATTENTE} s of SIGTERM"
    assert "Traceback" not in sortie, sortie[-3000:]
