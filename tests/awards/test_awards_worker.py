"""All certificates of a programme rendered by a real Celery worker, with progress, then downloaded."""

import io
import time
import zipfile

import pytest
from django.urls import reverse

from awards.services import determination
from portal.models import Job, JobStatus
from tests.factories import b1_programme, scored_programme


@pytest.mark.worker
def test_certificates_zip_through_a_real_worker(live_worker, client, organiser, administrator):
    programme, apps, _e = scored_programme([[95, 94, 93], [88, 87, 86], [80, 81, 82]],
                                           programme=b1_programme(organiser=organiser))
    determination.approve(administrator, programme)  # default quotas: all three awarded
    client.force_login(administrator)
    response = client.post(reverse("awards:export", args=[programme.pk, "certificates"]))
    job = Job.objects.get(kind="awards.certificates_zip")
    assert response.url == reverse("job_status", args=[job.pk])
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_done:
            break
        time.sleep(0.1)
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100, job.error
    page = client.get(reverse("job_status", args=[job.pk])).content.decode()
    assert reverse("job_download", args=[job.pk]) in page
    data = b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len(archive.namelist()) == 3 and all(n.endswith(".pdf") for n in archive.namelist())
