"""`make run` smoke: the dev stack starts with no DATABASE_URL/REDIS_URL, says where it is in a
few lines, writes its e-mails to files, and stops cleanly on Ctrl-C (issue 13, point 13)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dev_stack_serves_the_login_page_and_stops_cleanly(tmp_path):
    var_dir = Path("/tmp") / f"prestations-smoke-{os.getpid()}"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}}
    env.update({"VAR_DIR": str(var_dir), "PORT": str(port)})
    log = (tmp_path / "stack.log").open("w+")
    stack = subprocess.Popen(
        ["scripts/dev.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        body, deadline = None, time.monotonic() + 120
        while time.monotonic() < deadline and stack.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert body is not None, f"login page never answered:\n{output[-3000:]}"
        assert "Connexion" in body and 'lang="fr"' in body
        # The worker is up: it sent the demo's notices, as files (never to the console),
        # their links pointing at the port served; beat is up: it keeps its schedule.
        emails = var_dir / "emails"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(emails.glob("*.eml")):
            time.sleep(0.5)
        premier = sorted(emails.glob("*.eml"))[0].read_text()
        assert f"http://127.0.0.1:{port}/" in premier
        assert list(var_dir.glob("celerybeat-schedule*"))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/dev/emails/", timeout=5) as response:
            assert "Nouvelle lettre de commande" in response.read().decode()
        assert (var_dir / "pgdata" / "PG_VERSION").exists()  # the embedded PostgreSQL
        log.seek(0)
        assert f"Application prête : http://127.0.0.1:{port}/" in log.read()
    finally:
        os.killpg(stack.pid, signal.SIGINT)  # Ctrl-C
        try:
            returncode = stack.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            returncode = None
        subprocess.run([sys.executable, "-m", "config.embedded_pg", "stop"], cwd=ROOT, env=env, timeout=30)
        log.seek(0)
        output = log.read()
        shutil.rmtree(var_dir, ignore_errors=True)
        log.close()
    assert returncode == 0, f"the stack did not stop cleanly within 30 s of Ctrl-C:\n{output[-3000:]}"
    # A calm console: a few lines, no e-mail (with a person's name) printed, a clean stop.
    assert len(output.strip().splitlines()) < 25, output
    assert "Content-Type" not in output and "Traceback" not in output
    assert output.rstrip().endswith("Application arrêtée.")
    leftover = subprocess.run(["pgrep", "-f", f"runserver 127.0.0.1:{port}"], capture_output=True)
    assert leftover.returncode == 1, "runserver still running after Ctrl-C"
