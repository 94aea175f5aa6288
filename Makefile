# The two commands: `make run` and `make test`. Both set up what they need (idempotently) first.
PY := .venv/bin/python

.PHONY: setup run test lint messages bench load lock cluster cluster-serve

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
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=static --ignore=staticfiles --ignore=build --ignore=var --ignore=test-artifacts --ignore=tests
	$(PY) manage.py compilemessages -l en --ignore=.venv

# Benchmarks: each prints its figures beside its anchor (see BENCHMARKS.md).
bench: setup
	$(PY) benchmarks/run.py

# Load test: people at their own pace (2.5–7.5 s pauses, autosaves), a ramp of crowd sizes against
# gunicorn + PostgreSQL + Redis on this machine until p95 > 300 ms; prints the capacity line (~10 min).
load: setup
	$(PY) benchmarks/load.py --ramp 100,150,200,250,300,350,400

# The production layout on this machine, without Docker: nginx → two gunicorn nodes, a render and a
# mail/default Celery worker, beat, PostgreSQL, Redis and moto's S3 server (benchmarks/cluster.py).
# First the proofs (tests/system/test_cluster.py), then a paced load run through the proxy with its figures.
cluster:
	@PORTAL_CLUSTER_TESTS=1 bash scripts/setup.sh
	PORTAL_CLUSTER_TESTS=1 $(PY) -m pytest -m cluster -rA -p no:cacheprovider tests/system/test_cluster.py
	$(PY) benchmarks/cluster.py $(CLUSTER_ARGS)

# The same cluster, kept up until Ctrl-C (addresses printed), to try by hand.
cluster-serve:
	@PORTAL_CLUSTER_TESTS=1 bash scripts/setup.sh
	$(PY) benchmarks/cluster.py --serve

# Regenerate requirements.lock after changing pyproject.toml (pins every package with its hashes).
lock:
	@test -x .venv/bin/uv || .venv/bin/python -m pip install -q uv
	.venv/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11\
		-o requirements.lock
