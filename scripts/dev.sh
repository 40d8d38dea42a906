#!/usr/bin/env bash
# Development stack: embedded PostgreSQL (unless DATABASE_URL), migrations, demo data,
# then web + Celery worker + beat under honcho; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export DEBUG="${DEBUG:-1}"
export PORT="${PORT:-8000}"
export PYTHONUNBUFFERED=1

python manage.py migrate --noinput
python manage.py sceau
python manage.py demo
echo "Application : http://127.0.0.1:${PORT}/  (comptes de démonstration : voir README)"
exec honcho --no-prefix -f Procfile start
