"""`make run` smoke: the dev stack starts with no DATABASE_URL/REDIS_URL and stops on Ctrl-C."""

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
        # The three processes of the Procfile are up.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            log.seek(0)
            output = log.read()
            if "celery@" in output and "beat: Starting" in output:
                break
            time.sleep(0.5)
        assert "celery@" in output, output[-3000:]
        assert "beat: Starting" in output, output[-3000:]
        assert (var_dir / "pgdata" / "PG_VERSION").exists()  # the embedded PostgreSQL
    finally:
        os.killpg(stack.pid, signal.SIGINT)  # Ctrl-C
        try:
            returncode = stack.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            returncode = None
        subprocess.run([sys.executable, "-m", "config.embedded_pg", "stop"], cwd=ROOT, env=env, timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)
        log.close()
    assert returncode is not None, "the stack did not stop within 30 s of Ctrl-C"
    leftover = subprocess.run(["pgrep", "-f", f"runserver 127.0.0.1:{port}"], capture_output=True)
    assert leftover.returncode == 1, "runserver still running after Ctrl-C"
