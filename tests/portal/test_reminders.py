"""Deadline reminders (72 h and 24 h before each deadline), sent by the beat's tasks to the people
who have not yet acted, each once: applicants with drafts, recommenders with applications waiting,
experts with unsubmitted score sheets."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from applications import reminders as app_reminders
from applications import tasks as app_tasks
from portal.models import AuditEntry, Notification, ProgrammeStatus
from portal.models.organisations import RecommendingUnitKind
from portal.models.users import Role
from scoring import reminders as scoring_reminders
from scoring import tasks as scoring_tasks
from scoring.models import Score, ScoreStatus
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    ProgrammeFactory,
    RecommendingUnitFactory,
    UserFactory,
)
from tests.review_setup import assign, expert_for, reviewable, reviewing_programme

pytestmark = pytest.mark.django_db


def reminded(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("subject", flat=True))


def test_due_offset_opens_the_latest_window_only():
    deadline = timezone.now() + timedelta(days=10)
    assert app_reminders.due_offset(deadline, deadline - timedelta(hours=73)) is None
    assert app_reminders.due_offset(deadline, deadline - timedelta(hours=71)) == 72
    assert app_reminders.due_offset(deadline, deadline - timedelta(hours=30)) == 72
    assert app_reminders.due_offset(deadline, deadline - timedelta(hours=23)) == 24
    assert app_reminders.due_offset(deadline, deadline + timedelta(minutes=1)) is None
    assert app_reminders.due_offset(None) is None


@pytest.fixture
def open_programme(db):
    return ProgrammeFactory(status=ProgrammeStatus.OPEN, submission_deadline=timezone.now() + timedelta(hours=70))


def test_applicants_with_a_draft_are_reminded_once_and_those_who_submitted_are_not(
        open_programme, django_capture_on_commit_callbacks):
    drafting = ApplicantFactory(email="draft@example.cn")
    colleague = ApplicantFactory(organisation=drafting.membership.organisation)
    submitted = ApplicantFactory()
    ApplicationFactory(programme=open_programme, organisation=drafting.membership.organisation)
    ApplicationFactory(programme=open_programme, organisation=submitted.membership.organisation, status="submitted")
    other_programme = ProgrammeFactory(status=ProgrammeStatus.OPEN, submission_deadline=None)
    elsewhere = ApplicantFactory()
    ApplicationFactory(programme=other_programme, organisation=elsewhere.membership.organisation)

    with django_capture_on_commit_callbacks(execute=True):
        assert app_tasks.send_deadline_reminders.delay().get() == 2

    assert reminded(drafting) == [f"申报截止提醒：{open_programme.title}"]
    assert reminded(colleague) == [f"申报截止提醒：{open_programme.title}"]
    assert reminded(submitted) == [] and reminded(elsewhere) == []
    row = Notification.objects.get(recipient=drafting)
    assert "尚有1项申报未提交" in row.body
    # From the catalogue (shown in the reader's language), about the programme (gone from the feed
    # of anyone who can no longer see it).
    assert row.message_key == "reminder.submission_deadline" and row.params["n"] == 1
    assert (row.about_model, row.about_id) == ("portal.programme", open_programme.pk)
    assert any(m.to == ["draft@example.cn"] for m in mail.outbox)
    rows = AuditEntry.objects.filter(action="reminder.sent", programme=open_programme)
    assert rows.count() == 2 and {r.via for r in rows} == {"task"}

    # The next hourly run (same window) sends nothing again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert app_reminders.send_deadline_reminders() == 0
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=drafting).count() == 1


def test_the_24_hour_reminder_follows_the_72_hour_one_and_a_moved_deadline_starts_again(open_programme):
    person = ApplicantFactory()
    ApplicationFactory(programme=open_programme, organisation=person.membership.organisation)
    deadline = open_programme.submission_deadline
    assert app_reminders.send_deadline_reminders() == 1  # 70 h ahead: the 72 h reminder
    assert app_reminders.send_deadline_reminders(now=deadline - timedelta(hours=23)) == 1
    assert app_reminders.send_deadline_reminders(now=deadline - timedelta(hours=2)) == 0
    assert len(reminded(person)) == 2
    # The administrator moves the deadline a week later: the new deadline's reminders go out in turn.
    open_programme.submission_deadline = deadline + timedelta(days=7)
    open_programme.save()
    assert app_reminders.send_deadline_reminders() == 0  # 10 days ahead: no window open
    assert app_reminders.send_deadline_reminders(now=deadline + timedelta(days=5)) == 1
    assert len(reminded(person)) == 3


def test_no_reminder_once_the_programme_has_moved_on(open_programme):
    person = ApplicantFactory()
    ApplicationFactory(programme=open_programme, organisation=person.membership.organisation)
    open_programme.status = ProgrammeStatus.RECOMMENDING
    open_programme.save()
    assert app_reminders.remind_applicants(open_programme) == []
    assert reminded(person) == []


def test_recommenders_with_applications_waiting_are_reminded_and_units_that_decided_are_not(db):
    programme = ProgrammeFactory(status=ProgrammeStatus.RECOMMENDING,
                                 recommendation_deadline=timezone.now() + timedelta(hours=20))
    waiting_unit, done_unit = RecommendingUnitFactory(), RecommendingUnitFactory()
    programme.accepted_units.add(waiting_unit, done_unit)
    waiting = UserFactory(role=Role.RECOMMENDER, recommending_unit=waiting_unit)
    inactive = UserFactory(role=Role.RECOMMENDER, recommending_unit=waiting_unit, is_active=False)
    done = UserFactory(role=Role.RECOMMENDER, recommending_unit=done_unit)
    for _ in range(2):
        ApplicationFactory(programme=programme, recommender=waiting_unit, status="submitted")
    ApplicationFactory(programme=programme, recommender=done_unit, status="returned")
    ApplicationFactory(programme=programme, recommender=done_unit, status="draft")  # never reached the unit

    sent = app_reminders.remind_recommenders(programme)

    assert sent == [waiting]
    assert reminded(waiting) == [f"推荐截止提醒：{programme.title}"]
    row = Notification.objects.get(recipient=waiting)
    assert "尚有2项申报待审核推荐" in row.body
    assert row.link.endswith(f"?programme={programme.pk}")
    assert reminded(done) == [] and reminded(inactive) == []
    assert app_reminders.remind_recommenders(programme) == []  # once


def test_a_district_bureau_is_reminded_of_what_its_streets_endorsed(db):
    programme = ProgrammeFactory(status=ProgrammeStatus.RECOMMENDING,
                                 recommendation_deadline=timezone.now() + timedelta(hours=60))
    bureau = RecommendingUnitFactory(kind=RecommendingUnitKind.DISTRICT_BUREAU)
    street = RecommendingUnitFactory(kind=RecommendingUnitKind.STREET_TOWN, parent=bureau)
    programme.accepted_units.add(street)
    bureau_person = UserFactory(role=Role.RECOMMENDER, recommending_unit=bureau)
    street_person = UserFactory(role=Role.RECOMMENDER, recommending_unit=street)
    app = ApplicationFactory(programme=programme, recommender=street, status="endorsed_by_street")
    from applications.models import DecisionKind, RecommendationDecision

    RecommendationDecision.objects.create(application=app, unit=street, kind=DecisionKind.ENDORSE, opinion="同意",
                                          decided_by=street_person)

    assert app_reminders.remind_recommenders(programme) == [bureau_person]


def test_experts_with_unsubmitted_sheets_are_reminded_once(administrator, django_capture_on_commit_callbacks):
    programme = reviewing_programme(administrator, scoring_deadline=timezone.now() + timedelta(hours=71))
    late, drafting, finished = expert_for(), expert_for(), expert_for()
    app_a, app_b = reviewable(programme), reviewable(programme)
    assign(late, app_a)
    assign(late, app_b)
    Score.objects.create(assignment=assign(drafting, app_a), status=ScoreStatus.DRAFT)
    Score.objects.create(assignment=assign(finished, app_a), status=ScoreStatus.SUBMITTED,
                         submitted_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        assert scoring_tasks.send_deadline_reminders.delay().get() == 2

    assert reminded(late.user) == [f"评分截止提醒：{programme.title}"]
    assert "尚有2项评分未提交" in Notification.objects.get(recipient=late.user).body
    assert len(reminded(drafting.user)) == 1
    assert reminded(finished.user) == []
    assert scoring_reminders.send_deadline_reminders() == 0
    # In the 24 h window the late experts hear once more.
    assert scoring_reminders.send_deadline_reminders(now=programme.scoring_deadline - timedelta(hours=5)) == 2


def test_no_scoring_reminder_outside_review(administrator):
    programme = reviewing_programme(administrator, scoring_deadline=timezone.now() + timedelta(hours=10))
    expert = expert_for()
    assign(expert, reviewable(programme))
    programme.status = ProgrammeStatus.DETERMINING
    programme.save()
    assert scoring_reminders.remind_experts(programme) == []
