"""Scoring progress for administrators. (Who may open which score sheet: scoring.visibility.
score_sheets_for; reminders to experts with unsubmitted scores: scoring.services.assignment.
send_reminders, used by both progress pages.)"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from scoring.models import Assignment, AssignmentStatus, ScoreStatus
from scoring.services.conflicts import blocking_conflict_subquery


def _submitted():
    return Count("pk", filter=Q(score__status=ScoreStatus.SUBMITTED))


def _count(assignments) -> Coalesce:
    """How many of ``assignments`` belong to the outer application: a correlated subquery, so the
    page's 50 rows are counted alone (an annotated Count grouped every application by all its columns)."""
    counted = (assignments.filter(application_id=OuterRef("pk")).order_by().values("application_id")
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def scoring_progress(programme) -> dict:
    """Per expert: submitted / assigned (active assignments); per application: submitted scores /
    active assignments, with the recused count beside it."""
    active = (Assignment.objects.filter(application__programme=programme, status=AssignmentStatus.ACTIVE)
              .exclude(blocking_conflict_subquery()))
    experts = list(
        active.values("expert_id", "expert__user__full_name", "expert__user__username", "expert__work_unit")
        .annotate(total=Count("pk"), done=_submitted(), drafts=Count("pk", filter=Q(score__status=ScoreStatus.DRAFT)))
        .order_by("expert__user__full_name", "expert_id")
    )
    # A queryset: the page shows it 50 at a time (the prefetch runs on the page's slice only).
    in_force = Assignment.objects.filter(status=AssignmentStatus.ACTIVE)
    applications = (
        programme.applications.filter(Exists(Assignment.objects.filter(application_id=OuterRef("pk"))))
        .annotate(
            assigned=_count(in_force),
            submitted=_count(in_force.filter(score__status=ScoreStatus.SUBMITTED)),
            recused=_count(Assignment.objects.filter(status=AssignmentStatus.RECUSED)),
        )
        .select_related("organisation").order_by("pk")
        .prefetch_related(Prefetch("assignments", to_attr="sheets", queryset=Assignment.objects.filter(
            status=AssignmentStatus.ACTIVE).select_related("expert__user", "score").order_by("pk")))
    )
    total = sum(row["total"] for row in experts)
    done = sum(row["done"] for row in experts)
    return {
        "experts": [row | {"late": row["done"] < row["total"]} for row in experts],
        "applications": applications,
        "total": total,
        "done": done,
        "percent": round(done * 100 / total) if total else 0,
        "deadline_passed": bool(programme.scoring_deadline and timezone.now() > programme.scoring_deadline),
    }
