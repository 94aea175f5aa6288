# The two commands: `make run` and `make test`. Both set up what they need (idempotently) first.
PY := .venv/bin/python

.PHONY: setup run test lint messages bench load

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	.venv/bin/ruff check .

# Regenerate the English message file after changing user-visible strings (needs gettext).
messages: setup
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=static --ignore=staticfiles
	$(PY) manage.py compilemessages -l en --ignore=.venv

# Benchmarks: each prints its figures beside its anchor (see BENCHMARKS.md).
bench: setup
	$(PY) benchmarks/run.py

# Load test: 50 applicants + 5 experts for 60 s against gunicorn + PostgreSQL on this machine.
load: setup
	$(PY) benchmarks/load.py
