"""/readyz/: 200 when the database, cache, broker, storage (and a worker, when required) answer;
503 with the failing part named otherwise. /healthz/ stays the liveness check."""

import time
from pathlib import Path

import pytest
from celery import Celery

from portal.views import health

pytest_plugins = ["tests.s3server"]  # fixtures: moto_endpoint, s3 (a boto3 client), s3_bucket


@pytest.mark.django_db
def test_ready_when_every_part_answers(client, settings):
    settings.READYZ_REQUIRE_WORKER = False  # development: the worker is optional
    response = client.get("/readyz/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "cache", "broker", "storage"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")
    # The probe cleans up after itself.
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.txt"))


@pytest.mark.django_db
def test_a_storage_that_cannot_be_written_answers_503_naming_it(client, settings, tmp_path):
    settings.READYZ_REQUIRE_WORKER = False
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker
    response = client.get("/readyz/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["storage"]["error"]  # the exception's class; its message stays in the log
    assert str(blocker) not in response.content.decode()
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]


def test_the_worker_check_fails_when_no_worker_answers(tmp_path, settings):
    settings.READYZ_TIMEOUT = 0.5
    folders = {key: str(tmp_path / key) for key in ("data_folder_in", "data_folder_out", "control_folder")}
    for folder in folders.values():
        Path(folder).mkdir()
    folders["data_folder_out"] = folders["data_folder_in"]
    lonely = Celery("lonely", broker="filesystem://", broker_transport_options=folders)
    with pytest.raises(RuntimeError, match="no Celery worker"):
        health.check_worker(lonely)


def test_the_broker_check_fails_when_the_broker_is_down(settings):
    settings.READYZ_TIMEOUT = 0.5
    down = Celery("down", broker="redis://127.0.0.1:1/0")
    started = time.monotonic()
    with pytest.raises(Exception):  # noqa: B017  (kombu's OperationalError or the socket's)
        health.check_broker(down)
    assert time.monotonic() - started < 10


@pytest.mark.worker
def test_ready_with_a_worker_answering_its_ping(live_worker, client, settings):
    settings.READYZ_REQUIRE_WORKER = True
    deadline = time.monotonic() + 60
    while True:  # the worker process takes a few seconds to start
        response = client.get("/readyz/")
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["worker"]["workers"] >= 1


@pytest.mark.django_db
def test_the_storage_check_writes_reads_and_deletes_in_the_bucket(client, settings, s3, s3_bucket):
    settings.READYZ_REQUIRE_WORKER = False
    response = client.get("/readyz/")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["storage"]["ok"] is True
    assert s3.list_objects_v2(Bucket=s3_bucket).get("KeyCount") == 0


def test_healthz_stays_the_liveness_check(client):
    assert client.get("/healthz/").content == b"ok"


PRODUCTION_PROBE = (
    "import django; django.setup(); from django.test import Client; c = Client(); "
    "print('READYZ', c.get('/readyz/').status_code, 'HEALTHZ', c.get('/healthz/').status_code, "
    "'HOME', c.get('/').status_code)"
)


def test_in_production_probes_answer_over_plain_http_while_pages_redirect_to_https(tmp_path):
    """The proxy and the orchestrator probe the node over HTTP; SECURE_SSL_REDIRECT spares them."""
    import os
    import subprocess
    import sys

    import redis

    url = "redis://127.0.0.1:6379/12"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no Redis on 127.0.0.1:6379 (CI has one)")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings.production", SECRET_KEY="s" * 60,
               ALLOWED_HOSTS="testserver", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL=url,
               MEDIA_ROOT=str(tmp_path / "media"), PORTAL_VAR_DIR=str(tmp_path / "var"),
               READYZ_REQUIRE_WORKER="false")
    env.pop("CACHE_REDIS_URL", None)
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", PRODUCTION_PROBE], cwd=root, env=env, capture_output=True, text=True)
    assert "READYZ 200 HEALTHZ 200 HOME 301" in out.stdout, out.stdout + out.stderr
