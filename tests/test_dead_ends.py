"""Dead ends and missing feedback (issue 13): job pages say what they make and lead back, files are
named in Chinese, the enterprise's next step follows its application, recommenders reach the files."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from portal import jobs
from portal.models import Job, JobStatus, Role
from tests.factories import ProgrammeFactory, UserFactory


@jobs.register("tests.dead_ends_export", "测试汇总表导出")
def _export(job, progress):
    return "汇总表.txt", b"ok"


@pytest.mark.django_db
def test_job_page_names_the_kind_the_programme_and_links_back_to_the_referring_page(client):
    owner = UserFactory()
    programme = ProgrammeFactory()
    job = Job.objects.create(kind="tests.dead_ends_export", requested_by=owner, params={"programme_id": programme.pk})
    client.force_login(owner)
    url = reverse("job_status", args=[job.pk])
    page = client.get(url, HTTP_REFERER="http://testserver/awards/1/ranking/").content.decode()
    assert "<h1 class=\"h3 mb-3\">测试汇总表导出</h1>" in page
    assert programme.title in page
    assert 'href="http://testserver/awards/1/ranking/"' in page
    # ?next= wins over the Referer; another site's address or the job page itself falls back to the dashboard
    page = client.get(url + "?next=/programmes/", HTTP_REFERER="http://testserver/x/").content.decode()
    assert 'href="/programmes/"' in page
    for referer in ("https://evil.example/phish", "http://testserver" + url):
        page = client.get(url, HTTP_REFERER=referer).content.decode()
        assert "evil.example" not in page
        assert f'href="{reverse("dashboard")}"' in page


@pytest.mark.django_db
def test_retry_keeps_the_way_back(client):
    owner = UserFactory()
    job = Job.objects.create(kind="tests.dead_ends_export", requested_by=owner, status=JobStatus.FAILED, error="x")
    client.force_login(owner)
    page = client.get(reverse("job_status", args=[job.pk]), HTTP_REFERER="http://testserver/programmes/").content
    assert b'name="next" value="http://testserver/programmes/"' in page
    response = client.post(reverse("job_retry", args=[job.pk]), {"next": "/programmes/"})
    assert response.status_code == 302 and response["Location"].endswith("?next=%2Fprogrammes%2F")
    response = client.post(reverse("job_retry", args=[job.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("job_status", args=[job.pk])


@pytest.mark.django_db
def test_generated_files_are_named_in_chinese(django_capture_on_commit_callbacks, monkeypatch):
    from awards import job_handlers as award_jobs

    administrator = UserFactory(role=Role.ADMINISTRATOR)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(administrator, "portal.audit_export", {})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result_name.startswith("操作记录-")

    programme = ProgrammeFactory(title="2026年上海市重点产品质量攻关成果")
    fake = SimpleNamespace(params={"programme_id": programme.pk}, requested_by=administrator)
    monkeypatch.setattr(award_jobs.exports, "published_list_xlsx", lambda p: b"x")
    monkeypatch.setattr(award_jobs.exports, "ranking_pdf", lambda p: b"x")
    assert award_jobs.published_list(fake, lambda *a: None)[0] == "成果名单-2026年上海市重点产品质量攻关成果.xlsx"
    assert award_jobs.ranking_pdf(fake, lambda *a: None)[0] == "评定排名-2026年上海市重点产品质量攻关成果.pdf"


@pytest.mark.django_db
def test_a_chinese_file_name_downloads_with_an_ascii_safe_header(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(owner, "tests.dead_ends_export", {})
    client.force_login(owner)
    response = client.get(reverse("job_download", args=[job.pk]))
    header = response["Content-Disposition"]
    assert header.isascii() and "filename*=utf-8''%E6%B1%87%E6%80%BB%E8%A1%A8.txt" in header


@pytest.mark.django_db
def test_recommender_review_page_links_to_the_registration_form_files(client):
    from django.core.files.base import ContentFile

    from applications.models.documents import ApplicationDocument, DocumentFormat
    from tests.test_recommendation_helpers import application_for, municipal_setup

    programme, bureau, user = municipal_setup()
    app = application_for(programme, bureau, "伺服电机降噪攻关")
    doc = ApplicationDocument(application=app, version=1, format=DocumentFormat.PDF)
    doc.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=False)
    doc.save()
    client.force_login(user)
    page = client.get(reverse("applications:review", args=[app.pk])).content.decode()
    documents = reverse("applications:documents", args=[app.pk])
    assert f'href="{documents}"' in page
    files = client.get(documents).content.decode()
    download = reverse("applications:document_download", args=[doc.pk])
    assert download in files and client.get(download).status_code == 200
