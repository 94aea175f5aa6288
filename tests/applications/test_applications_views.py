"""The form pages: saving drafts, read-only after submission, returns, versions, visibility."""

import re

import pytest
from django.urls import reverse

from applications.models import Application, ApplicationStatus
from applications.services import recommendation, submission
from applications.views.context import build_forms
from portal.models.organisations import RecommendingUnitKind
from portal.models.users import Role
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    RecommendingUnitFactory,
    UserFactory,
    complete_application,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def form_data(app, *, team=None, **overrides) -> dict:
    """What the browser would post for the page as rendered, with ``overrides``."""
    sections, team_formset, conflicts = build_forms(app, readonly=False)
    data = {"lock_version": str(app.lock_version), "tab": "basic"}
    for form in sections:
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, bool):
                if value:
                    data[name] = "on"
            elif value is not None:
                data[name] = str(value.pk if hasattr(value, "pk") else value)
    rows = team if team is not None else [
        {c: getattr(m, c) for c in m.COLUMNS} for m in app.team_members.all()]
    data.update({"team-TOTAL_FORMS": str(len(rows)), "team-INITIAL_FORMS": str(team_formset.initial_form_count()),
                 "conflicts-TOTAL_FORMS": "0", "conflicts-INITIAL_FORMS": str(conflicts.initial_form_count())})
    for i, row in enumerate(rows):
        data.update({f"team-{i}-{k}": v for k, v in row.items()})
        data[f"team-{i}-ORDER"] = str(i + 1)
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_form_page_shows_table_a1_labels_and_no_inline_script_or_style(client):
    app = ApplicationFactory()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    html = client.get(reverse("applications:edit", args=[app.pk])).content.decode()
    labels = """项目名称 项目类别 项目先进水平 国际先进或国内领先 组织及攻关产品基本情况介绍 项目背景意义 质量攻关目标
        项目投资（万元） 产品质量水平 质量创新程度（含技术路线） 直接经济效益 间接经济效益 绿色指标 社会效益 销售额 利润
        节能降耗 创汇节汇 攻关前 12月 攻关后 姓名 性别 职务/职称 学历 工作单位（部门） 单位技术负责人意见
        单位财务负责人意见 单位负责人意见 单位名称（全称） 法人代表 是否属于战略性新兴产业
        提交前检查 保存草稿""".split()
    for label in labels:
        assert label in html, label
    assert 'data-warn-unsaved' in html and 'data-char-counter="3000"' in html and 'maxlength="2000"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and " onclick=" not in html


@pytest.mark.django_db
def test_save_draft_with_missing_fields_through_the_view(client):
    app = ApplicationFactory()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    data = form_data(app, background="先写背景。", sales_before="120.5", profit_before="-3", tab="effect",
                     team=[{"name": "张三", "gender": "male", "title": "", "education": "", "work_unit": ""}])
    response = client.post(reverse("applications:edit", args=[app.pk]), data)
    assert response.status_code == 302 and response["Location"].endswith("?tab=effect")
    app.refresh_from_db()
    assert app.background == "先写背景。" and str(app.profit_before) == "-3.00"
    assert [m.name for m in app.team_members.all()] == ["张三"]


@pytest.mark.django_db
def test_team_reorder_and_the_ninth_member_is_refused(client):
    app = ApplicationFactory()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    url = reverse("applications:edit", args=[app.pk])
    rows = [{"name": f"成员{i}", "gender": "female", "title": "工程师", "education": "master", "work_unit": "研发部"}
            for i in range(1, 10)]
    response = client.post(url, form_data(app, team=rows))
    assert response.status_code == 400
    assert "攻关项目组成员最多8名" in response.content.decode()
    assert not app.team_members.exists()
    data = form_data(app, team=rows[:2])
    data["team-0-ORDER"], data["team-1-ORDER"] = "2", "1"  # moved down with the buttons
    assert client.post(url, data).status_code == 302
    assert [m.name for m in app.team_members.all()] == ["成员2", "成员1"]


@pytest.mark.django_db
def test_negative_sales_refused_in_the_form(client):
    app = ApplicationFactory()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    response = client.post(reverse("applications:edit", args=[app.pk]), form_data(app, sales_after="-10"))
    assert response.status_code == 400
    assert "不能为负数" in response.content.decode()
    app.refresh_from_db()
    assert app.sales_after is None


@pytest.mark.django_db
def test_another_organisations_application_answers_404(client):
    app = complete_application()
    client.force_login(ApplicantFactory())
    evidence = app.evidence.get()
    for name, method in [("edit", "get"), ("edit", "post"), ("checklist", "get"), ("versions", "get"),
                         ("diff", "get"), ("submit", "post"), ("evidence_upload", "post")]:
        response = getattr(client, method)(reverse(f"applications:{name}", args=[app.pk]))
        assert response.status_code == 404, name
    assert client.get(reverse("applications:evidence_download", args=[evidence.pk])).status_code == 404


