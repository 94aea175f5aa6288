"""Readiness: may this node take traffic? ``/readyz/`` answers 200 when the database, the cache,
the Celery broker, the file storage and (READYZ_REQUIRE_WORKER) a Celery worker all answer, 503
otherwise, with each check's result as JSON. ``/healthz/`` (dashboards.healthz) stays the
liveness check: it touches nothing, so a database outage does not get every node restarted.

Only the failing part's exception class is shown; the message, which may name internal hosts,
goes to the log with the request id.
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from portal.celery import app as celery_app

log = logging.getLogger(__name__)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return what was stored")
    finally:
        cache.delete(key)


def check_broker(app=None):
    app = app or celery_app
    with app.connection_for_write(connect_timeout=settings.READYZ_TIMEOUT) as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.READYZ_TIMEOUT)


def check_storage():
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ready"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"ready":
                raise RuntimeError("the storage did not return what was written")
    finally:
        default_storage.delete(name)


def check_worker(app=None) -> dict:
    replies = (app or celery_app).control.ping(timeout=settings.READYZ_TIMEOUT)
    if not replies:
        raise RuntimeError("no Celery worker answered")
    return {"workers": len(replies)}


def checks() -> dict:
    found = {"database": check_database, "cache": check_cache, "broker": check_broker, "storage": check_storage}
    if settings.READYZ_REQUIRE_WORKER:
        found["worker"] = check_worker
    return found


@never_cache
def readyz(request):
    results = {}
    for name, check in checks().items():
        started = time.monotonic()
        try:
            detail = check() or {}
        except Exception as error:  # a readiness probe reports every failure, never raises
            log.warning("readyz: %s failed: %s: %s", name, error.__class__.__name__, error)
            results[name] = {"ok": False, "error": error.__class__.__name__}
        else:
            results[name] = {"ok": True, **detail}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    ready = all(result["ok"] for result in results.values())
    body = {"status": "ready" if ready else "unavailable", "checks": results}
    return JsonResponse(body, status=200 if ready else 503)
