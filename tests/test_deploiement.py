"""docker-compose.yml describes the production-like stack (Docker cannot run here: parse it)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_has_the_five_services_with_their_commands():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    command = {
        name: " ".join(s["command"]) if isinstance(s.get("command"), list) else s.get("command", "")
        for name, s in services.items()
    }
    assert "gunicorn" in command["web"] and "config.wsgi" in command["web"]
    assert "celery" in command["worker"] and "worker" in command["worker"]
    assert "celery" in command["beat"] and "beat" in command["beat"]
    for name in ("web", "worker", "beat"):
        assert services[name]["build"]["context"] == "."
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "postgres", "redis"):
        assert "test" in services[name]["healthcheck"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert {"postgres-data", "media"} <= set(compose["volumes"])


def test_dockerfile_runs_gunicorn_on_the_project():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert "npm ci" in dockerfile


def test_docker_build_copies_the_assets_before_collectstatic_from_a_clean_context():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.index("npm ci") < dockerfile.index("scripts/copy_assets.py") < dockerfile.index("collectstatic")
    # The local virtualenv and npm folder, var/ (the embedded development database, the
    # dev run's files) and secrets stay out of the image.
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", "node_modules", "var", "static/vendor", ".env"} <= ignored
    assert not ignored & {"package.json", "package-lock.json", ".npmrc", "requirements.txt"}
