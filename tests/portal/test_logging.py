"""Structured logs: one JSON object a line (LOG_FORMAT=json, production's default) or plain text,
each with time, level, logger, message and the request id, which the Celery tasks a request
queues carry into the worker's lines."""

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

from portal import request_context

ROOT = Path(__file__).resolve().parents[2]
# A request whose readiness check fails: the view logs a warning, Django logs the 503.
REQUEST = (
    "import django; django.setup(); from django.test import Client; "
    "r = Client().get('/readyz/', HTTP_X_REQUEST_ID='req-abc123'); print('STATUS', r.status_code, r['X-Request-ID'])"
)


def run_request(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "DATABASE_URL", "REDIS_URL"}}
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    clean.update(env, DJANGO_SETTINGS_MODULE="portal.settings", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                 MEDIA_ROOT=str(blocker), PORTAL_VAR_DIR=str(tmp_path / "var"))
    out = subprocess.run([sys.executable, "-c", REQUEST], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert "STATUS 503 req-abc123" in out.stdout, out.stdout + out.stderr
    return out.stderr.splitlines()


def test_json_lines_carry_time_level_logger_message_and_request_id(tmp_path):
    lines = [json.loads(line) for line in run_request(tmp_path, LOG_FORMAT="json") if line.startswith("{")]
    by_logger = {line["logger"]: line for line in lines}
    warning = by_logger["portal.views.health"]
    assert warning["level"] == "WARNING"
    assert warning["message"].startswith("readyz: storage failed")
    assert warning["request_id"] == "req-abc123"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", warning["timestamp"])
    # Django writes the 503 line after the middleware has finished: it still names the request.
    served = by_logger["django.request"]
    assert served["level"] == "ERROR" and served["request_id"] == "req-abc123"
    assert "Service Unavailable: /readyz/" in served["message"]


def test_text_lines_in_development(tmp_path):
    lines = run_request(tmp_path)
    pattern = (r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ WARNING portal\.views\.health \[req-abc123\] "
               r"readyz: storage failed.*")
    assert any(re.fullmatch(pattern, line) for line in lines), lines
    # Once, in our format (Django's own DEBUG console handler would print it a second time, bare).
    served = [line for line in lines if "Service Unavailable: /readyz/" in line]
    assert len(served) == 1 and "[req-abc123]" in served[0], lines


def test_a_request_id_from_the_proxy_is_kept_only_when_it_is_plain(client):
    assert client.get("/healthz/", HTTP_X_REQUEST_ID="edge-42.a_b")["X-Request-ID"] == "edge-42.a_b"
    assigned = client.get("/healthz/", HTTP_X_REQUEST_ID="\r\n")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", assigned)


def test_a_task_queued_during_a_request_carries_its_id_in_the_message(tmp_path):
    """A real publish onto a file-system broker of our own; the message file is what a worker reads."""
    queue = tmp_path / "queue"
    queue.mkdir()
    (tmp_path / "control").mkdir()
    options = {"data_folder_in": str(queue), "data_folder_out": str(queue), "control_folder": str(tmp_path / "control")}
    broker = Celery("publisher", broker="filesystem://", broker_transport_options=options)
    token = request_context.set("req-publish-7")
    try:
        broker.send_task("portal.tasks.ping", args=["x"])
    finally:
        request_context.reset(token)
    broker.send_task("portal.tasks.ping", args=["y"])  # outside any request: no id to carry
    messages = [json.loads(path.read_text()) for path in sorted(queue.iterdir(), key=lambda p: p.stat().st_mtime)]
    assert [m["headers"].get(request_context.HEADER) for m in messages] == ["req-publish-7", None]


@pytest.fixture
def json_worker_logs(monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")


@pytest.mark.worker
def test_the_worker_logs_with_the_id_of_the_request_that_queued_the_task(json_worker_logs, live_worker, tmp_path):
    from portal.jobs import run_job

    token = request_context.set("req-worker-9")
    try:
        result = run_job.delay(str(uuid.uuid4()))  # no such job: the task fails and the worker says so
    finally:
        request_context.reset(token)
    with pytest.raises(Exception):  # noqa: B017  (Job.DoesNotExist, rebuilt from the result)
        result.get(timeout=60)
    deadline = time.monotonic() + 20
    while True:
        lines = [json.loads(line) for line in (tmp_path / "worker.log").read_text().splitlines()
                 if line.startswith("{")]
        failed = [line for line in lines if line["level"] == "ERROR" and result.id in line["message"]]
        if failed or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert failed, lines
    assert failed[0]["request_id"] == "req-worker-9"
