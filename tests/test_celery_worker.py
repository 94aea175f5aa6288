"""A task goes through a real Celery worker process: Redis in CI (REDIS_URL), otherwise the
embedded file-system broker that `make run` uses."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.celery import app
from portal.tasks import ping

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def real_worker():
    app.conf.task_always_eager = False
    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.worker
def test_round_trip_through_a_real_worker(real_worker):
    started = time.monotonic()
    result = ping.delay("质量攻关")
    value = result.get(timeout=60)
    assert value["echo"] == "质量攻关"
    assert value["pid"] != os.getpid()  # it ran in the worker process, not here
    assert real_worker.poll() is None
    assert time.monotonic() - started < 60
