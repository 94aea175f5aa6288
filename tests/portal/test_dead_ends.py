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
    from tests.applications.test_recommendation_helpers import application_for, municipal_setup

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


def _dashboard_panel(rf, user):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = user
    return render_to_string("applications/_dashboard_applicant.html", {"request": request})


@pytest.mark.django_db
def test_next_step_follows_the_application_from_draft_to_certificate(rf):
    from applications.models import ApplicationStatus as S
    from applications.services import recommendation as service
    from awards.models import Award
    from portal.models import ProgrammeStatus
    from tests.applications.test_recommendation_helpers import application_for, district_setup
    from tests.factories import ApplicantFactory, ApplicationFactory

    programme, bureau, street, bureau_user, street_user = district_setup()
    app = application_for(programme, street, "伺服电机降噪攻关")
    applicant = ApplicantFactory(organisation=app.organisation)
    html = _dashboard_panel(rf, applicant)
    assert 'data-next-step="submitted"' in html and "等待街镇（嘉定区南翔镇）审核推荐" in html

    service.return_to_applicant(street_user, app, "请补充检测报告。", ["evidence"])
    html = _dashboard_panel(rf, applicant)
    assert "按退回意见修改后重新提交" in html and reverse("applications:edit", args=[app.pk]) in html

    app.status = S.ENDORSED_BY_STREET
    app.save(update_fields=["status"])
    assert "等待区市场监管局复核" in _dashboard_panel(rf, applicant)

    draft = ApplicationFactory(organisation=app.organisation, programme=programme)
    html = _dashboard_panel(rf, applicant)
    assert 'data-next-step="draft"' in html and f"{reverse('applications:edit', args=[draft.pk])}?tab=check" in html

    award = Award.objects.create(programme=programme, application=app, tier="second", proposed_tier="second",
                                 project_name=app.project_name, organisation_name="x", verification_code="AB12CD34")
    assert reverse("awards:certificate", args=[award.pk]) not in _dashboard_panel(rf, applicant)  # not published yet
    programme.status = ProgrammeStatus.PUBLISHED
    programme.save(update_fields=["status"])
    html = _dashboard_panel(rf, applicant)
    assert 'data-next-step="award"' in html and "已获二等奖，可下载获奖证书" in html


@pytest.mark.django_db
def test_evidence_tab_names_the_missing_kinds_and_a_comment_for_two_sections_is_listed_once(client):
    from applications.services import recommendation as service
    from tests.applications.test_recommendation_helpers import application_for, municipal_setup
    from tests.factories import ApplicantFactory

    programme, bureau, user = municipal_setup()
    app = application_for(programme, bureau, "涂层附着力提升", advancement_level="leading")
    app.evidence.filter(kind__in=["test_report", "signature_page"]).delete()
    service.return_to_applicant(user, app, "请补充检测报告和计算依据。", ["evidence", "effect"])
    client.force_login(ApplicantFactory(organisation=app.organisation))
    response = client.get(reverse("applications:edit", args=[app.pk]))
    html = response.content.decode()
    evidence_tab = next(t for t in response.context["tabs"] if t["key"] == "evidence")
    assert evidence_tab["missing_names"] == ["签章页", "检测报告/鉴定报告/检索报告"]
    assert "缺签章页、检测报告/鉴定报告/检索报告" in html and "尚缺以下材料" in html
    # shown at the top of both sections it concerns, and once in the overall list above the tabs
    assert html.count("请补充检测报告和计算依据。") == 3
    overall = response.context["comments"]["general"]
    assert len(overall) == 1 and [str(c) for c in overall[0].concerns] == ["攻关成效与经济效益", "证实性材料"]
    assert "涉及：攻关成效与经济效益、证实性材料" in html


def _settings(programme, **changes):
    from django.utils import timezone

    def local(value):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""

    data = {name: local(getattr(programme, name)) for name in
            ("submission_deadline", "recommendation_deadline", "scoring_deadline")}
    data.update({"endorsement_quota": programme.endorsement_quota or "",
                 "experts_per_application": programme.experts_per_application,
                 "min_load_per_expert": programme.min_load_per_expert,
                 "max_load_per_expert": programme.max_load_per_expert})
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_organiser_sets_deadlines_quota_and_experts_on_the_programme_page(client, administrator, organiser):
    from portal.models import AuditEntry, ProgrammeStatus

    programme = ProgrammeFactory(organiser=organiser, status=ProgrammeStatus.OPEN)
    url = reverse("programme_detail", args=[programme.pk])
    client.force_login(administrator)
    assert "批次设置" in client.get(url).content.decode()
    response = client.post(url, _settings(programme, endorsement_quota=3, experts_per_application=7,
                                          submission_deadline="2030-06-30T17:00",
                                          recommendation_deadline="2030-07-31T17:00"))
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.endorsement_quota, programme.experts_per_application) == (3, 7)
    assert programme.submission_deadline.year == 2030
    entry = AuditEntry.objects.get(action="programme.settings")
    assert entry.changes["endorsement_quota"] == [None, 3] and entry.changes["experts_per_application"] == [5, 7]
    assert entry.changes["submission_deadline"][1] == "2030-06-30 17:00"

    # deadlines out of order, or a minimum load above the maximum: refused with the reason, nothing saved
    response = client.post(url, _settings(programme, scoring_deadline="2030-01-01T00:00"))
    assert response.status_code == 400 and "截止时间须依次为" in response.content.decode()
    response = client.post(url, _settings(programme, min_load_per_expert=9, max_load_per_expert=3))
    assert response.status_code == 400 and "最少评审数不能大于最多评审数" in response.content.decode()
    programme.refresh_from_db()
    assert programme.scoring_deadline is None and programme.max_load_per_expert == 40
    assert AuditEntry.objects.filter(action="programme.settings").count() == 1


