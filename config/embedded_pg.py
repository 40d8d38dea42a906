"""Embedded PostgreSQL for development, used only when DATABASE_URL is unset.

The ``pgserver`` package ships PostgreSQL binaries; the cluster lives under
``$VAR_DIR/pgdata`` and keeps running between runs (``cleanup_mode=None``), so
the second ``make run`` reuses it. ``python -m config.embedded_pg stop`` stops it.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    return Path(os.environ.get("VAR_DIR") or BASE_DIR / "var").resolve()


def pgdata() -> Path:
    return var_dir() / "pgdata"


def ensure_running() -> dict:
    """Start the embedded server if needed and return Django's connection settings."""
    import warnings

    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver

    var = var_dir()
    var.mkdir(parents=True, exist_ok=True)
    # Several processes (web, worker, beat) may start at once: one starts the server.
    with open(var / "pgserver.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        server = pgserver.get_server(pgdata(), cleanup_mode=None)
        info = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }


def stop() -> bool:
    pid_file = pgdata() / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().splitlines()[0])
    try:
        os.kill(pid, signal.SIGINT)  # fast shutdown; pg_ctl as root is refused
    except ProcessLookupError:
        return False
    for _ in range(100):
        if not pid_file.exists():
            break
        time.sleep(0.1)
    return True


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "start":
        print(ensure_running()["HOST"])
    elif command == "stop":
        print("stopped" if stop() else "not running")
    else:
        sys.exit("usage: python -m config.embedded_pg [start|stop]")
