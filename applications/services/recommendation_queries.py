"""Read side of the recommendation step: live endorsements, quotas, the workspace's counts and
the organiser's progress page. Each function runs a fixed number of queries.

A unit's *live endorsements* are its non-superseded endorse rows on applications still standing
on them: for a street, applications in endorsed_by_street or endorsed; for any other unit,
applications in endorsed. These fill the quota, the ranking and the unit's Annex 2 table.

Self-declared applications (自行申报) need no recommender: once submitted they count as endorsed
by themselves in the organiser's lists (``recommended_applications``, the progress page and the
combined Annex 2 table). Their status stays "submitted", so the organiser can still return them.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from portal.models import Programme, ProgrammeStatus, RecommendingUnit
from portal.models.organisations import RecommendingUnitKind
from portal.models.users import Role
from portal.visibility import programmes_for

from ..models import Application, ApplicationStatus, DecisionKind, RecommendationDecision
from ..permissions import is_street

S = ApplicationStatus
STREET_LIVE = (S.ENDORSED_BY_STREET, S.ENDORSED)
FINAL_LIVE = (S.ENDORSED,)


def live_statuses(unit) -> tuple:
    return STREET_LIVE if is_street(unit) else FINAL_LIVE


def live_endorsements(programme, unit):
    """The unit's live endorse rows in ``programme``, in its ranking order."""
    return (
        RecommendationDecision.objects.filter(
            unit=unit, kind=DecisionKind.ENDORSE, superseded_at__isnull=True,
            application__programme=programme, application__status__in=live_statuses(unit),
        )
        .order_by("rank", "decided_at", "pk")
    )


def endorsement_count(programme, unit) -> int:
    return live_endorsements(programme, unit).count()


def live_verdict(application, unit):
    """The unit's live endorse/decline row on ``application`` (or None)."""
    return RecommendationDecision.objects.filter(
        application=application, unit=unit, superseded_at__isnull=True,
        kind__in=(DecisionKind.ENDORSE, DecisionKind.DECLINE),
    ).first()


def recommender_programmes(user):
    """programmes_for(user), plus for a district bureau the programmes that accept its streets:
    it reviews what they endorse even when the call names only the streets."""
    programmes = programmes_for(user)
    unit = user.recommending_unit if user.role == Role.RECOMMENDER else None
    if unit is None or unit.kind != RecommendingUnitKind.DISTRICT_BUREAU:
        return programmes
    streets = Programme.objects.filter(accepted_units__parent=unit).exclude(status=ProgrammeStatus.DRAFT)
    return Programme.objects.select_related("organiser", "district").filter(
        Q(pk__in=programmes.values("pk")) | Q(pk__in=streets.values("pk"))
    )


def recommended_applications(programme):
    """What reaches the organiser: endorsed applications, and self-declared ones once submitted."""
    return Application.objects.filter(programme=programme).filter(
        Q(status=S.ENDORSED) | Q(self_declared=True, status=S.SUBMITTED)
    )


def status_counts(queryset) -> dict[str, int]:
    """{status: n} over ``queryset`` (one query), with every status present."""
    found = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {value: found.get(value, 0) for value in S.values if value != S.DRAFT}


# --- the organiser's progress page ----------------------------------------------------------


@dataclass
class UnitProgress:
    unit: RecommendingUnit | None  # None: the self-declared row
    received: int = 0
    endorsed: int = 0
    returned: int = 0
    declined: int = 0
    pending: int = 0
    quota: int | None = None
    notes: list = field(default_factory=list)

    @property
    def is_late(self) -> bool:
        return self.unit is not None and self.pending > 0


def programme_progress(programme) -> list[UnitProgress]:
    """One row per recommending unit of the programme (accepted units, their district bureaus and
    any unit an application names), then the self-declared row. Four queries in all.

    received: applications in the unit's queue (named it past draft; for a bureau also its
    streets' once endorsed). endorsed / declined: the unit's live verdicts. returned: received
    applications now back with the applicant. pending: waiting for this unit's decision."""
    apps = Application.objects.filter(programme=programme).exclude(status=S.DRAFT)
    street_endorsed = RecommendationDecision.objects.filter(
        application=OuterRef("pk"), unit_id=OuterRef("recommender_id"), kind=DecisionKind.ENDORSE
    )
    groups = list(
        apps.filter(recommender__isnull=False)
        .annotate(street_endorsed=Exists(street_endorsed))
        .values_list("recommender_id", "recommender__parent_id", "status", "street_endorsed")
        .annotate(n=Count("pk")).order_by()
    )
    verdicts = list(
        RecommendationDecision.objects.filter(
            application__programme=programme, superseded_at__isnull=True,
            kind__in=(DecisionKind.ENDORSE, DecisionKind.DECLINE), unit__isnull=False,
        )
        .values_list("unit_id", "kind", "application__status").annotate(n=Count("pk")).order_by()
    )
    unit_ids = {g[0] for g in groups} | {g[1] for g in groups if g[1]} | {v[0] for v in verdicts}
    units = list(
        RecommendingUnit.objects.filter(
            Q(pk__in=unit_ids) | Q(programmes=programme) | Q(children__programmes=programme)
        ).distinct().select_related("district", "parent").order_by("kind", "district__order", "name")
    )
    rows = {u.pk: UnitProgress(u, quota=programme.endorsement_quota) for u in units}
    for recommender_id, parent_id, status, endorsed_by_street, n in groups:
        own = rows.get(recommender_id)
        if own is not None:
            own.received += n
            own.returned += n if status == S.RETURNED else 0
            own.pending += n if status == S.SUBMITTED else 0
        bureau = rows.get(parent_id) if parent_id and endorsed_by_street else None
        if bureau is not None and own is not None and is_street(own.unit):
            bureau.received += n
            bureau.returned += n if status == S.RETURNED else 0
            bureau.pending += n if status == S.ENDORSED_BY_STREET else 0
    for unit_id, kind, status, n in verdicts:
        row = rows.get(unit_id)
        if row is None:
            continue
        if kind == DecisionKind.ENDORSE and status in live_statuses(row.unit):
            row.endorsed += n
        elif kind == DecisionKind.DECLINE and status == S.DECLINED:
            row.declined += n
    result = list(rows.values())
    own_counts = status_counts(apps.filter(self_declared=True))
    result.append(UnitProgress(
        None, received=sum(own_counts.values()), endorsed=own_counts[S.SUBMITTED],
        returned=own_counts[S.RETURNED],
    ))
    return result
