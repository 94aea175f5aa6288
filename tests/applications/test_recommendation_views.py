"""The recommender's pages: workspace (filters, counts, constant queries), review (Table A.1,
evidence previews, actions), ranking without JavaScript, the organiser's progress page."""

import re

import pytest
from django.urls import reverse

from applications.models import ApplicationStatus
from applications.services import recommendation as service
from applications.services.recommendation_queries import live_endorsements
from portal.models import AuditEntry
from portal.models.organisations import OrganisationSize
from tests.applications.test_recommendation_helpers import ENDORSEMENT, application_for, district_setup, municipal_setup
from tests.factories import EvidenceFactory, ProjectCategoryFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def _no_inline_script_or_style(html):
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and " onclick=" not in html


def test_workspace_filters_search_counts_and_deadline(client):
    programme, bureau, user = municipal_setup()
    first = application_for(programme, bureau, "伺服电机降噪攻关", advancement_level="leading")
    second = application_for(programme, bureau, "涂层附着力提升")
    service.endorse(user, second, **ENDORSEMENT)
    client.force_login(user)
    url = reverse("applications:recommend_workspace")
    html = client.get(url).content.decode()
    assert first.project_name in html and second.project_name in html and "推荐截止时间" in html
    _no_inline_script_or_style(html)
    counts = client.get(url).context["status_tabs"]
    assert {t["value"]: t["n"] for t in counts}[S.SUBMITTED] == 1
    assert {t["value"]: t["n"] for t in counts}[S.ENDORSED] == 1

    def names(**params):
        page = client.get(url, {"programme": programme.pk, **params}).context["page"]
        return {app.project_name for app in page.object_list}

    assert names(q="降噪") == {first.project_name}
    assert names(q=first.organisation.name) == {first.project_name}
    assert names(status=S.ENDORSED) == {second.project_name}
    assert names(level="leading") == {first.project_name}
    assert names(size=OrganisationSize.MEDIUM) == {first.project_name, second.project_name}
    assert names(size=OrganisationSize.SMALL_MICRO) == set()
    other = ProjectCategoryFactory(code="materials", name="先进材料")
    assert names(category=other.pk) == set() and len(names(category=first.category_id)) == 2


def test_workspace_query_count_does_not_grow_with_the_list(client, django_assert_max_num_queries):
    programme, bureau, user = municipal_setup()
    client.force_login(user)
    url = reverse("applications:recommend_workspace")

    def queries_for_page():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"programme": programme.pk}).status_code == 200
        return len(captured)

    application_for(programme, bureau, "少量项目0")
    small = queries_for_page()
    for n in range(1, 30):
        app = application_for(programme, bureau, f"大量项目{n}")
        if n % 3 == 0:
            service.endorse(user, app, **ENDORSEMENT)
    large = queries_for_page()
    assert large == small
    with django_assert_max_num_queries(small):
        client.get(url, {"programme": programme.pk, "page": 2})


def test_review_page_shows_table_a1_evidence_previews_checklist_and_actions(client):
    programme, bureau, street, bureau_user, street_user = district_setup()
    app = application_for(programme, street, "伺服电机降噪攻关")
    EvidenceFactory(application=app, kind="test_report", original_name="检测报告.pdf")
    image = EvidenceFactory(application=app, kind="patent", original_name="专利证书.png", content_type="image/png")
    client.force_login(street_user)
    response = client.get(reverse("applications:review", args=[app.pk]))
    html = response.content.decode()
    for label in ("项目名称", "组织及攻关产品基本情况介绍", "质量创新程度（含技术路线）", "销售额", "攻关项目组成员",
                  "单位技术负责人意见", "证实性材料预览", "材料完整性检查", "版本记录", "推荐单位意见",
                  "同行业领先程度", "国际先进", "国内领先", "行业领先", "显著", "较好", "确认项目完成时间",
                  "退回申报单位修改", "不予推荐", "推荐（报区市场监管局复核）"):
        assert label in html, label
    assert re.search(r'<iframe src="/applications/evidence/\d+/download/"', html)
    assert f'<img src="/applications/evidence/{image.pk}/download/"' in html
    assert 'value="2025-06-30"' in html  # the completion time, prefilled from the form
    _no_inline_script_or_style(html)
    # The evidence the previews point at is served inline, framable by this site only.
    preview = client.get(reverse("applications:evidence_download", args=[image.pk]))
    assert preview.status_code == 200 and "attachment" not in preview.get("Content-Disposition", "")
    assert preview.get("X-Frame-Options", "SAMEORIGIN") == "SAMEORIGIN"

    # The street endorses through the page; the bureau then sees the street's opinion and its own actions.
    response = client.post(reverse("applications:endorse", args=[app.pk]),
                           {**ENDORSEMENT, "completion_date": "2025-06-30"})
    assert response.status_code == 302
    client.force_login(bureau_user)
    html = client.get(reverse("applications:review", args=[app.pk])).content.decode()
    assert "嘉定区南翔镇 的推荐意见" in html and ENDORSEMENT["opinion"] in html
    assert "退回街镇重新审核" in html and "复核推荐（报主管部门）" in html


