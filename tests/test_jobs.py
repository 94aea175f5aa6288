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
