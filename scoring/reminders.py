"""Deadline reminders of expert evaluation: 72 h and 24 h before a programme's scoring deadline,
to each expert with score sheets not yet submitted (the same "late" assignments as the
administrator's reminder button). Sent once per deadline, offset and expert; the helpers are
applications.reminders'."""

from collections import Counter

from django.db import transaction

from applications.reminders import due_offset, locked_programme, send_once
from portal.models import Programme, ProgrammeStatus, User
from scoring.services.assignment import late_assignments


def waiting_experts(programme) -> dict:
    """{expert user: unsubmitted score sheets} in ``programme``."""
    counts = Counter(late_assignments(programme).values_list("expert__user_id", flat=True))
    return {person: counts[person.pk] for person in User.objects.filter(pk__in=counts, is_active=True)}


@transaction.atomic
def remind_experts(programme, now=None) -> list:
    offset = due_offset(programme.scoring_deadline, now)
    if offset is None or programme.status != ProgrammeStatus.REVIEWING:
        return []
    programme = locked_programme(programme)
    return send_once(programme, "scoring_deadline", offset, waiting_experts(programme))


def send_deadline_reminders(now=None) -> int:
    """Every programme under review whose scoring reminder is due; how many sent."""
    return sum(len(remind_experts(p, now)) for p in Programme.objects.filter(status=ProgrammeStatus.REVIEWING))
