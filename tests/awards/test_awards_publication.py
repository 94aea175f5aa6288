"""Confidentiality until publication (§5.2), publishing, the public pages, and unpublishing."""

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse

from awards.models import Award
from awards.services import determination, publication
from portal import jobs
from portal.models import AuditEntry, OrganisationMembership, ProgrammeStatus
from portal.models.organisations import MembershipStatus
from portal.models.users import Role
from portal.services.errors import DomainError, PermissionDenied
from portal.workflow import PROGRAMME_WORKFLOW
from tests.factories import OrganiserFactory, UserFactory, b1_programme, scored_programme

pytestmark = pytest.mark.django_db

def test_workflow_declares_unpublish_for_superusers_only(administrator, superuser):
    transition = PROGRAMME_WORKFLOW.get("unpublish")
    assert transition.target == ProgrammeStatus.DETERMINING and not transition.generic
    assert not transition.allowed(administrator, None) and transition.allowed(superuser, None)


@pytest.fixture
def world(organiser, administrator, applicant, recommender, expert):
    """An approved, unpublished determination; the applicant, the recommender and an expert all touch it."""
    from scoring.models import ExpertProfile

    profile = ExpertProfile.objects.create(user=expert, work_unit="上海测试研究院")
    programme, apps, experts = scored_programme(
        [[92, 90, 94], [85, 80, 83], [70, 72, 71]], programme=b1_programme(organiser=organiser, year=2024),
        experts=None, recommender=recommender.recommending_unit,
    )
    from tests.factories import give_score

    give_score(apps[0], profile, 91)
    apps[0].organisation = applicant.membership.organisation
    apps[0].project_name = "机密项目甲：高可靠伺服电机"
    apps[0].save()
    determination.update_settings(administrator, programme, {"first_value": 1, "second_value": 1, "third_value": 0})
    determination.approve(administrator, programme)
    return {"programme": programme, "apps": apps, "award": Award.objects.get(application=apps[0])}


def outsiders(applicant, recommender, expert):
    return [applicant, recommender, expert, UserFactory(role=Role.ADMINISTRATOR, organiser=OrganiserFactory()), None]


def test_before_publication_nobody_but_the_administrator_sees_anything(client, world, applicant, recommender, expert,
                                                                      administrator):
    programme, app, award = world["programme"], world["apps"][0], world["award"]
    gets = [reverse("awards:ranking", args=[programme.pk]),
            reverse("awards:application_scores", args=[programme.pk, app.pk]),
            reverse("awards:report", args=[programme.pk]),
            reverse("awards:published_xlsx", args=[programme.pk]),
            reverse("awards:verify", args=[award.verification_code])]
    posts = [reverse("awards:export", args=[programme.pk, name])
             for name in ("score-sheet", "ranking-pdf", "certificates", "published-list")]
    posts += [reverse("awards:report_pdf", args=[programme.pk]), reverse("awards:certificate", args=[award.pk])]
    for user in outsiders(applicant, recommender, expert):
        client.logout()
        if user:
            client.force_login(user)
        who = user.role if user else "anonymous"
        for url in gets:
            assert client.get(url).status_code == 404, (who, url)
        for url in posts:
            assert client.post(url).status_code == 404, (who, url)
        public = client.get(reverse("awards:public_list"), {"year": programme.year}).content.decode()
        assert "机密项目甲" not in public and "暂无已公布的成果" in public
        if user:
            for kind, params in [("awards.score_sheet", {"programme_id": programme.pk}),
                                 ("awards.ranking_pdf", {"programme_id": programme.pk}),
                                 ("awards.certificates_zip", {"programme_id": programme.pk}),
                                 ("awards.published_list", {"programme_id": programme.pk}),
                                 ("awards.report_pdf", {"programme_id": programme.pk}),
                                 ("awards.certificate", {"award_id": award.pk})]:
                with pytest.raises(PermissionDenied):
                    jobs.start_job(user, kind, params)
    rendered = Template('{% include "awards/_applicant_result.html" with application=app %}').render(
        Context({"app": app}))
    assert "评定结果" not in rendered
    client.force_login(administrator)
    assert "机密项目甲" in client.get(reverse("awards:ranking", args=[programme.pk])).content.decode()
    assert client.get(reverse("awards:report", args=[programme.pk])).status_code == 200


def test_publish_needs_approval_and_determining(world, administrator):
    programme = world["programme"]
    determination.reopen(administrator, programme, "复议")
    with pytest.raises(PermissionDenied, match="尚未批准"):
        publication.publish(administrator, programme)
    determination.approve(administrator, programme)
    outsider = UserFactory(role=Role.ADMINISTRATOR, organiser=OrganiserFactory())
    with pytest.raises(PermissionDenied):
        publication.publish(outsider, programme)


