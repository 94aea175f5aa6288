"""Tasks go through a real Celery worker process: Redis in CI (REDIS_URL), otherwise the
embedded file-system broker that `make run` uses."""

import io
import os
import time

import pytest

from portal import jobs
from portal.models import JobStatus
from portal.tasks import ping
from tests.factories import UserFactory


@pytest.mark.worker
def test_round_trip_through_a_real_worker(live_worker):
    value = ping.delay("质量攻关").get(timeout=60)
    assert value["echo"] == "质量攻关"
    assert value["pid"] != os.getpid()  # it ran in the worker process, not here
    assert live_worker.poll() is None


@pytest.mark.worker
def test_a_job_runs_in_the_worker_against_the_shared_database(live_worker, client):
    from openpyxl import load_workbook

    from portal.models.users import Role
    from portal.services import audit

    user = UserFactory(full_name="测试员", role=Role.ADMINISTRATOR)
    audit.record(user, "organisation.update", user, note="由工作进程读取")
    job = jobs.start_job(user, "portal.audit_export", {})  # transactional_db: on_commit fires at once
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_done:
            break
        time.sleep(0.2)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.progress == 100
    client.force_login(user)
    response = client.get(f"/jobs/{job.pk}/download/")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("时间", "操作人", "操作")
    assert rows[1][1:3] == ("测试员", "organisation.update") and rows[1][7] == "由工作进程读取"
