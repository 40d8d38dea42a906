# The README's two commands: `make run` and `make test`. Everything else is plumbing.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test lint format setup services bench requirements clean-var

$(VENV)/.installed: requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json .npmrc
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.copied: node_modules/.installed scripts/copy_assets.py
	$(PY) scripts/copy_assets.py
	touch $@

setup: $(VENV)/.installed static/vendor/.copied

## Serve the application with demo data at http://127.0.0.1:8000 (web + worker + beat).
run: setup
	scripts/dev.sh

## Lint, then the whole test suite against PostgreSQL and Redis, browser tests included.
test: setup services
	scripts/test.sh lint
	scripts/test.sh

lint: setup
	scripts/test.sh lint

format: setup
	ruff format .
	ruff check --fix .

services:
	scripts/services.sh

## Render times of the documents and of their seal (bench/pdf.py), then one deadline sweep over
## 1,000,000 prestations (database prestations_bench, seeded once; `make bench BENCH_ARGS=--reseed`
## rebuilds it, `BENCH_ARGS=--profil` lists the costliest queries).
bench: setup services
	$(PY) bench/pdf.py
	$(PY) bench/sweep.py $(BENCH_ARGS)

requirements: $(VENV)/.installed
	$(VENV)/bin/pip-compile -q --no-emit-find-links --no-emit-index-url --no-emit-trusted-host --strip-extras -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile -q --no-emit-find-links --no-emit-index-url --no-emit-trusted-host --strip-extras -o requirements-dev.txt requirements-dev.in

## Stop the embedded PostgreSQL and delete var/ (a fresh development database next time).
clean-var:
	-$(PY) -m config.embedded_pg stop
	rm -rf var
