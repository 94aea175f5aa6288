"""The recommendation step's rules (issue 4): who sees what, returns, quota, the street → district
chain, the deadline, self-declared applications."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.models import ApplicationStatus, DecisionKind, RecommendationDecision, ReturnComment
from applications.services import recommendation as service
from applications.services.recommendation_queries import (
    endorsement_count,
    live_endorsements,
    programme_progress,
    recommended_applications,
)
from applications.visibility import applications_for
from portal.models import AuditEntry, Notification
from portal.services.errors import DomainError, InvalidTransition, PermissionDenied
from tests.applications.test_recommendation_helpers import (
    ENDORSEMENT,
    application_for,
    district_setup,
    municipal_setup,
    recommender_of,
    submitted,
)
from tests.factories import RecommendingUnitFactory, complete_application

S = ApplicationStatus
pytestmark = pytest.mark.django_db


def test_a_recommender_sees_only_applications_naming_its_unit_and_404_for_others(client):
    programme, bureau, street, bureau_user, street_user = district_setup()
    mine = application_for(programme, street, "伺服电机降噪攻关")
    direct = application_for(programme, bureau, "精密轴承寿命提升")
    other_street = RecommendingUnitFactory(name="嘉定区安亭镇", kind="street_town", parent=bureau,
                                           district=bureau.district)
    programme.accepted_units.add(other_street)
    theirs = application_for(programme, other_street, "汽车线束可靠性攻关")
    elsewhere = application_for(*municipal_setup()[:2], "外区项目")
    draft = complete_application(programme=programme, recommender=street, project_name="草稿项目")

    assert set(applications_for(street_user)) == {mine}
    # A bureau sees its own, and its streets' only once a street has endorsed them.
    assert set(applications_for(bureau_user)) == {direct}
    service.endorse(street_user, mine, **ENDORSEMENT)
    assert set(applications_for(bureau_user)) == {direct, mine}

    for user, visible, hidden in ((street_user, mine, (direct, theirs, elsewhere, draft)),
                                  (bureau_user, mine, (theirs, elsewhere, draft))):
        client.force_login(user)
        assert client.get(reverse("applications:review", args=[visible.pk])).status_code == 200
        for app in hidden:
            assert client.get(reverse("applications:review", args=[app.pk])).status_code == 404
            assert client.post(reverse("applications:endorse", args=[app.pk]), {}).status_code == 404
        html = client.get(reverse("applications:recommend_workspace"), {"programme": programme.pk}).content.decode()
        assert visible.project_name in html and all(app.project_name not in html for app in hidden)


def test_return_without_a_comment_is_refused_and_with_one_goes_back_to_the_applicant(client):
    programme, bureau, user = municipal_setup()
    app = application_for(programme, bureau, "涂层附着力提升")
    with pytest.raises(DomainError, match="请填写退回意见"):
        service.return_to_applicant(user, app, "   ")
    client.force_login(user)
    response = client.post(reverse("applications:recommend_return", args=[app.pk]), {"comment": ""})
    assert response.status_code == 400 and "请填写退回意见" in response.content.decode()
    app.refresh_from_db()
    assert app.status == S.SUBMITTED

    response = client.post(reverse("applications:recommend_return", args=[app.pk]),
                           {"comment": "请补充检测报告。", "sections": ["evidence", "effect"]})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == S.RETURNED
    assert sorted(ReturnComment.objects.filter(application=app).values_list("section", flat=True)) == [
        "effect", "evidence"]
    assert AuditEntry.objects.filter(action="application.return", object_id=str(app.pk)).exists()
    assert Notification.objects.filter(recipient__membership__organisation=app.organisation,
                                       subject__contains="退回修改").exists()


def test_decline_needs_a_reason_and_tells_the_applicant():
    programme, bureau, user = municipal_setup()
    app = application_for(programme, bureau, "阀门密封性攻关")
    with pytest.raises(DomainError, match="理由"):
        service.decline(user, app, "")
    service.decline(user, app, "经济效益数据不足以支撑推荐。")
    app.refresh_from_db()
    assert app.status == S.DECLINED
    assert Notification.objects.filter(recipient__membership__organisation=app.organisation,
                                       body__contains="经济效益数据不足").exists()


def test_endorsing_beyond_the_quota_is_refused_with_a_clear_message():
    programme, bureau, user = municipal_setup(endorsement_quota=2)
    apps = [application_for(programme, bureau, f"质量攻关项目{n}") for n in range(3)]
    service.endorse(user, apps[0], **ENDORSEMENT)
    service.endorse(user, apps[1], **ENDORSEMENT)
    with pytest.raises(DomainError, match="推荐名额为2项") as error:
        service.endorse(user, apps[2], **ENDORSEMENT)
    assert "quota" not in str(error.value)  # one language per request: no English tail
    apps[2].refresh_from_db()
    assert apps[2].status == S.SUBMITTED and endorsement_count(programme, bureau) == 2
    # Declining frees nothing, but declining the third is still allowed.
    service.decline(user, apps[2], "名额已满。")


def test_endorse_requires_the_opinion_and_the_assessments():
    programme, bureau, user = municipal_setup()
    app = application_for(programme, bureau, "电池一致性攻关")
    for missing in ("opinion", "actual_effect", "leading_degree", "completion_date"):
        with pytest.raises(DomainError):
            service.endorse(user, app, **{**ENDORSEMENT, missing: "" if missing != "completion_date" else None})
    row = service.endorse(user, app, **ENDORSEMENT)
    app.refresh_from_db()
    assert app.status == S.ENDORSED and row.rank == 1 and row.leading_degree == "domestic"
    assert row.completion_date == datetime.date(2025, 6, 30)
    assert AuditEntry.objects.filter(action="application.endorse", object_id=str(app.pk)).exists()


def test_the_street_to_district_chain():
    programme, bureau, street, bureau_user, street_user = district_setup()
    app = application_for(programme, street, "伺服电机降噪攻关")

    # The bureau cannot act before the street has endorsed.
    with pytest.raises((InvalidTransition, PermissionDenied)):
        service.endorse(bureau_user, app, **ENDORSEMENT)

    service.endorse(street_user, app, **{**ENDORSEMENT, "opinion": "街镇初审同意推荐。"})
    app.refresh_from_db()
    assert app.status == S.ENDORSED_BY_STREET
    assert Notification.objects.filter(recipient=bureau_user, subject__contains="请复核").exists()
    # Now it is the bureau's turn: the street cannot endorse again.
    with pytest.raises(PermissionDenied, match="区市场监管局"):
        service.endorse(street_user, app, **ENDORSEMENT)

    with pytest.raises(DomainError, match="退回街镇"):
        service.return_to_street(bureau_user, app, "")
    service.return_to_street(bureau_user, app, "请核实经济效益数据后再报。")
    app.refresh_from_db()
    assert app.status == S.SUBMITTED
    assert list(live_endorsements(programme, street)) == []  # the street's endorsement is undone
    assert Notification.objects.filter(recipient=street_user, subject__contains="退回街镇").exists()
    assert app in applications_for(bureau_user)  # the bureau still sees what it sent back

    service.endorse(street_user, app, **{**ENDORSEMENT, "opinion": "已核实，再次推荐。"})
    app.refresh_from_db()
    assert app.status == S.ENDORSED_BY_STREET
    service.endorse(bureau_user, app, **{**ENDORSEMENT, "leading_degree": "international"})
    app.refresh_from_db()
    assert app.status == S.ENDORSED
    assert [d.kind for d in app.recommendation_decisions.order_by("decided_at", "pk")] == [
        DecisionKind.ENDORSE, DecisionKind.RETURN_TO_STREET, DecisionKind.ENDORSE, DecisionKind.ENDORSE]
    # Both tables list it: the street's (what it sent up) and the bureau's.
    assert [d.application_id for d in live_endorsements(programme, street)] == [app.pk]
    assert [d.application_id for d in live_endorsements(programme, bureau)] == [app.pk]
    assert list(AuditEntry.objects.filter(object_id=str(app.pk), action__startswith="application.")
                .order_by("at", "pk").values_list("action", flat=True)) == [
        "application.submit", "application.endorse_street", "application.return_to_street",
        "application.endorse_street", "application.endorse"]


def test_the_bureau_may_also_return_a_street_endorsed_application_to_the_applicant():
    programme, bureau, street, bureau_user, street_user = district_setup()
    app = application_for(programme, street, "模具寿命提升")
    service.endorse(street_user, app, **ENDORSEMENT)
    service.return_to_applicant(bureau_user, app, "请补充专利证书。", ["evidence"])
    app.refresh_from_db()
    assert app.status == S.RETURNED
    assert not RecommendationDecision.objects.filter(application=app, superseded_at__isnull=True,
                                                     kind=DecisionKind.ENDORSE).exists()
    assert Notification.objects.filter(recipient=street_user, subject__contains="退回修改").exists()


def test_in_a_municipal_programme_a_bureau_endorses_straight_to_the_organiser():
    programme, bureau, user = municipal_setup()
    app = application_for(programme, bureau, "芯片封装良率提升")
    service.endorse(user, app, **ENDORSEMENT)
    app.refresh_from_db()
    assert app.status == S.ENDORSED and app in recommended_applications(programme)


@pytest.mark.parametrize("action", ["endorse", "decline", "return", "rank"])
def test_actions_after_the_recommendation_deadline_are_refused(action, client):
    programme, bureau, user = municipal_setup()
    app = application_for(programme, bureau, "焊接质量攻关")
    service.endorse(user, application_for(programme, bureau, "已推荐项目"), **ENDORSEMENT)
    programme.recommendation_deadline = timezone.now() - datetime.timedelta(minutes=1)
    programme.save()
    calls = {
        "endorse": lambda: service.endorse(user, app, **ENDORSEMENT),
        "decline": lambda: service.decline(user, app, "不推荐。"),
        "return": lambda: service.return_to_applicant(user, app, "请修改。"),
        "rank": lambda: service.rank(user, programme, bureau, [d.application_id for d in
                                                               live_endorsements(programme, bureau)]),
    }
    with pytest.raises(PermissionDenied, match="推荐截止时间") as error:
        calls[action]()
    assert "截止时间" in str(error.value) and "已过" in str(error.value)
    app.refresh_from_db()
    assert app.status == S.SUBMITTED
    # The page says so and offers no action.
    client.force_login(user)
    html = client.get(reverse("applications:review", args=[app.pk])).content.decode()
    assert "推荐截止时间" in html and 'action="/applications/%d/review/endorse/"' % app.pk not in html


def test_ranking_orders_the_live_endorsements_and_refuses_an_incomplete_list():
    programme, bureau, user = municipal_setup()
    apps = [application_for(programme, bureau, f"排序项目{n}") for n in range(3)]
    for app in apps:
        service.endorse(user, app, **ENDORSEMENT)
    assert [d.application_id for d in live_endorsements(programme, bureau)] == [a.pk for a in apps]
    service.rank(user, programme, bureau, [apps[2].pk, apps[0].pk, apps[1].pk])
    assert [d.application_id for d in live_endorsements(programme, bureau)] == [apps[2].pk, apps[0].pk, apps[1].pk]
    assert AuditEntry.objects.filter(action="recommendation.rank").exists()
    with pytest.raises(DomainError, match="全部已推荐项目"):
        service.rank(user, programme, bureau, [apps[0].pk, apps[1].pk])
    with pytest.raises(PermissionDenied):
        service.rank(recommender_of(RecommendingUnitFactory()), programme, bureau, [a.pk for a in apps])


def test_self_declared_applications_reach_the_organiser_without_a_recommender():
    programme, bureau, _user = municipal_setup(allow_self_declared=True)
    own = submitted(complete_application(programme=programme, self_declared=True, project_name="自行申报项目"))
    assert own.status == S.SUBMITTED and own in recommended_applications(programme)
    rows = programme_progress(programme)
    assert rows[-1].unit is None and rows[-1].endorsed == 1


def test_progress_counts_and_reminders_for_the_late_ones(administrator, django_capture_on_commit_callbacks):
    programme, bureau, street, bureau_user, street_user = district_setup()
    programme.organiser = administrator.organiser
    programme.recommendation_deadline = timezone.now() + datetime.timedelta(days=2)
    programme.save()
    street.email = "nanxiang@example.cn"
    street.save()
    a, b, c = (application_for(programme, street, f"进度项目{n}") for n in range(3))
    d = application_for(programme, bureau, "区局直接受理项目")
    service.endorse(street_user, a, **ENDORSEMENT)
    service.return_to_applicant(street_user, b, "请补充。")
    rows = {row.unit.pk if row.unit else None: row for row in programme_progress(programme)}
    assert (rows[street.pk].received, rows[street.pk].endorsed, rows[street.pk].returned,
            rows[street.pk].pending) == (3, 1, 1, 1)
    assert (rows[bureau.pk].received, rows[bureau.pk].pending) == (2, 2)  # a (from the street) and d
    assert c.status == S.SUBMITTED and d.status == S.SUBMITTED

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminded = service.remind_late_recommenders(administrator, programme, [street.pk])
    assert reminded == [street]
    addresses = {address for message in mail.outbox for address in message.to}
    assert {street_user.email, "nanxiang@example.cn"} <= addresses and bureau_user.email not in addresses
    entry = AuditEntry.objects.get(action="recommendation.remind")
    assert street.name in entry.note
    with pytest.raises(PermissionDenied):
        service.remind_late_recommenders(street_user, programme)
