"""Certificates: the PDF holds the project and its verification code, which resolves to the public entry."""

import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from awards.models import Award
from awards.services import determination, publication
from awards.services.certificates import verification_url
from portal import jobs
from portal.models import Job, JobStatus
from tests.factories import b1_programme, scored_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(organiser, administrator, applicant):
    programme, apps, _experts = scored_programme([[95, 93, 94], [85, 84, 86], [60, 61, 62]],
                                                 programme=b1_programme(organiser=organiser, year=2023))
    apps[0].organisation = applicant.membership.organisation
    apps[0].project_name = "船舶废气洗涤脱硫设备关键质量性能攻关"
    apps[0].save()
    determination.update_settings(administrator, programme, {"first_value": 1, "second_value": 1, "third_value": 0})
    determination.approve(administrator, programme)
    publication.publish(administrator, programme)
    return programme, apps


def _run(user, kind, params, capture):
    with capture(execute=True):
        job = jobs.start_job(user, kind, params)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_certificate_holds_project_and_code_and_the_code_resolves(client, published, applicant, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://zlgg.example.gov.cn"
    programme, apps = published
    award = Award.objects.get(application=apps[0])
    client.force_login(applicant)
    response = client.post(reverse("awards:certificate", args=[award.pk]))
    job = Job.objects.get(kind="awards.certificate")
    assert response.status_code == 302 and job.requested_by == applicant
    if job.status != JobStatus.SUCCEEDED:  # eager Celery ran it on commit in the request already
        job = _run(applicant, "awards.certificate", {"award_id": award.pk}, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    pdf = job.result.read()
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert len(reader.pages) == 1 and float(page.mediabox.width) > float(page.mediabox.height)  # A4 landscape
    text = _text(pdf).replace("\n", "")
    assert "船舶废气洗涤脱硫设备关键质量性能攻关" in text and award.verification_code in text
    assert "一等奖" in text and "上海市市场监督管理局" in text and "2023" in text
    url = verification_url(award)
    assert url == f"https://zlgg.example.gov.cn/awards/verify/{award.verification_code}/"
    client.logout()
    entry = client.get(url.removeprefix(settings.SITE_URL))
    assert entry.status_code == 200 and "船舶废气洗涤脱硫设备关键质量性能攻关" in entry.content.decode()


def test_all_certificates_as_a_zip_for_the_administrator(published, administrator, django_capture_on_commit_callbacks):
    programme, apps = published
    job = _run(administrator, "awards.certificates_zip", {"programme_id": programme.pk},
               django_capture_on_commit_callbacks)
    with zipfile.ZipFile(io.BytesIO(job.result.read())) as archive:
        names = archive.namelist()
        assert len(names) == 2  # first and second; the third application is not awarded
        assert "船舶废气洗涤脱硫设备关键质量性能攻关" in _text(archive.read(names[0])).replace("\n", "")


def test_codes_are_unguessable_base32():
    from awards.services.determination import new_code

    codes = {new_code() for _n in range(200)}
    assert len(codes) == 200 and all(len(c) == 12 and set(c) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for c in codes)
