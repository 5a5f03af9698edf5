# Shortflow: one command per job. `make help` lists them.
# Everything runs from a virtualenv in .venv that the first command creates.

PYTHON ?= python3
HOST   ?= 127.0.0.1
PORT   ?= 8000
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
CHECKOV_VENV  := tools/checkov/.venv
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test tools deploy-check lint format schema bench clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP) ## Create .venv and install Shortflow with its development tools

run: $(STAMP) ## Run the service with demo data on HOST:PORT (default 127.0.0.1:8000; embedded Postgres + Redis when DATABASE_URL/REDIS_URL are unset)
	$(BIN)/shortflow demo --if-empty
	$(BIN)/shortflow serve --host $(HOST) --port $(PORT)

test: $(STAMP) tools ## Run the whole test suite (real Postgres and Redis: yours via DATABASE_URL/REDIS_URL, else embedded)
	$(BIN)/python -m pytest

# Tools some tests drive: Debian's chromium (GraphiQL in a browser) and wrk (benchmarks). Installed
# with apt when missing and we may (root); otherwise those tests skip and say why. Checkov (the
# manifest linter of tests/deploy) gets a virtualenv of its own: tools/checkov/requirements.txt.
tools: $(CHECKOV_STAMP)
	@for pkg in chromium wrk; do \
	  command -v $$pkg >/dev/null 2>&1 && continue; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $$pkg (apt)"; DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$pkg >/dev/null \
	      || (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$pkg >/dev/null) \
	      || echo "could not install $$pkg: the tests needing it will skip"; \
	  else echo "$$pkg is not installed: the tests needing it will skip"; fi; \
	done

$(CHECKOV_STAMP): tools/checkov/requirements.txt
	@echo "installing checkov into $(CHECKOV_VENV) (tools/checkov/requirements.txt)"
	@if { test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV); } \
	    && $(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	         -r tools/checkov/requirements.txt; \
	  then touch $@; else echo "could not install checkov: the checkov tests will skip"; fi

.PHONY: deploy-check
deploy-check: $(STAMP) tools ## Validate deploy/ offline: schemas, compose config, checkov, hadolint, graceful shutdown
	$(BIN)/python -m pytest -q tests/deploy

lint: $(STAMP) ## ruff check, ruff format --check, mypy --strict on service/
	$(BIN)/ruff check service tests bench
	$(BIN)/ruff format --check service tests bench
	$(BIN)/mypy

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix service tests bench
	$(BIN)/ruff format service tests bench

schema: $(STAMP) ## Export schema/schema.graphql and schema/openapi.json from the code
	$(BIN)/shortflow export-schema

bench: $(STAMP) tools ## Run the benchmarks (ingest, GraphQL, HTTP cache, PostGraphile, stored points, the pooled read, web app render); each prints what it measured
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.graphql
	$(BIN)/python -m bench.analytics
	$(BIN)/python -m bench.http
	$(BIN)/python -m bench.peers
	$(BIN)/python -m bench.points
	$(BIN)/python -m bench.pool
	$(BIN)/python -m bench.webapp

clean: ## Remove the virtualenv and caches (not the embedded data in .shortflow/)
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build *.egg-info
