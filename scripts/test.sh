#!/usr/bin/env bash
# `scripts/test.sh lint` runs the linters; `scripts/test.sh [pytest args]` runs the suite.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/prestations}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"
export SECRET_KEY="${SECRET_KEY:-tests-only-secret-key}"
export STATIC_MANIFEST=0
export DJANGO_ALLOW_ASYNC_UNSAFE=true
export PYTHONDONTWRITEBYTECODE=1

if [ "${1:-}" = "lint" ]; then
  set -e
  ruff format --check .
  ruff check .
  lint-imports --no-cache
  python manage.py makemigrations --check --dry-run
  exit 0
fi

mkdir -p test-artifacts
python -m pytest "$@"
rc=$?
if [ "$rc" = 5 ]; then
  # pytest's "no tests were collected": a test run that tests nothing is a failure here.
  echo "pytest collected no tests: failing the run." >&2
  exit 1
fi
exit "$rc"
