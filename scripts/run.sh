#!/usr/bin/env bash
# `make run`: prepare the database and demo data, then serve on 127.0.0.1:8000 with a Celery
# worker beside it (embedded file-system broker unless REDIS_URL is set) that consumes every queue
# (default, mail, render) and runs the beat's schedule (-B: reminders, sweeper, clean-up).
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# The demo is served as people will see the portal: DEBUG off, so errors show the portal's own
# Chinese 404/500 pages, never Django's debug page; static files come through WhiteNoise straight
# from the source folders (WHITENOISE_USE_FINDERS), so no collectstatic step is needed.
export DEBUG="${DEBUG:-false}"
$PY manage.py migrate --noinput -v0
$PY manage.py load_reference
$PY manage.py seed_demo

.venv/bin/celery -A portal worker -Q default,mail,render -B --loglevel=warning --concurrency=2 &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM

echo
echo "  门户地址 Portal:  http://127.0.0.1:8000/   (demo password: demo2026, accounts listed above)"
echo "  管理后台 Admin:   http://127.0.0.1:8000/admin/   (admin / demo2026)"
echo
$PY manage.py runserver 127.0.0.1:8000
