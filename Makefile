# make run  - create .venv if missing, install, migrate, serve on http://localhost:3978/api/messages
# make test - install the dev requirements and run the whole suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint migrate bench clean package

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

test: $(VENV)/.dev
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

bench: $(VENV)/.dev
	$(PY) -m bench.turns
	$(PY) -m bench.outbox
	$(PY) -m bench.startup

# make package - build/teams-app.zip for upload to Teams (needs MicrosoftAppId; npm ci --prefix tools once)
package: $(VENV)/.runtime
	$(PY) -m manifest.package

clean:
	rm -rf build var/*.sqlite3*
