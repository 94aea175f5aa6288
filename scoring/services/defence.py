"""现场答辩 (DB31/T 1368—2022 §6.3.2): the administrator schedules sessions — date, time, place or
meeting link, panel, experts, applications in order — and the slot start times follow from the
session start and each slot's minutes. Applicants are told their slot (and told again when it
moves or is cancelled); seated experts are told too. A conflicted expert is never seated in a
session that holds the application they must avoid. Attendance is recorded per slot."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.messages import join, ref
from portal.models.organisations import MembershipStatus
from portal.models.users import Role
from portal.permissions import administers_programme, require
from portal.services import audit
from portal.services.errors import DomainError
from portal.services.notify import notify
from scoring.models import DefenceSession, DefenceSlot
from scoring.services.conflicts import blocking_conflicts

MAX_SLOT_MINUTES = 240


class InvalidSession(DomainError):
    def __init__(self, faults: list[str]):
        self.faults = faults
        super().__init__("；".join(faults))


@dataclass
class SessionInput:
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    meeting_link: str = ""
    panel: object = None
    experts: list = field(default_factory=list)  # ExpertProfile; empty with a panel: the panel's experts
    slots: list = field(default_factory=list)  # [(application, minutes)], in presentation order


# ---- what a session page shows (sessions_for, slots_for: scoring.visibility) -----------------------


def sees_whole_session(user) -> bool:
    """Administrators (and superusers) see every slot with its real number and length; everyone
    else who reaches a session page is a seated expert and sees the schedule of visible_slots."""
    return getattr(user, "is_superuser", False) or getattr(user, "role", None) != Role.EXPERT


def visible_slots(user, session) -> list[DefenceSlot]:
    """The slots of ``session`` a person may see, in order, each with ``position``: the number to
    show. Administrators: all of them, ``position`` the real ``order``. A seated expert: all but
    the applications they must avoid (a conflict declared after seating), numbered 1..n among
    what remains — the real order would leave a gap (1, 2, 4) that betrays the hidden one.

    Times: a visible slot keeps its real start time, which is true and which the expert needs to
    be there. What an expert is not shown is the length of each slot (nor, anywhere, a count or a
    total over the session): start + length against the next start would point at the hidden slot
    to the minute. Lengths are withheld from every expert, conflicted or not, so the page has the
    same form for all. A wider interval between two start times (or after the session's start)
    may still hint at something; that much follows from telling the truth about the times and
    proves nothing (slots differ in length). The session's own start and end are the
    administrator's bounds, not a sum of slots. Templates show ``position``, never ``order``."""
    slots = list(session.slots.select_related("application__organisation").order_by("order"))
    if sees_whole_session(user):
        for slot in slots:
            slot.position = slot.order
        return slots
    avoided = set(blocking_conflicts().filter(expert__user_id=user.pk)
                  .filter(application_id__in=[slot.application_id for slot in slots])
                  .values_list("application_id", flat=True))
    shown = [slot for slot in slots if slot.application_id not in avoided]
    for position, slot in enumerate(shown, start=1):
        slot.position = position
    return shown


def seating_conflicts(session):
    """Blocking conflicts between the seated experts and the session's applications (for the
    administrator: they can arise after seating)."""
    return blocking_conflicts().filter(
        expert__in=session.experts.all(), application__in=session.slots.values("application"),
    ).select_related("expert__user", "application")


# ---- checks -------------------------------------------------------------------------------------


def _check(programme, data: SessionInput, session=None) -> list[str]:
    faults = []
    if not data.title.strip():
        faults.append(_("请填写场次名称。"))
    if data.ends_at <= data.starts_at:
        faults.append(_("结束时间须晚于开始时间。"))
    if not (data.place.strip() or data.meeting_link.strip()):
        faults.append(_("请填写答辩地点或会议链接。"))
    if data.panel is not None and data.panel.programme_id != programme.pk:
        faults.append(_("评审组不属于本批次。"))
    seen = set()
    for application, minutes in data.slots:
        if application.programme_id != programme.pk:
            faults.append(_("项目“%(a)s”不属于本批次。") % {"a": application})
        if application.pk in seen:
            faults.append(_("项目“%(a)s”重复安排。") % {"a": application})
        seen.add(application.pk)
        if not 1 <= minutes <= MAX_SLOT_MINUTES:
            faults.append(_("项目“%(a)s”的答辩时长须在 1–%(m)d 分钟之间。")
                          % {"a": application, "m": MAX_SLOT_MINUTES})
    elsewhere = DefenceSlot.objects.filter(session__programme=programme, application_id__in=seen)
    if session is not None:
        elsewhere = elsewhere.exclude(session=session)
    for slot in elsewhere.select_related("session", "application"):
        faults.append(_("项目“%(a)s”已安排在场次“%(s)s”。")
                      % {"a": slot.application, "s": slot.session})
    end = data.starts_at + timedelta(minutes=sum(m for _a, m in data.slots))
    if data.slots and end > data.ends_at:
        faults.append(_("答辩安排至 %(end)s，超出场次结束时间 %(close)s。") % {
            "end": timezone.localtime(end).strftime("%H:%M"),
            "close": timezone.localtime(data.ends_at).strftime("%H:%M")})
    conflicts = blocking_conflicts().filter(
        expert__in=data.experts, application_id__in=seen,
    ).select_related("expert__user", "application")
    for conflict in conflicts:
        faults.append(_("专家%(e)s与项目“%(a)s”存在回避关系，不能安排在同一场答辩。")
                      % {"e": conflict.expert.name, "a": conflict.application})
    return faults


def _experts(data: SessionInput) -> list:
    if not data.experts and data.panel is not None:
        data.experts = list(data.panel.experts.all())
    return data.experts


# ---- notifications ------------------------------------------------------------------------------


def applicant_users(application) -> list:
    """The people who act for the application: its organisation's approved members."""
    members = application.organisation.memberships.filter(status=MembershipStatus.APPROVED).select_related("user")
    return [m.user for m in members] + ([application.created_by] if application.created_by_id else [])


def _where_param(session) -> dict:
    """The place and meeting link as a catalogue parameter (portal.messages), translated when read."""
    link = ref("fragment.meeting_link", link=session.meeting_link) if session.meeting_link else ""
    return join([session.place, link])


def _tell_applicants(slot, key) -> None:
    start = timezone.localtime(slot.starts_at)
    notify(applicant_users(slot.application), key, params={
        "title": slot.session.programme.title, "a": slot.application.project_name,
        "day": start.strftime("%Y-%m-%d"), "start": start.strftime("%H:%M"),
        "end": (start + timedelta(minutes=slot.minutes)).strftime("%H:%M"), "n": slot.order,
        "where": _where_param(slot.session)}, about=slot.application)


def _tell_experts(session, experts, key) -> None:
    start = timezone.localtime(session.starts_at)
    notify([e.user for e in experts], key, params={
        "title": session.title, "day": start.strftime("%Y-%m-%d"), "start": start.strftime("%H:%M"),
        "end": timezone.localtime(session.ends_at).strftime("%H:%M"), "where": _where_param(session),
        "session_id": session.pk}, about=session.programme)


# ---- services -----------------------------------------------------------------------------------


def _slot_state(session) -> dict:
    return {s.application_id: (s.starts_at, s.minutes, s.order) for s in session.slots.all()}


def _snapshot(session) -> dict:
    data = audit.snapshot(session)
    data["slots"] = [f"{s.order}. {s.application_id} {timezone.localtime(s.starts_at):%H:%M} {s.minutes}"
                     for s in session.slots.order_by("order")]
    return data


def _write(session, data: SessionInput) -> None:
    session.title, session.place = data.title.strip(), data.place.strip()
    session.meeting_link = data.meeting_link.strip()
    session.starts_at, session.ends_at, session.panel = data.starts_at, data.ends_at, data.panel
    session.full_clean(exclude=["programme"])
    session.save()
    session.experts.set(data.experts)
    session.slots.all().delete()
    start = data.starts_at
    for order, (application, minutes) in enumerate(data.slots, start=1):
        DefenceSlot.objects.create(session=session, application=application, order=order, starts_at=start,
                                   minutes=minutes)
        start += timedelta(minutes=minutes)


@transaction.atomic
def schedule_session(actor, programme, data: SessionInput, *, via: str = "web") -> DefenceSession:
    require(administers_programme(actor, programme))
    _experts(data)
    faults = _check(programme, data)
    if faults:
        raise InvalidSession(faults)
    session = DefenceSession(programme=programme)
    _write(session, data)
    audit.record(actor, "defence.schedule", session, changes=audit.diff({}, _snapshot(session)), via=via)
    for slot in session.slots.select_related("application", "session__programme"):
        _tell_applicants(slot, "defence.scheduled")
    _tell_experts(session, data.experts, "defence.invitation")
    return session


@transaction.atomic
def update_session(actor, session, data: SessionInput, *, via: str = "web") -> DefenceSession:
    """Reschedules: applicants whose slot is new or moved are told, removed ones told of the
    cancellation; experts newly seated (or all, when the time or place moved) are told."""
    session = DefenceSession.objects.select_for_update().select_related("programme").get(pk=session.pk)
    require(administers_programme(actor, session.programme))
    _experts(data)
    faults = _check(session.programme, data, session)
    if faults:
        raise InvalidSession(faults)
    before, old_slots = _snapshot(session), _slot_state(session)
    old_where = (session.starts_at, session.ends_at, session.place, session.meeting_link)
    old_experts = set(session.experts.values_list("pk", flat=True))
    removed = list(session.slots.exclude(application__in=[a for a, _m in data.slots]).select_related("application"))
    _write(session, data)
    audit.record(actor, "defence.update", session, changes=audit.diff(before, _snapshot(session)), via=via)
    moved_place = old_where != (session.starts_at, session.ends_at, session.place, session.meeting_link)
    for slot in session.slots.select_related("application", "session__programme"):
        previous = old_slots.get(slot.application_id)
        if previous is None:
            _tell_applicants(slot, "defence.scheduled")
        elif moved_place or previous != (slot.starts_at, slot.minutes, slot.order):
            _tell_applicants(slot, "defence.changed")
    for slot in removed:
        notify(applicant_users(slot.application), "defence.cancelled", params={
            "title": session.programme.title, "a": slot.application.project_name, "s": session.title},
            about=slot.application)
    seated = [e for e in data.experts if moved_place or e.pk not in old_experts]
    _tell_experts(session, seated, "defence.session")
    return session


@transaction.atomic
def record_attendance(actor, session, attendance: dict, *, via: str = "web") -> int:
    """``attendance``: {slot pk: True (出席) / False (缺席) / None (未记录)}. Returns changed slots."""
    require(administers_programme(actor, session.programme))
    changes = {}
    for slot in session.slots.select_for_update().select_related("application"):
        if slot.pk in attendance and attendance[slot.pk] != slot.attended:
            changes[slot.application.project_name] = [slot.attended, attendance[slot.pk]]
            slot.attended = attendance[slot.pk]
            slot.save(update_fields=["attended"])
    if changes:
        audit.record(actor, "defence.attendance", session, changes=changes, via=via)
    return len(changes)

