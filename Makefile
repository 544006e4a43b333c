# Anyam: `make run` serves the demo course, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install install-test translations bench lint lint-imports check-lock lock lock-upgrade clean help map-data

help:
	@echo "make run    install, migrate, load the demo course, serve on http://$(HOST):$(PORT) and run the worker"
	@echo "make test   install and run the whole test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)"
	@echo "make bench  print one table of every benchmark (BENCH_ARGS=--quick: the short run)"
	@echo "make lint   ruff and the import contracts (lint-imports)"
	@echo "make lock   re-compile requirements*.lock from setup.cfg (after adding a dependency)"
	@echo "make lock-upgrade   the same, upgrading every pin within setup.cfg's ranges"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# System libraries (Pango, HarfBuzz subsetting, Noto fonts); skipped when present.
$(VENV)/.system: scripts/install-system-deps.sh | $(BIN)/python
	bash scripts/install-system-deps.sh
	@touch $@

$(VENV)/.system-test: scripts/install-system-deps.sh | $(BIN)/python
	bash scripts/install-system-deps.sh --test
	@touch $@ $(VENV)/.system

# Exact versions (with hashes) from the lock files; the project itself without dependencies.
# Re-installs when a lock file changes.
$(VENV)/.installed: requirements.lock setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	@touch $@

$(VENV)/.installed-test: requirements-test.lock setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements-test.lock
	$(BIN)/pip install -q --no-deps -e .
	@touch $@ $(VENV)/.installed

# The hubs' world map: world-atlas (Natural Earth) pinned by package-lock.json, copied into the package.
map-data:
	npm ci --no-audit --no-fund --ignore-scripts
	cp node_modules/world-atlas/countries-110m.json trainings/organisations/data/
	cp node_modules/world-atlas/LICENSE trainings/organisations/data/world-atlas-LICENSE
	cp node_modules/jsqr/dist/jsQR.js node_modules/jsqr/LICENSE trainings/static/vendor/jsqr/

# Lock files: compiled by pip-tools from setup.cfg (runtime + postgres + jobs; and + test).
# pip-compile keeps the existing pins and adds what is new; lock-upgrade moves every pin.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --strip-extras \
	--generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links

$(BIN)/pip-compile: | $(BIN)/python
	$(BIN)/pip install -q "pip-tools>=7.4,<8"

lock: | $(BIN)/pip-compile
	$(PIP_COMPILE) $(LOCK_FLAGS) --extra postgres --extra jobs -o requirements.lock setup.cfg
	$(PIP_COMPILE) $(LOCK_FLAGS) --extra test --extra postgres --extra jobs -o requirements-test.lock setup.cfg
	$(BIN)/python scripts/check_lock.py

lock-upgrade: LOCK_FLAGS = --upgrade
lock-upgrade: lock

# Fails when setup.cfg declares a dependency the lock files lack (then: make lock).
check-lock: | $(BIN)/python
	@$(BIN)/python -c "import packaging" 2>/dev/null || $(BIN)/pip install -q packaging
	$(BIN)/python scripts/check_lock.py

translations: | $(BIN)/python
	$(BIN)/python scripts/i18n.py compile

install: $(VENV)/.system $(VENV)/.installed translations

# Node packages (package.json): the independent credential verifier of the tests (tests/node)
# and the map data; installed for the tests when missing or when the lock changed.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts

install-test: $(VENV)/.system-test $(VENV)/.installed-test translations node_modules/.package-lock.json

# A real secret key, generated once into the instance folder (git-ignored).
instance/config.py: | $(BIN)/python
	@mkdir -p instance
	@$(BIN)/python -c "import secrets; print('SECRET_KEY = %r' % secrets.token_hex(32))" > $@
	@echo "Wrote a new SECRET_KEY to $@"

run: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Serving Anyam on http://$(HOST):$(PORT) with a worker beside it (Ctrl-C stops both)"
	@FLASK="$(FLASK)" bash scripts/run.sh $(HOST) $(PORT)

test: install-test check-lock lint-imports
	$(BIN)/python scripts/i18n.py check
	$(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== Again on PostgreSQL ($$TEST_DATABASE_URL, a fresh database) =="; \
	  ANYAM_TEST_BACKEND=postgres $(BIN)/python -m pytest -m "not e2e"; \
	fi

# One table of every benchmark (medians of interleaved runs, CPU, load); BENCH_ARGS=--quick
# for a loaded machine (certificates N=30,300, load runs of 5 s).
bench: install
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

lint: install-test lint-imports
	$(BIN)/ruff check trainings tests benchmarks scripts

# The import contracts in setup.cfg ([importlinter]): areas one way, leaves import no area.
lint-imports: install-test
	$(BIN)/lint-imports --no-logo

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
