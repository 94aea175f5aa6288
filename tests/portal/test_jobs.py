"""Background jobs: progress, result, failure with retry, and who may see them."""

import pytest
from django.urls import reverse

from portal import jobs
from portal.models import Job, JobStatus
from tests.factories import UserFactory

CALLS = {"n": 0}


@jobs.register("tests.flaky", "测试")
def _flaky(job, progress):
    CALLS["n"] += 1
    if job.params.get("fail") and CALLS["n"] == 1:
        raise ValueError("第一次失败")
    progress(60, "writing")
    return "result.txt", b"ok"


@pytest.fixture(autouse=True)
def _reset():
    CALLS["n"] = 0


@pytest.mark.django_db
def test_job_runs_and_its_result_is_downloadable_by_its_requester_only(client, django_capture_on_commit_callbacks):
    owner, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(owner, "tests.flaky", {})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result_name == "result.txt"
    client.force_login(other)
    assert client.get(reverse("job_status", args=[job.pk])).status_code == 404
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
    client.force_login(owner)
    assert b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content) == b"ok"


@pytest.mark.django_db
def test_failure_is_shown_with_a_retry_button_and_retry_succeeds(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    with pytest.raises(ValueError), django_capture_on_commit_callbacks(execute=True):
        jobs.start_job(owner, "tests.flaky", {"fail": True})
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and "第一次失败" in job.error
    client.force_login(owner)
    page = client.get(reverse("job_status", args=[job.pk])).content.decode()
    assert "第一次失败" in page and reverse("job_retry", args=[job.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2


@pytest.mark.django_db
def test_running_a_finished_job_again_does_nothing():
    owner = UserFactory()
    job = Job.objects.create(kind="tests.flaky", requested_by=owner)
    jobs.execute(str(job.pk))
    jobs.execute(str(job.pk))
    assert CALLS["n"] == 1


@pytest.mark.django_db
def test_htmx_poll_returns_the_fragment_until_done(client):
    owner = UserFactory()
    job = Job.objects.create(kind="tests.flaky", requested_by=owner, progress=40)
    client.force_login(owner)
    fragment = client.get(reverse("job_status", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment


# --- stalled jobs (issue 11): a worker killed mid-render never reports again -------------------------


@pytest.mark.django_db
def test_progress_records_a_heartbeat():
    owner = UserFactory()
    job = Job.objects.create(kind="tests.flaky", requested_by=owner)
    assert job.heartbeat_at is None
    jobs.execute(str(job.pk))
    job.refresh_from_db()
    assert job.heartbeat_at is not None and job.heartbeat_at >= job.created_at


@pytest.mark.django_db
def test_a_job_without_progress_for_the_set_time_fails_with_its_retry_button(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.JOB_STALL_SECONDS = 600
    owner = UserFactory()
    now = timezone.now()
    stuck = Job.objects.create(kind="tests.flaky", requested_by=owner, status=JobStatus.RUNNING, progress=60,
                               heartbeat_at=now - timedelta(seconds=601))
    queued = Job.objects.create(kind="tests.flaky", requested_by=owner, status=JobStatus.QUEUED,
                                heartbeat_at=now - timedelta(hours=2))
    lively = Job.objects.create(kind="tests.flaky", requested_by=owner, status=JobStatus.RUNNING, progress=30,
                                heartbeat_at=now - timedelta(seconds=599))
    done = Job.objects.create(kind="tests.flaky", requested_by=owner, status=JobStatus.SUCCEEDED,
                              heartbeat_at=now - timedelta(days=1))
    assert jobs.sweep_stuck_jobs(now=now) == 2
    for job, status in ((stuck, JobStatus.FAILED), (queued, JobStatus.FAILED), (lively, JobStatus.RUNNING),
                        (done, JobStatus.SUCCEEDED)):
        job.refresh_from_db()
        assert job.status == status, job
    assert "长时间没有进展" in stuck.error and stuck.finished_at == now
    client.force_login(owner)
    page = client.get(reverse("job_status", args=[stuck.pk])).content.decode()
    assert "长时间没有进展" in page and reverse("job_retry", args=[stuck.pk]) in page and "60%" not in page
    assert jobs.sweep_stuck_jobs(now=now) == 0  # nothing left to fail


@pytest.mark.django_db
def test_the_default_stall_time_is_fifteen_minutes_and_old_rows_fall_back_to_their_creation(settings):
    from datetime import timedelta

    from django.utils import timezone

    if hasattr(settings, "JOB_STALL_SECONDS"):
        del settings.JOB_STALL_SECONDS
    owner = UserFactory()
    job = Job.objects.create(kind="tests.flaky", requested_by=owner, status=JobStatus.RUNNING)  # no heartbeat yet
    assert jobs.sweep_stuck_jobs(now=timezone.now() + timedelta(minutes=14)) == 0
    assert jobs.sweep_stuck_jobs(now=timezone.now() + timedelta(minutes=16)) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


@pytest.mark.django_db
def test_a_swept_job_can_be_retried_and_a_late_worker_still_finishes_it(client, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    owner = UserFactory()
    slow, dead = (Job.objects.create(kind="tests.flaky", requested_by=owner, status=JobStatus.RUNNING,
                                     heartbeat_at=timezone.now() - timedelta(hours=1)) for _ in range(2))
    assert jobs.sweep_stuck_jobs() == 2
    jobs.execute(str(slow.pk))  # the worker was only slow: its result still counts
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("job_retry", args=[dead.pk]))
    for job in (slow, dead):
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED and job.error == ""


@pytest.mark.django_db
def test_the_celery_task_sweeps():
    from datetime import timedelta

    from django.utils import timezone

    from portal.tasks import sweep_stuck_jobs

    job = Job.objects.create(kind="tests.flaky", requested_by=UserFactory(), status=JobStatus.QUEUED,
                             heartbeat_at=timezone.now() - timedelta(days=1))
    assert sweep_stuck_jobs.delay().get() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_no_template_carries_a_multi_line_hash_comment():
    """Django's {# #} comment is one line only: spread over two lines it is printed on the page."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    broken = [str(p.relative_to(root)) for p in root.rglob("*.html")
              for line in p.read_text(encoding="utf-8").splitlines() if "{#" in line and "#}" not in line]
    assert broken == []
