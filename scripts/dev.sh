#!/usr/bin/env bash
# Development stack: embedded PostgreSQL (unless DATABASE_URL), migrations, demo data,
# then the web server and a Celery worker with beat (scripts/dev.py); Ctrl-C stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export DEBUG="${DEBUG:-1}"
export PORT="${PORT:-8000}"
# Links in notices and e-mails point at the address served here.
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"
export PYTHONUNBUFFERED=1

echo "Préparation de la base de données et des données de démonstration…"
python manage.py migrate --noinput -v 0
python manage.py sceau -v 0
python manage.py demo -v 0
exec python scripts/dev.py
