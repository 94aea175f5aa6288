"""Deadline reminders (截止提醒) of the registration and recommendation steps, sent by the beat
(applications.tasks) 72 h and 24 h before each deadline to the people who have not yet acted:

- applicants whose organisation has a draft not yet submitted, before the submission deadline;
- recommenders whose unit has applications waiting for its decision, before the recommendation
  deadline (the organiser's progress page counts them the same way: ``pending``).

Each reminder (deadline, its time, offset, person) is sent once: the audit trail records it
("reminder.sent" on the programme), and the next run reads what was sent. Only the latest window
that has opened is sent, so a programme created 30 h before its deadline gets the 24 h reminder,
not both. The helpers below are shared with scoring.reminders.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from portal.models import AuditEntry, Programme, ProgrammeStatus, User
from portal.models.organisations import MembershipStatus
from portal.services import audit
from portal.services.notify import notify

from .models import Application, ApplicationStatus
from .services.recommendation_queries import programme_progress

ACTION = "reminder.sent"


def due_offset(deadline, now=None) -> int | None:
    """The reminder offset (hours) whose window is open now: the smallest offset whose moment has
    passed, while the deadline has not. None outside every window."""
    now = now or timezone.now()
    if deadline is None or now >= deadline:
        return None
    opened = [h for h in settings.REMINDER_OFFSETS_HOURS if now >= deadline - timedelta(hours=h)]
    return min(opened) if opened else None


def _key(field: str, deadline, offset: int) -> str:
    # The deadline's value is part of the key: a moved deadline earns its own reminders.
    return f"{field}@{deadline.isoformat()}@{offset}h"


def already_reminded(programme, field: str, deadline, offset: int) -> set[int]:
    """Ids of the people already sent this reminder (read from the audit trail)."""
    rows = AuditEntry.objects.filter(
        action=ACTION, content_type=ContentType.objects.get_for_model(Programme), object_id=str(programme.pk),
    ).values_list("changes", flat=True)
    key = _key(field, deadline, offset)
    return {row["recipient"][1] for row in rows if row.get("reminder", [None, None])[1] == key}


def send_once(programme, field: str, offset: int, people_counts: dict, **params) -> list:
    """Notifies each person of ``people_counts`` ({user: n items waiting}) not reminded before with
    the catalogue's "reminder.<field>" (portal.messages: the programme's title, the deadline, n and
    ``params``), and records one audit row per person. Returns those reminded."""
    deadline = getattr(programme, field)
    values = {"title": programme.title, "deadline": deadline_text(deadline), **params}
    done = already_reminded(programme, field, deadline, offset)
    sent = []
    for person, n in sorted(people_counts.items(), key=lambda item: item[0].pk):
        if person.pk in done or not person.is_active:
            continue
        notify([person], f"reminder.{field}", params=values | {"n": n}, about=programme)
        audit.record(None, ACTION, programme, via="task", note=f"{field} {offset}h: {person.display_name}",
                     changes={"reminder": [None, _key(field, deadline, offset)], "recipient": [None, person.pk]})
        sent.append(person)
    return sent


def deadline_text(deadline) -> str:
    return timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")


def locked_programme(programme) -> Programme:
    """The programme row, locked: two overlapping runs send each reminder once all the same."""
    return Programme.objects.select_for_update().get(pk=programme.pk)


# --- applicants: drafts before the submission deadline -----------------------------------------


def waiting_applicants(programme) -> dict:
    """{applicant user: number of their organisation's drafts} in ``programme``."""
    drafts = defaultdict(int)
    for org_id in Application.objects.filter(programme=programme, status=ApplicationStatus.DRAFT).values_list(
            "organisation_id", flat=True):
        drafts[org_id] += 1
    people = User.objects.filter(
        membership__organisation_id__in=drafts, membership__status=MembershipStatus.APPROVED, is_active=True,
    ).values_list("pk", "membership__organisation_id")
    users = User.objects.in_bulk([pk for pk, _org in people])
    return {users[pk]: drafts[org] for pk, org in people}


@transaction.atomic
def remind_applicants(programme, now=None) -> list:
    offset = due_offset(programme.submission_deadline, now)
    if offset is None or programme.status != ProgrammeStatus.OPEN:
        return []
    programme = locked_programme(programme)
    return send_once(programme, "submission_deadline", offset, waiting_applicants(programme))


# --- recommenders: applications waiting for the unit's decision --------------------------------


def waiting_recommenders(programme) -> dict:
    """{recommender user: applications waiting for their unit's decision}."""
    pending = {row.unit.pk: row.pending for row in programme_progress(programme) if row.is_late}
    people = User.objects.filter(recommending_unit_id__in=pending, is_active=True)
    return {person: pending[person.recommending_unit_id] for person in people}


@transaction.atomic
def remind_recommenders(programme, now=None) -> list:
    offset = due_offset(programme.recommendation_deadline, now)
    if offset is None or programme.status not in (ProgrammeStatus.OPEN, ProgrammeStatus.RECOMMENDING):
        return []
    programme = locked_programme(programme)
    return send_once(programme, "recommendation_deadline", offset, waiting_recommenders(programme),
                     programme_id=programme.pk)


def send_deadline_reminders(now=None) -> int:
    """Every programme's registration and recommendation reminders that are due; how many sent."""
    sent = 0
    for programme in Programme.objects.filter(status__in=(ProgrammeStatus.OPEN, ProgrammeStatus.RECOMMENDING)):
        sent += len(remind_applicants(programme, now)) + len(remind_recommenders(programme, now))
    return sent