def test_publication_opens_the_public_pages_and_tells_applicants_and_recommenders(
        client, world, administrator, applicant, recommender, django_capture_on_commit_callbacks):
    programme, award = world["programme"], world["award"]
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish(administrator, programme)
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.PUBLISHED
    assert AuditEntry.objects.filter(action="programme.publish").exists()
    assert AuditEntry.objects.filter(action="awards.publish").exists()
    to = {address for message in mail.outbox for address in message.to}
    assert applicant.email in to and recommender.email in to
    assert any("一等奖" in m.body for m in mail.outbox if applicant.email in m.to)

    client.logout()
    page = client.get(reverse("awards:public_list")).content.decode()
    assert "机密项目甲" in page and "一等奖" in page and "2024" in page
    assert "机密项目甲" in client.get(reverse("awards:public_list"), {"q": "伺服"}).content.decode()
    assert "机密项目甲" not in client.get(reverse("awards:public_list"), {"q": "没有这个"}).content.decode()
    assert "机密项目甲" not in client.get(reverse("awards:public_list"), {"tier": "second"}).content.decode()
    verify = client.get(reverse("awards:verify", args=[award.verification_code.lower()]))
    assert verify.status_code == 200 and "机密项目甲" in verify.content.decode()
    assert client.get(reverse("awards:report", args=[programme.pk])).status_code == 200
    assert client.get(reverse("awards:published_xlsx", args=[programme.pk])).status_code == 200
    # scores stay internal after publication too
    assert client.get(reverse("awards:ranking", args=[programme.pk])).status_code == 404
    client.force_login(applicant)
    assert client.get(reverse("awards:ranking", args=[programme.pk])).status_code == 404
    rendered = Template('{% include "awards/_applicant_result.html" with applications=apps %}').render(
        Context({"apps": world["apps"]}))
    assert "机密项目甲" in rendered and "一等奖" in rendered


def test_earlier_years_stay_in_the_archive(client, world, administrator):
    publication.publish(administrator, world["programme"])
    later, apps, _e = scored_programme([[88, 88, 88]], programme=b1_programme(
        organiser=world["programme"].organiser, year=2025))
    determination.approve(administrator, later)
    publication.publish(administrator, later)
    page = client.get(reverse("awards:public_list")).content.decode()
    assert apps[0].project_name in page and "机密项目甲" not in page  # the latest year by default
    assert "2024 年度" in page
    assert "机密项目甲" in client.get(reverse("awards:public_list"), {"year": 2024}).content.decode()


def test_unpublish_only_by_a_superuser_with_a_reason(client, world, administrator, superuser):
    programme, award = world["programme"], world["award"]
    publication.publish(administrator, programme)
    with pytest.raises(PermissionDenied):
        publication.unpublish(administrator, programme, "理由")
    with pytest.raises(DomainError):
        publication.unpublish(superuser, programme, "  ")
    publication.unpublish(superuser, programme, "名单有误，需复核")
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DETERMINING
    assert AuditEntry.objects.get(action="awards.unpublish").note == "名单有误，需复核"
    assert AuditEntry.objects.filter(action="programme.unpublish").exists()
    assert client.get(reverse("awards:verify", args=[award.verification_code])).status_code == 404
    assert "机密项目甲" not in client.get(reverse("awards:public_list")).content.decode()


def test_pending_member_sees_no_result(world, administrator, applicant):
    publication.publish(administrator, world["programme"])
    pending = UserFactory(role=Role.APPLICANT)
    OrganisationMembership.objects.create(user=pending, organisation=applicant.membership.organisation,
                                          status=MembershipStatus.PENDING)
    with pytest.raises(PermissionDenied):
        jobs.start_job(pending, "awards.certificate", {"award_id": world["award"].pk})


def test_the_whole_flow_through_the_pages(client, organiser, administrator, superuser):
    programme, apps, _e = scored_programme([[90, 91, 92], [70, 71, 72]], programme=b1_programme(organiser=organiser))
    client.force_login(administrator)
    url = reverse("awards:ranking", args=[programme.pk])
    client.post(reverse("awards:settings", args=[programme.pk]), {
        "ranking_statistic": "median", "trim_min_scores": 5, "disagreement_threshold": 20, "bias_z_threshold": 2,
        "tier_method": "counts", "first_value": 1, "second_value": 0, "third_value": 0})
    page = client.get(url).content.decode()
    assert "中位数" in page and "同分规则" in page
    client.post(reverse("awards:approve", args=[programme.pk]), {"confirm_under_scored": "1"})
    assert "评定结果已批准" in client.get(url).content.decode()
    client.post(reverse("awards:publish", args=[programme.pk]))
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.PUBLISHED
    assert client.post(reverse("awards:unpublish", args=[programme.pk]), {"reason": "x"}).status_code == 302
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.PUBLISHED  # administrators may not unpublish
    client.force_login(superuser)
    assert "撤回公布" in client.get(url).content.decode()
    client.post(reverse("awards:unpublish", args=[programme.pk]), {"reason": ""})
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.PUBLISHED  # no reason, no unpublishing
    client.post(reverse("awards:unpublish", args=[programme.pk]), {"reason": "名单需复核"})
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DETERMINING


def test_the_public_xlsx_is_built_once_per_state_of_the_awards(client, world, administrator, monkeypatch):
    """Anonymous visitors cannot make the server rebuild the file on every request."""
    import io

    from openpyxl import load_workbook

    from awards.services import exports

    programme, award = world["programme"], world["award"]
    publication.publish(administrator, programme)
    built = []
    real = exports.published_list_xlsx
    monkeypatch.setattr(exports, "published_list_xlsx", lambda p: built.append(p.pk) or real(p))
    url = reverse("awards:published_xlsx", args=[programme.pk])

    def rows():
        response = client.get(url)
        assert response.status_code == 200
        return [[c for c in r] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]

    first = rows()
    assert rows() == first and built == [programme.pk]
    award.project_name = "更名后的项目"
    award.save()
    assert any("更名后的项目" in row for row in rows()) and built == [programme.pk, programme.pk]
