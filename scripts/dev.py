"""The development stack of `make run`, after scripts/dev.sh has migrated and loaded the demo.

Two processes: Django's development server, and one Celery worker that also runs beat
(``--beat``, solo pool: one process, so Ctrl-C stops it at once). Their own output is
kept to what matters: the server's requests and errors, the worker's warnings. Once the
server answers, one line says where the application is.

Ctrl-C reaches every process of the terminal's group: this script waits for both to stop
(then a SIGTERM to a late one, then a SIGKILL) and exits with status 0.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

ARRET_MAX_SECONDES = 5  # for each of the two steps: Ctrl-C alone, then SIGTERM


def demarrer(port: str) -> list[subprocess.Popen]:
    env = {**os.environ, "DJANGO_RUNSERVER_HIDE_WARNING": "true"}
    # Celery warns when the worker runs as root (containers, this sandbox): not news in development.
    env["PYTHONWARNINGS"] = "ignore:You're running the worker with superuser privileges"
    return [
        subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--skip-checks"], env=env),
        subprocess.Popen(
            ["celery", "-A", "config", "--quiet", "worker", "--beat", "--pool=solo", "--loglevel=WARNING"], env=env
        ),
    ]


def attendre_le_serveur(port: str, processus: list[subprocess.Popen]) -> bool:
    """True once the port accepts a connection; False if a process died first."""
    while all(p.poll() is None for p in processus):
        try:
            with socket.create_connection(("127.0.0.1", int(port)), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def attendre(processus: list[subprocess.Popen], secondes: float) -> list[subprocess.Popen]:
    """The processes still running after waiting up to ``secondes`` for all of them."""
    limite = time.monotonic() + secondes
    while time.monotonic() < limite and any(p.poll() is None for p in processus):
        time.sleep(0.1)
    return [p for p in processus if p.poll() is None]


def arreter(processus: list[subprocess.Popen]) -> None:
    """Each process had the terminal's Ctrl-C: let it stop; SIGTERM if it has not (this
    script alone was interrupted, or a process died), then SIGKILL."""
    restants = attendre(processus, ARRET_MAX_SECONDES)
    for p in restants:
        p.terminate()
    for p in attendre(restants, ARRET_MAX_SECONDES):
        p.kill()
        p.wait()


def main() -> int:
    port = os.environ.get("PORT", "8000")
    # Ctrl-C must reach this script and its children even when started from a process that
    # ignores SIGINT (a background job, a test run): a handler here, and the children
    # start with the default one.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    processus = demarrer(port)
    try:
        if attendre_le_serveur(port, processus):
            print(f"Application prête : http://127.0.0.1:{port}/ — comptes : voir README ; courriels : /dev/emails/")
            print("Ctrl-C pour arrêter.", flush=True)
        while all(p.poll() is None for p in processus):
            time.sleep(0.5)
        print("Un processus s'est arrêté : arrêt de l'application.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        arreter(processus)
        print("Application arrêtée.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
