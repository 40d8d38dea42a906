"""Settings read the environment through typed helpers that fail loudly at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "REDIS_URL"}}
    base.update({"SECRET_KEY": "x", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/prestations"})
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("url", "attendu"),
    [
        ("mysql://root@127.0.0.1/prestations", "DATABASE_URL has scheme 'mysql'"),
        ("postgres://", "DATABASE_URL has no host"),
        ("postgres://postgres@127.0.0.1:cinq/prestations", "DATABASE_URL has an invalid port"),
    ],
)
def test_bad_database_url_fails_at_start_up(url, attendu):
    result = _check(DATABASE_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert attendu in result.stderr


def test_debug_maybe_fails_at_start_up():
    result = _check(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_missing_secret_key_outside_debug_fails():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/prestations", "DEBUG": "0"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_good_settings_pass_the_check():
    result = _check(DEBUG="true", REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.returncode == 0, result.stderr
