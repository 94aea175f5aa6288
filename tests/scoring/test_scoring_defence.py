"""现场答辩 (§6.3.2): scheduling, slot times, the applicant's view and e-mail, moving a session,
conflicted experts kept out, the experts' view (a slot hidden by a later conflict leaves no trace),
attendance."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry, Notification, ProgrammeStatus
from portal.services.errors import PermissionDenied
from scoring.models import ConflictOfInterest, DefenceSession, DefenceSlot, Panel
from scoring.services.defence import (
    InvalidSession,
    SessionInput,
    record_attendance,
    schedule_session,
    update_session,
    visible_slots,
)
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    ExpertProfileFactory,
    OrganiserFactory,
    ProgrammeFactory,
    UserFactory,
)

ZONE = timezone.get_current_timezone()


def at(hour, minute=0, day=dt.date(2026, 5, 12)):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


class Setup:
    def __init__(self, administrator):
        self.administrator = administrator
        self.programme = ProgrammeFactory(organiser=administrator.organiser, status=ProgrammeStatus.REVIEWING)
        self.applicants = [ApplicantFactory() for _ in range(3)]
        self.apps = [ApplicationFactory(programme=self.programme, status="endorsed",
                                        organisation=a.membership.organisation) for a in self.applicants]
        self.experts = [ExpertProfileFactory() for _ in range(2)]
        self.panel = Panel.objects.create(programme=self.programme, name="高端装备组")
        self.panel.experts.set(self.experts)

    def data(self, **kwargs) -> SessionInput:
        values = {"title": "第一场", "starts_at": at(9), "ends_at": at(12), "place": "市局301会议室",
                  "panel": self.panel, "experts": list(self.experts),
                  "slots": [(self.apps[0], 20), (self.apps[1], 30), (self.apps[2], 15)]}
        return SessionInput(**(values | kwargs))

    def schedule(self, **kwargs):
        return schedule_session(self.administrator, self.programme, self.data(**kwargs))


@pytest.fixture
def setup(administrator):
    return Setup(administrator)


@pytest.mark.django_db
def test_slot_times_follow_the_session_start_and_each_slot_length(setup):
    session = setup.schedule()
    slots = list(session.slots.order_by("order"))
    assert [(s.order, s.application, s.minutes) for s in slots] == [
        (1, setup.apps[0], 20), (2, setup.apps[1], 30), (3, setup.apps[2], 15)]
    assert [timezone.localtime(s.starts_at).time() for s in slots] == [dt.time(9), dt.time(9, 20), dt.time(9, 50)]
    assert set(session.experts.all()) == set(setup.experts)
    assert AuditEntry.objects.filter(action="defence.schedule").count() == 1


@pytest.mark.django_db
def test_the_panels_experts_are_seated_when_none_are_chosen(setup):
    assert set(setup.schedule(experts=[]).experts.all()) == set(setup.experts)


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "message"), [
    (lambda s: {"ends_at": at(9, 30)}, "超出场次结束时间"),
    (lambda s: {"ends_at": at(8)}, "结束时间须晚于开始时间"),
    (lambda s: {"place": "", "meeting_link": ""}, "地点或会议链接"),
    (lambda s: {"slots": [(s.apps[0], 20), (s.apps[0], 20)]}, "重复安排"),
    (lambda s: {"slots": [(s.apps[0], 0)]}, "答辩时长"),
    (lambda s: {"slots": [(ApplicationFactory(), 20)]}, "不属于本批次"),
])
def test_bad_sessions_are_refused(setup, changes, message):
    with pytest.raises(InvalidSession, match=message):
        setup.schedule(**changes(setup))
    assert not DefenceSession.objects.exists()


@pytest.mark.django_db
def test_a_conflicted_expert_is_not_seated_with_that_application(setup):
    ConflictOfInterest.objects.create(expert=setup.experts[1], application=setup.apps[2], source="automatic",
                                      rule="credit_code", reason="曾任职于申报单位")
    with pytest.raises(InvalidSession) as error:
        setup.schedule()
    assert f"专家{setup.experts[1].name}与项目“{setup.apps[2].project_name}”存在回避关系" in str(error.value)
    assert not DefenceSession.objects.exists()
    session = setup.schedule(slots=[(setup.apps[0], 20), (setup.apps[1], 20)])  # without that application
    with pytest.raises(InvalidSession, match="回避关系"):
        update_session(setup.administrator, session, setup.data(slots=[(setup.apps[2], 20)]))
    ConflictOfInterest.objects.update(status="dismissed")
    assert update_session(setup.administrator, session, setup.data(slots=[(setup.apps[2], 20)])).slots.count() == 1


@pytest.mark.django_db
def test_an_application_is_in_one_session_at_a_time(setup):
    setup.schedule()
    with pytest.raises(InvalidSession, match="已安排在场次"):
        setup.schedule(title="第二场", starts_at=at(14), ends_at=at(17), slots=[(setup.apps[0], 20)])


@pytest.mark.django_db
def test_only_the_programmes_administrator_schedules(setup):
    other = UserFactory(role="administrator", organiser=OrganiserFactory())
    with pytest.raises(PermissionDenied, match="主管部门"):
        schedule_session(other, setup.programme, setup.data())
    with pytest.raises(PermissionDenied, match="角色"):
        schedule_session(setup.experts[0].user, setup.programme, setup.data())


@pytest.mark.django_db
def test_applicants_are_emailed_when_scheduled_and_when_moved(setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = setup.schedule()
    to_applicant = [m for m in mail.outbox if m.to == [setup.applicants[1].email]]
    assert len(to_applicant) == 1 and "现场答辩安排" in to_applicant[0].subject
    assert "2026-05-12 09:20–09:50（第 2 位）" in to_applicant[0].body and "市局301会议室" in to_applicant[0].body
    assert {m.to[0] for m in mail.outbox} >= {e.user.email for e in setup.experts}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the third application moves, the second leaves
        update_session(setup.administrator, session,
                       setup.data(slots=[(setup.apps[0], 20), (setup.apps[2], 15)]))
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "变更" in subjects[setup.applicants[2].email] and "09:20–09:35" in next(
        m.body for m in mail.outbox if m.to == [setup.applicants[2].email])
    assert "取消" in subjects[setup.applicants[1].email]
    assert setup.applicants[0].email not in subjects  # unchanged slot: no e-mail
    assert AuditEntry.objects.filter(action="defence.update").count() == 1


@pytest.mark.django_db
def test_the_applicant_sees_only_their_own_slot(client, setup):
    setup.schedule(meeting_link="https://meeting.example.cn/abc")
    client.force_login(setup.applicants[1])
    html = client.get(reverse("scoring:defence_mine")).content.decode()
    assert setup.apps[1].project_name in html and "2026-05-12 09:20" in html
    assert "https://meeting.example.cn/abc" in html
    assert setup.apps[0].project_name not in html and setup.experts[0].name not in html
    include = render_to_string("scoring/defence_applicant_include.html", {"application": setup.apps[1]})
    assert "2026-05-12 09:20" in include and "第 2 位，30 分钟" in include and "市局301会议室" in include
    client.force_login(setup.applicants[1])
    session = DefenceSession.objects.get()
    assert client.get(reverse("scoring:defence_detail", args=[session.pk])).status_code == 404


@pytest.mark.django_db
def test_experts_see_the_sessions_they_sit_in(client, setup):
    session = setup.schedule(experts=[setup.experts[0]])
    detail = reverse("scoring:defence_detail", args=[session.pk])
    client.force_login(setup.experts[0].user)
    assert session.title in client.get(reverse("scoring:defence_mine")).content.decode()
    assert setup.apps[2].project_name in client.get(detail).content.decode()
    ConflictOfInterest.objects.create(expert=setup.experts[0], application=setup.apps[2], source="expert",
                                      reason="后来申报的回避")  # declared after seating
    assert setup.apps[2].project_name not in client.get(detail).content.decode()
    client.force_login(setup.experts[1].user)
    assert client.get(detail).status_code == 404
    assert session.title not in client.get(reverse("scoring:defence_mine")).content.decode()
    client.force_login(setup.administrator)
    assert "出现回避关系" in client.get(detail).content.decode()


HIDDEN_PROJECT, HIDDEN_ORGANISATION = "回避专用的隐形项目名称", "回避专用的隐形申报单位有限公司"


def _hide(setup, index):
    """Names apps[index] unmistakably and declares experts[0]'s conflict with it (after seating)."""
    hidden = setup.apps[index]
    hidden.project_name = HIDDEN_PROJECT
    hidden.save(update_fields=["project_name"])
    hidden.organisation.name = HIDDEN_ORGANISATION
    hidden.organisation.save(update_fields=["name"])
    ConflictOfInterest.objects.create(expert=setup.experts[0], application=hidden, source="expert",
                                      reason="后来申报的回避")
    return hidden


