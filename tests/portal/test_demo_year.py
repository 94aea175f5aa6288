"""`manage.py seed_demo` builds a whole year through the services; each demo login lands on
something to do. The year is seeded once for the module (inside a transaction rolled back at the
end); each test runs in its own savepoint on top of it."""

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from applications.models import Application, ApplicationStatus, ReturnComment
from awards.models import Award
from awards.models.awards import Tier
from awards.permissions import may_get_certificate
from awards.services import report
from portal.demo_year import seed_demo_year
from portal.models import AuditEntry, Programme, ProgrammeStatus, User
from scoring.models import Assignment, AssignmentStatus, ConfidentialityPledge, ConflictOfInterest, Score, ScoreStatus

FAST = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


def _counts() -> dict:
    models = [User, Application, ReturnComment, Assignment, Score, ConflictOfInterest, ConfidentialityPledge, Award,
              Programme, AuditEntry]
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), **FAST):
        with transaction.atomic():
            result = seed_demo_year()
            yield {**result, "counts": _counts()}
            transaction.set_rollback(True)


def _as(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
def test_seeding_again_changes_nothing(year):
    assert year["counts"]["Application"] >= 20
    seed_demo_year()
    assert _counts() == year["counts"]


@pytest.mark.django_db
def test_the_year_has_every_step(year):
    statuses = dict(Programme.objects.values_list("title", "status"))
    assert sorted(statuses.values()) == sorted([ProgrammeStatus.OPEN, ProgrammeStatus.OPEN, ProgrammeStatus.REVIEWING,
                                                ProgrammeStatus.PUBLISHED, ProgrammeStatus.PUBLISHED])
    published = year["published"]
    assert [p.year for p in published] == [year["reviewing"].year - 1, year["reviewing"].year - 2]
    for programme in published:
        tiers = set(Award.objects.filter(programme=programme).values_list("tier", flat=True))
        assert {Tier.FIRST, Tier.SECOND, Tier.THIRD} <= tiers
    # Every application and every score has its audit trail.
    for app in Application.objects.all():
        assert AuditEntry.objects.filter(object_id=str(app.pk), action="application.create").exists(), app
    assert AuditEntry.objects.filter(action="score.submit").count() == Score.objects.filter(
        status=ScoreStatus.SUBMITTED).count()
    # The later published year's report compares with the earlier one ("较上年").
    latest = report.build(published[0])
    assert latest.previous == published[1]
    assert any(f.previous is not None for f in latest.figures.values())


@pytest.mark.django_db
def test_applicant_sees_the_returned_application_and_a_draft(year):
    client = _as("applicant")
    returned = Application.objects.get(organisation__memberships__user__username="applicant",
                                       status=ApplicationStatus.RETURNED)
    assert returned.return_comments.exists()
    page = _page(client, reverse("dashboard"))
    assert returned.project_name in page
    edit = _page(client, reverse("applications:edit", args=[returned.pk]))
    assert "请补充攻关后12个月的销售额计算依据" in edit
    assert Application.objects.filter(organisation__memberships__user__username="applicant",
                                      status=ApplicationStatus.DRAFT).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "status"), [
    ("nanxiang", ApplicationStatus.SUBMITTED),
    ("jiading_bureau", ApplicationStatus.ENDORSED_BY_STREET),
    ("saic_group", ApplicationStatus.SUBMITTED),
])
def test_each_recommender_has_an_application_waiting(year, username, status):
    unit = User.objects.get(username=username).recommending_unit
    waiting = Application.objects.filter(programme__status=ProgrammeStatus.OPEN, status=status)
    waiting = waiting.filter(recommender__parent=unit) if status == ApplicationStatus.ENDORSED_BY_STREET else \
        waiting.filter(recommender=unit)
    assert waiting.exists()
    client = _as(username)
    _page(client, reverse("dashboard"))
    assert waiting.first().project_name in _page(client, reverse("applications:recommend_workspace"))


@pytest.mark.django_db
def test_expert1_has_sheets_in_progress(year):
    programme = year["reviewing"]
    client = _as("expert1")
    _page(client, reverse("dashboard"))
    assert programme.title in _page(client, reverse("scoring:expert_home"))
    page = _page(client, reverse("scoring:expert_programme", args=[programme.pk]))
    mine = Assignment.objects.filter(expert__user__username="expert1", application__programme=programme)
    assert mine.count() == 4
    for row in mine:
        assert row.application.project_name in page
    statuses = sorted(Score.objects.filter(assignment__in=mine).values_list("status", flat=True))
    assert statuses == [ScoreStatus.DRAFT, ScoreStatus.SUBMITTED]
    _page(client, reverse("scoring:score_sheet", args=[mine.first().pk]))
    # expert1 also sat on the later published year: its task list says the review has ended.
    ended = year["published"][0]
    assert "评审已结束" in _page(client, reverse("scoring:expert_programme", args=[ended.pk]))


@pytest.mark.django_db
def test_expert2_has_a_conflict_and_the_pledge_to_sign(year):
    programme = year["reviewing"]
    conflict = ConflictOfInterest.objects.get(expert__user__username="expert2")
    assert conflict.application.programme == programme
    assert Assignment.objects.get(expert__user__username="expert2", application=conflict.application).status == \
        AssignmentStatus.RECUSED
    client = _as("expert2")
    _page(client, reverse("dashboard"))
    assert reverse("scoring:pledge", args=[programme.pk]) in _page(client, reverse("scoring:expert_home"))


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "city_admin"])
def test_administrators_see_the_ranking_of_the_review(year, username):
    programme = year["reviewing"]
    client = _as(username)
    _page(client, reverse("dashboard"))
    page = _page(client, reverse("awards:ranking", args=[programme.pk]))
    scored = Application.objects.filter(programme=programme, assignments__score__status=ScoreStatus.SUBMITTED)
    assert scored.exists()
    for app in scored.distinct():
        assert app.project_name in page
    # expert2's conflict leaves one project short of the 5 experts the pool could give it.
    assert "每项需 5 位，符合条件的仅 4 位" in _page(client, reverse("scoring:assign_overview", args=[programme.pk]))


@pytest.mark.django_db
def test_jiading_admin_sees_its_open_programme(year):
    page = _page(_as("jiading_admin"), reverse("dashboard"))
    assert "嘉定区重点产品质量攻关成果申报" in page


@pytest.mark.django_db
def test_the_public_sees_three_tiers_a_certificate_and_the_report(year):
    latest = year["published"][0]
    page = _page(Client(), reverse("awards:public_list"))
    for tier in (Tier.FIRST, Tier.SECOND, Tier.THIRD):
        for award in Award.objects.filter(programme=latest, tier=tier):
            assert award.project_name in page
    assert Award.objects.filter(programme=latest, tier=Tier.NONE).exists()
    award = Award.objects.filter(programme=latest, tier=Tier.FIRST).get()
    assert award.project_name in _page(Client(), reverse("awards:verify", args=[award.verification_code]))
    assert "较上年" in _page(Client(), reverse("awards:report", args=[latest.pk]))
    # The applicant's organisation won it and may download its certificate.
    assert award.application.organisation.memberships.filter(user__username="applicant").exists()
    assert may_get_certificate(User.objects.get(username="applicant"), award)
