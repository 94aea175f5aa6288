"""Ending an assignment: recusal (a blocking conflict met it) or removal (the administrator took it
back). Either way a score sheet that is not part of the result any more is discarded — deleted —
with its full content kept in the audit trail.

The expert is told that a task was withdrawn, never which project or why: the reason may be the
applicant's own declaration (申请回避), which is confidential (§5.2).
"""

from django.db import transaction
from django.utils import timezone

from portal.models import User
from portal.models.users import Role
from portal.services import audit
from portal.services.notify import notify, visibility_changed
from scoring.models import Assignment, AssignmentStatus, Score


def programme_administrators(programme):
    return User.objects.filter(role=Role.ADMINISTRATOR, organiser_id=programme.organiser_id, is_active=True)


def score_content(score: Score) -> dict:
    """Everything an expert wrote on a sheet, as plain JSON for the audit trail."""
    items = [
        {
            "criterion": item.criterion.code,
            "band": item.band_id and str(item.band),
            "bonus_level": item.bonus_level_id and str(item.bonus_level),
            "points": None if item.points is None else str(item.points),
            "comment": item.comment,
        }
        for item in score.items.select_related("criterion", "band", "bonus_level")
    ]
    return {
        "status": score.status,
        "total": str(score.total),
        "overall_comment": score.overall_comment,
        "submitted_at": score.submitted_at.isoformat() if score.submitted_at else None,
        "items": items,
    }


def discard_score(actor, assignment: Assignment, *, reason: str, via: str = "web") -> dict | None:
    """Deletes the assignment's score sheet (draft or submitted) after recording its content."""
    score = Score.objects.filter(assignment=assignment).first()
    if score is None:
        return None
    content = score_content(score)
    audit.record(actor, "score.discard", score, changes={k: [v, None] for k, v in content.items()},
                 note=reason, via=via, programme=assignment.application.programme_id)
    score.delete()
    return content


@transaction.atomic
def end_assignment(actor, assignment: Assignment, *, status: str, reason: str, via: str = "web") -> Assignment:
    """Marks an active assignment recused or removed, discards its score, audits and notifies."""
    assignment = Assignment.objects.select_for_update().select_related(
        "application__programme", "expert__user").get(pk=assignment.pk)
    if assignment.status != AssignmentStatus.ACTIVE:
        return assignment
    before = assignment.status
    assignment.status = status
    assignment.ended_at = timezone.now()
    assignment.end_reason = str(reason)[:300]
    assignment.save(update_fields=["status", "ended_at", "end_reason"])
    discarded = discard_score(actor, assignment, reason=reason, via=via)
    action = "assignment.recuse" if status == AssignmentStatus.RECUSED else "assignment.remove"
    audit.record(actor, action, assignment, changes={
        "status": [before, status], "end_reason": ["", assignment.end_reason],
        "score_discarded": [None, bool(discarded)],
    }, via=via, programme=assignment.application.programme_id)
    programme = assignment.application.programme
    # The expert no longer sees the application: their cached unread count may hold notifications about it.
    visibility_changed([assignment.expert.user_id])
    notify([assignment.expert.user], "assignment.withdrawn", params={"programme": programme.title}, about=programme)
    if status == AssignmentStatus.RECUSED:
        notify(programme_administrators(programme), "assignment.recused", params={
            "expert": assignment.expert.name, "project": assignment.application.project_name,
            "reason": assignment.end_reason}, about=assignment.application)
    return assignment


def recuse_pairs(actor, pairs, *, reason_for, via: str = "system") -> list[Assignment]:
    """Recuses every active assignment among ``pairs`` ((application_id, expert_id)).
    ``reason_for(pair)`` gives the recorded reason."""
    pairs = set(pairs)
    if not pairs:
        return []
    app_ids = {a for a, _e in pairs}
    candidates = Assignment.objects.filter(application_id__in=app_ids, status=AssignmentStatus.ACTIVE)
    ended = []
    for assignment in candidates.order_by("pk"):
        pair = (assignment.application_id, assignment.expert_id)
        if pair in pairs:
            ended.append(end_assignment(actor, assignment, status=AssignmentStatus.RECUSED,
                                        reason=reason_for(pair), via=via))
    return ended