def _schedule_rows(html):
    """(number, time cell) of each row of the 答辩顺序 table."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td[^>]*>([^<]*)</td>", body)


@pytest.mark.django_db
@pytest.mark.parametrize(("hidden", "times"), [(0, ["09:20", "09:50"]), (1, ["09:00", "09:50"]),
                                               (2, ["09:00", "09:20"])])
def test_a_conflicted_expert_sees_a_schedule_without_the_hidden_slot(client, setup, hidden, times):
    """Slots 09:00 (20 min), 09:20 (30), 09:50 (15); the expert must avoid one of them. They see
    the others numbered 1, 2 at their real start times, and no lengths (start + length against
    the next start would point at the hidden slot); the administrator sees all three as they are."""
    session = setup.schedule()
    _hide(setup, hidden)
    expert = setup.experts[0].user
    shown = visible_slots(expert, session)
    assert [s.application for s in shown] == [a for i, a in enumerate(setup.apps) if i != hidden]
    assert [s.position for s in shown] == [1, 2]
    assert [s.position for s in visible_slots(setup.administrator, session)] == [1, 2, 3]

    client.force_login(expert)
    html = client.get(reverse("scoring:defence_detail", args=[session.pk])).content.decode()
    assert _schedule_rows(html) == [("1", times[0]), ("2", times[1])]
    assert "分钟" not in html and "个项目" not in html and "项目数" not in html

    client.force_login(setup.administrator)
    html = client.get(reverse("scoring:defence_detail", args=[session.pk])).content.decode()
    assert _schedule_rows(html) == [("1", "09:00（20分钟）"), ("2", "09:20（30分钟）"), ("3", "09:50（15分钟）")]


@pytest.mark.django_db
def test_the_hidden_application_appears_nowhere_for_that_expert(client, setup, django_capture_on_commit_callbacks):
    """Pages, the feed and e-mails of the conflicted expert: no name, organisation, link or slot of
    the application they must avoid — before or after the conflict, and after a reschedule."""
    with django_capture_on_commit_callbacks(execute=True):
        session = setup.schedule()
    hidden = _hide(setup, 1)
    hidden_slot = session.slots.get(application=hidden)
    expert = setup.experts[0].user
    traces = [HIDDEN_PROJECT, HIDDEN_ORGANISATION, reverse("applications:edit", args=[hidden.pk]),
              f"slot_{hidden_slot.pk}"]
    client.force_login(expert)
    pages = [client.get(reverse(name, args=args)) for name, args in (
        ("scoring:defence_detail", [session.pk]), ("scoring:defence_mine", []), ("notifications", []),
        ("dashboard", []))]
    assert [p.status_code for p in pages] == [200, 200, 200, 200]
    for name, args in (("scoring:defence_list", [setup.programme.pk]), ("scoring:defence_edit", [session.pk]),
                       ("scoring:defence_new", [setup.programme.pk])):
        assert client.get(reverse(name, args=args)).status_code == 404
    response = client.post(reverse("scoring:defence_attendance", args=[session.pk]), {f"slot_{hidden_slot.pk}": "yes"})
    assert response.status_code == 404
    # The administrator takes the application out and moves the room: the expert is told again.
    with django_capture_on_commit_callbacks(execute=True):
        update_session(setup.administrator, session, setup.data(place="市局302会议室",
                                                                slots=[(setup.apps[0], 20), (setup.apps[2], 15)]))
    pages.append(client.get(reverse("notifications")))
    texts = [p.content.decode() for p in pages]
    texts += [f"{n.subject} {n.body} {n.link}" for n in Notification.objects.filter(recipient=expert)]
    texts += [f"{m.subject} {m.body}" for m in mail.outbox if expert.email in m.to]
    assert len(texts) > 5
    for text in texts:
        for trace in traces:
            assert trace not in text


@pytest.mark.django_db
def test_attendance_is_recorded_by_the_administrator(client, setup):
    session = setup.schedule()
    slots = list(session.slots.order_by("order"))
    url = reverse("scoring:defence_attendance", args=[session.pk])
    client.force_login(setup.experts[0].user)
    assert client.post(url, {f"slot_{slots[0].pk}": "yes"}).status_code == 404
    client.force_login(setup.administrator)
    response = client.post(url, {f"slot_{slots[0].pk}": "yes", f"slot_{slots[1].pk}": "no"})
    assert response.status_code == 302
    assert list(DefenceSlot.objects.order_by("order").values_list("attended", flat=True)) == [True, False, None]
    assert AuditEntry.objects.get(action="defence.attendance").changes[setup.apps[1].project_name] == [None, False]
    assert record_attendance(setup.administrator, session, {slots[0].pk: True}) == 0  # unchanged: no audit row


@pytest.mark.django_db
def test_scheduling_through_the_pages(client, setup):
    client.force_login(setup.administrator)
    new = reverse("scoring:defence_new", args=[setup.programme.pk])
    assert client.get(new).status_code == 200
    data = {"title": "线上场", "date": "2026-05-12", "start_time": "14:00", "end_time": "16:00", "place": "",
            "meeting_link": "https://meeting.example.cn/x", "panel": setup.panel.pk, "default_minutes": 25,
            f"app_{setup.apps[2].pk}_order": 1, f"app_{setup.apps[0].pk}_order": 2,
            f"app_{setup.apps[0].pk}_minutes": 40}
    response = client.post(new, data)
    assert response.status_code == 302
    session = DefenceSession.objects.get()
    assert [(s.application, timezone.localtime(s.starts_at).time(), s.minutes) for s in session.slots.all()] == [
        (setup.apps[2], dt.time(14), 25), (setup.apps[0], dt.time(14, 25), 40)]
    ConflictOfInterest.objects.create(expert=setup.experts[0], application=setup.apps[1], source="administrator",
                                      reason="同一集团")
    edit = reverse("scoring:defence_edit", args=[session.pk])
    response = client.post(edit, data | {f"app_{setup.apps[1].pk}_order": 3})
    assert response.status_code == 400 and "存在回避关系" in response.content.decode()
    assert session.slots.count() == 2
    assert client.get(reverse("scoring:defence_list", args=[setup.programme.pk])).status_code == 200
    client.force_login(setup.experts[0].user)
    assert client.get(new).status_code == 404 and client.get(edit).status_code == 404
