# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
BIND ?= 127.0.0.1:8000

.PHONY: run test install messages lint serve clean

$(VENV)/installed: requirements.txt requirements-data.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	# The official units' dataset: its data files only, not its parser's dependencies.
	$(PY) -m pip install --quiet --no-deps -r requirements-data.txt
	touch $@

install: $(VENV)/installed

messages: install
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v0

# Local demo: DEBUG on (plain http), SQLite unless DATABASE_URL says otherwise.
run: export DEBUG ?= true
run: messages
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py collectstatic --no-input -v0
	$(PY) manage.py seed_demo
	$(VENV)/bin/gunicorn deployment.wsgi --bind $(BIND) --workers 2 --timeout 120 --access-logfile -

test: messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .test-media
