# make run  - create .venv if missing, install, migrate, serve on http://localhost:3978/api/messages
# make test - install the dev requirements and run the whole suite
# make test-fast - only the tests marked fast: no database, no server, no other process
# make playground - the bot and Microsoft 365 Agents Playground on a demo council (no Teams needed)
# make e2e  - the Playground driven in headless Chromium through a month of the audit cycle
# make fuzz - a long run of generated activities against the app (no 5xx, nothing stored from a refusal)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test test-fast lint migrate bench clean package playground e2e fuzz

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(PY) -m bot migrate
	$(PY) -m bot serve

migrate: $(VENV)/.runtime
	$(PY) -m bot migrate

test: $(VENV)/.dev tools/node_modules/.package-lock.json
	$(VENV)/bin/ruff check --no-cache .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/vulture
	$(PY) -m pytest

# tests/conftest.py marks `fast` every test that uses no database or server fixture and is not
# marked `process`; the card validators run here too, so the node tools are installed first.
test-fast: $(VENV)/.dev tools/node_modules/.package-lock.json
	$(PY) -m pytest -q -m fast

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check --no-cache .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/vulture

bench: $(VENV)/.dev
	$(PY) -m bench.turns
	$(PY) -m bench.outbox
	$(PY) -m bench.startup
	$(PY) -m bench.sweep
	$(PY) -m bench.budget
	$(PY) -m bench.reports
	$(PY) -m bench.broadcast
	$(PY) -m bench.supervision
	$(PY) -m bench.consent

# A longer run of the generated-activity fuzzing than make test's (QA_FUZZ_EXAMPLES, default 1,500).
fuzz: $(VENV)/.dev
	QA_FUZZ_EXAMPLES=$${QA_FUZZ_EXAMPLES:-20000} $(PY) -m pytest -q tests/test_hostile_input.py -k generated

# make package - build/teams-app.zip for upload to Teams (needs MicrosoftAppId); installs the node
# tools first, since Microsoft's manifest schema is checked by tools/validate-manifest.js.
package: $(VENV)/.runtime tools/node_modules/.package-lock.json
	$(PY) -m manifest.package

clean:
	rm -rf build var/*.sqlite3*

# Microsoft's Playground and validators (tools/package.json); npm ci writes .package-lock.json,
# so a changed package-lock.json installs again. Every target that runs them depends on this:
# package (manifest schema), test (manifest and card validators), playground, e2e.
tools/node_modules/.package-lock.json: tools/package.json tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund --loglevel=error

playground: $(VENV)/.runtime tools/node_modules/.package-lock.json
	$(PY) -m playground.run

# Needs Debian's chromium (/usr/bin/chromium); never downloads a browser. Screenshots: build/e2e/.
e2e: $(VENV)/.dev tools/node_modules/.package-lock.json
	$(PY) -m pytest -m e2e tests/e2e