def test_endorse_through_the_view_keeps_input_on_refusal(client):
    programme, bureau, user = municipal_setup(endorsement_quota=0)
    app = application_for(programme, bureau, "阀门密封性攻关")
    client.force_login(user)
    response = client.post(reverse("applications:endorse", args=[app.pk]), {"opinion": "同意。"})
    assert response.status_code == 400 and "请评估项目实际效果" in response.content.decode()
    response = client.post(reverse("applications:endorse", args=[app.pk]),
                           {**ENDORSEMENT, "completion_date": "2025-06-30"})
    html = response.content.decode()
    assert response.status_code == 400 and "推荐名额为0项" in html and ENDORSEMENT["opinion"] in html
    app.refresh_from_db()
    assert app.status == S.SUBMITTED


def test_an_applicant_cannot_open_the_review_page(client):
    programme, bureau, _user = municipal_setup()
    app = application_for(programme, bureau, "电池一致性攻关")
    from tests.factories import ApplicantFactory

    client.force_login(ApplicantFactory(organisation=app.organisation))
    assert client.get(reverse("applications:review", args=[app.pk])).status_code == 404
    assert client.get(reverse("applications:recommend_workspace")).status_code == 404


def test_ranking_works_without_javascript_by_numbers_and_move_buttons(client):
    programme, bureau, user = municipal_setup()
    apps = [application_for(programme, bureau, f"排序项目{n}") for n in range(3)]
    for app in apps:
        service.endorse(user, app, **ENDORSEMENT)
    client.force_login(user)
    url = reverse("applications:recommend_ranking", args=[programme.pk])
    html = client.get(url).content.decode()
    assert "Sortable.min.js" in html and "recommend.js" in html and 'name="move" value="up:' in html
    _no_inline_script_or_style(html)

    client.post(url, {f"rank-{apps[0].pk}": "3", f"rank-{apps[1].pk}": "1", f"rank-{apps[2].pk}": "2"})
    assert [d.application_id for d in live_endorsements(programme, bureau)] == [apps[1].pk, apps[2].pk, apps[0].pk]
    client.post(url, {"move": f"up:{apps[0].pk}"})
    assert [d.application_id for d in live_endorsements(programme, bureau)] == [apps[1].pk, apps[0].pk, apps[2].pk]
    assert AuditEntry.objects.filter(action="recommendation.rank").count() == 2


def test_progress_page_and_reminder_for_the_administrator(client, administrator):
    programme, bureau, street, bureau_user, street_user = district_setup()
    programme.organiser = administrator.organiser
    programme.save()
    app = application_for(programme, street, "进度项目")
    client.force_login(administrator)
    url = reverse("applications:recommend_progress", args=[programme.pk])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and street.name in html and bureau.name in html and "自行申报" in html
    assert "2023年嘉定区重点产品质量攻关项目申报汇总表" in html
    _no_inline_script_or_style(html)
    response = client.post(reverse("applications:recommend_remind", args=[programme.pk]), {"unit": [street.pk]})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="recommendation.remind", note__contains=street.name).exists()
    assert app.status == S.SUBMITTED
    # Recommenders and other organisers' staff do not get the page.
    client.force_login(street_user)
    assert client.get(url).status_code == 404
    assert client.post(reverse("applications:recommend_remind", args=[programme.pk])).status_code == 404


def test_recommender_dashboard_summarises_the_workspace(client):
    programme, bureau, user = municipal_setup()
    application_for(programme, bureau, "看板项目")
    client.force_login(user)
    html = client.get(reverse("dashboard")).content.decode()
    assert "进入推荐审核" in html and "待本单位处理" in html and programme.title in html


def test_a_bureau_works_on_a_programme_that_names_only_its_streets(client):
    programme, bureau, street, bureau_user, street_user = district_setup()
    programme.accepted_units.set([street])
    app = application_for(programme, street, "只受理街镇的批次项目")
    service.endorse(street_user, app, **ENDORSEMENT)
    client.force_login(bureau_user)
    response = client.get(reverse("applications:recommend_workspace"))
    assert response.context["programme"] == programme and app.project_name in response.content.decode()
    assert client.get(reverse("applications:recommend_ranking", args=[programme.pk])).status_code == 200
    assert programme.title in client.get(reverse("dashboard")).content.decode()