@pytest.mark.django_db
def test_submitted_is_read_only_until_returned_then_resubmitted(client, recommender):
    app = complete_application(recommender=recommender.recommending_unit)
    member = ApplicantFactory(organisation=app.organisation)
    client.force_login(member)
    url = reverse("applications:edit", args=[app.pk])
    assert client.post(reverse("applications:submit", args=[app.pk])).status_code == 302
    page = client.get(url).content.decode()
    assert "处于只读状态" in page and "保存草稿</button>" not in page and "disabled" in page
    response = client.post(url, form_data(app, background="偷偷修改"), follow=True)
    assert "不能修改" in response.content.decode()
    app.refresh_from_db()
    assert app.background != "偷偷修改" and app.status == ApplicationStatus.SUBMITTED

    client.force_login(recommender)
    return_url = reverse("applications:return", args=[app.pk])
    response = client.post(return_url, {"comment": "  ", "section": "intro"}, follow=True)
    assert "请填写退回意见" in response.content.decode()
    client.post(return_url, {"comment": "请补充项目背景意义的数据来源。", "section": "intro"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.RETURNED

    client.force_login(member)
    page = client.get(url).content.decode()
    assert "请补充项目背景意义的数据来源。" in page and "申报已被退回修改" in page
    assert client.post(url, form_data(app, background="补充了数据来源的背景。")).status_code == 302
    client.post(reverse("applications:submit", args=[app.pk]))
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and app.versions.count() == 2
    diff = client.get(reverse("applications:diff", args=[app.pk]), {"from": 1, "to": 2}).content.decode()
    assert "项目背景意义" in diff and "补充了数据来源的背景。" in diff


@pytest.mark.django_db
def test_incomplete_submission_via_the_view_shows_the_checklist(client):
    app = ApplicationFactory()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    response = client.post(reverse("applications:submit", args=[app.pk]), follow=True)
    html = response.content.decode()
    assert "申报表尚不完整" in html and "请填写“项目类别”。" in html
    assert f'href="/applications/{app.pk}/?tab=basic#id_category"' in html
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DRAFT


@pytest.mark.django_db
def test_recommender_sees_only_its_units_submitted_applications(client):
    bureau = RecommendingUnitFactory(kind=RecommendingUnitKind.DISTRICT_BUREAU)
    street = RecommendingUnitFactory(kind=RecommendingUnitKind.STREET_TOWN, parent=bureau)
    mine = complete_application(recommender=street)
    submission.submit(ApplicantFactory(organisation=mine.organisation), mine)
    draft = complete_application(recommender=street)
    other = complete_application()
    submission.submit(ApplicantFactory(organisation=other.organisation), other)

    street_user = UserFactory(role=Role.RECOMMENDER, recommending_unit=street)
    bureau_user = UserFactory(role=Role.RECOMMENDER, recommending_unit=bureau)
    # The district bureau sees a street's application once the street has endorsed it (issue 4).
    client.force_login(bureau_user)
    assert client.get(reverse("applications:edit", args=[mine.pk])).status_code == 404
    recommendation.endorse(street_user, mine, opinion="同意推荐。", actual_effect="good", leading_degree="industry",
                           completion_date=mine.completion_date)
    for user in (street_user, bureau_user):
        client.force_login(user)
        html = client.get(reverse("applications:list")).content.decode()
        assert mine.project_name in html and draft.project_name not in html and other.project_name not in html
        assert client.get(reverse("applications:edit", args=[mine.pk])).status_code == 200
        assert client.get(reverse("applications:edit", args=[draft.pk])).status_code == 404
        assert client.get(reverse("applications:edit", args=[other.pk])).status_code == 404


@pytest.mark.django_db
def test_new_application_page_creates_a_draft(client, applicant):
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory()
    client.force_login(applicant)
    assert programme.title in client.get(reverse("applications:new")).content.decode()
    response = client.post(reverse("applications:new"), {"programme": programme.pk, "project_name": "导管涂层改进"})
    app = Application.objects.get(project_name="导管涂层改进")
    assert response["Location"] == reverse("applications:edit", args=[app.pk])


@pytest.mark.django_db
def test_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    member = ApplicantFactory()
    org = member.membership.organisation
    client.force_login(member)
    for n in (3, 20):
        ApplicationFactory.create_batch(n, organisation=org)
        with django_assert_max_num_queries(8):
            assert client.get(reverse("applications:list")).status_code == 200


@pytest.mark.django_db
def test_dashboard_include_lists_the_applicants_applications(rf, applicant):
    from django.template.loader import render_to_string

    app = ApplicationFactory(organisation=applicant.membership.organisation)
    request = rf.get("/")
    request.user = applicant
    html = render_to_string("applications/_dashboard_applicant.html", {"request": request})
    assert app.project_name in html and "本单位的申报" in html


@pytest.mark.django_db
def test_experts_see_no_applications_yet(client, expert):
    app = complete_application()
    submission.submit(ApplicantFactory(organisation=app.organisation), app)
    client.force_login(expert)
    assert client.get(reverse("applications:edit", args=[app.pk])).status_code == 404
    assert app.project_name not in client.get(reverse("applications:list")).content.decode()


@pytest.mark.django_db
def test_admin_pages_open(client, superuser):
    app = complete_application()
    client.force_login(superuser)
    for url in [reverse("admin:applications_application_changelist"),
                reverse("admin:applications_application_change", args=[app.pk]),
                reverse("admin:applications_applicationversion_changelist"),
                reverse("admin:applications_returncomment_changelist")]:
        assert client.get(url).status_code == 200, url