@pytest.mark.django_db
def test_programme_settings_keep_the_workflow_and_the_organiser(client, administrator, organiser):
    from portal.models import ProgrammeStatus
    from portal.services import programmes
    from portal.services.errors import DomainError, PermissionDenied
    from tests.factories import OrganiserFactory

    programme = ProgrammeFactory(organiser=organiser, status=ProgrammeStatus.REVIEWING)
    with pytest.raises(DomainError, match="推荐名额不能再修改"):
        programmes.update_settings(administrator, programme, {"endorsement_quota": 2})
    programmes.update_settings(administrator, programme, {"experts_per_application": 3})
    programme.status = ProgrammeStatus.DETERMINING
    programme.save(update_fields=["status"])
    with pytest.raises(DomainError, match="评审专家人数"):
        programmes.update_settings(administrator, programme, {"experts_per_application": 4})
    programme.status = ProgrammeStatus.PUBLISHED
    programme.save(update_fields=["status"])
    with pytest.raises(DomainError, match="已公布"):
        programmes.update_settings(administrator, programme, {"scoring_deadline": None, "endorsement_quota": 9})

    other = UserFactory(role=Role.ADMINISTRATOR, organiser=OrganiserFactory())
    with pytest.raises(PermissionDenied):
        programmes.update_settings(other, programme, {"experts_per_application": 4})
    recommender = UserFactory(role=Role.RECOMMENDER)
    with pytest.raises(PermissionDenied):
        programmes.update_settings(recommender, programme, {"experts_per_application": 4})
    programme.refresh_from_db()
    assert programme.experts_per_application == 3


@pytest.mark.django_db
def test_only_the_programme_administrator_sees_and_posts_the_settings_form(client):
    from portal.models import ProgrammeStatus
    from tests.factories import ApplicantFactory

    programme = ProgrammeFactory(status=ProgrammeStatus.OPEN)
    url = reverse("programme_detail", args=[programme.pk])
    client.force_login(ApplicantFactory())
    page = client.get(url)
    assert page.status_code == 200 and "批次设置" not in page.content.decode()
    assert client.post(url, _settings(programme, experts_per_application=1)).status_code == 403
    programme.refresh_from_db()
    assert programme.experts_per_application == 5


@pytest.mark.django_db
def test_a_page_that_asks_for_it_reloads_when_its_job_is_done(client):
    owner = UserFactory()
    job = Job.objects.create(kind="tests.dead_ends_export", requested_by=owner)
    client.force_login(owner)
    url = reverse("job_status", args=[job.pk])
    running = client.get(url + "?reload=1", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in running and f'data-hx-get="{url}?reload=1"' in running.content.decode()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress=100)
    assert client.get(url + "?reload=1", HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    assert "HX-Refresh" not in client.get(url, HTTP_HX_REQUEST="true")  # the documents list refreshes itself


@pytest.mark.django_db
def test_next_steps_for_the_dashboard_box_list_each_application(rf):
    from django.template.loader import render_to_string

    from tests.factories import ApplicantFactory, ApplicationFactory

    applicant = ApplicantFactory()
    draft = ApplicationFactory(organisation=applicant.membership.organisation)
    request = rf.get("/")
    request.user = applicant
    html = render_to_string("applications/_next_steps.html", {"request": request})
    assert html.count("<li>") == 1 and draft.project_name in html and 'data-next-step="draft"' in html
    assert "下一步：" not in html


@pytest.mark.django_db
def test_no_settings_form_once_results_are_published(client, administrator, organiser):
    from portal.models import ProgrammeStatus

    programme = ProgrammeFactory(organiser=organiser, status=ProgrammeStatus.PUBLISHED)
    client.force_login(administrator)
    url = reverse("programme_detail", args=[programme.pk])
    assert "批次设置" not in client.get(url).content.decode()
    assert client.post(url, _settings(programme, experts_per_application=2)).status_code == 403


@pytest.mark.django_db
def test_the_dashboards_next_step_box_names_each_application_and_what_to_do(client):
    """The "下一步" box at the top of the applicant's dashboard follows each application's state."""
    from tests.factories import ApplicantFactory, ApplicationFactory

    applicant = ApplicantFactory()
    draft = ApplicationFactory(organisation=applicant.membership.organisation)
    client.force_login(applicant)
    html = client.get(reverse("dashboard")).content.decode()
    box = html.split('aria-labelledby="next-step-heading"', 1)[1].split("</section>", 1)[0]
    assert draft.project_name in box and 'data-next-step="draft"' in box
