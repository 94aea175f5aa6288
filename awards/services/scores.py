"""Feeds the pure aggregation (awards.aggregation) from the database in a constant number of queries.

Only SUBMITTED scores of ACTIVE assignments count: a recused or removed expert's score and any draft
are left out everywhere (ranking, exports, flags)."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connections
from django.db.models import Count, FloatField, Max, Q, Sum
from django.db.models.functions import Cast

from applications.models import Application
from portal.models import AuditEntry, District, ProjectCategory, RecommendingUnit
from scoring.models import (
    Assignment,
    AssignmentStatus,
    Criterion,
    CriterionScore,
    ExpertProfile,
    Panel,
    ProgrammeRubric,
    Score,
    ScoreStatus,
)

from .. import aggregation as agg
from ..models import AwardSettings


@dataclass
class ExpertScore:
    score_id: int
    expert_id: int
    total: float
    points: dict[int, float] = field(default_factory=dict)  # criterion id → points
    sections: list[float] = field(default_factory=list)  # subtotal per rubric section, in order


@dataclass
class ApplicationScores:
    application: Application
    scores: list[ExpertScore]
    total: agg.Summary
    sections: list[agg.Summary]
    criterion_ids: list[int]
    trim: int
    normalised_z: float | None = None
    normalised_points: float | None = None
    disagreement: bool = False

    @cached_property
    def criteria(self) -> dict[int, agg.Summary]:
        """Criterion id → summary: summarised when first read (the score page, the exports), not
        for the ranking, which needs only the totals and the section subtotals."""
        return {pk: agg.summarise([s.points[pk] for s in self.scores if pk in s.points], self.trim)
                for pk in self.criterion_ids}

    def statistic(self, name: str) -> float | None:
        return self.total.statistic(name)

    def section_statistic(self, index: int, name: str) -> float | None:
        return self.sections[index].statistic(name) if index < len(self.sections) else None


@dataclass
class ProgrammeScores:
    programme: object
    settings: AwardSettings
    sections: list  # RubricSection, in order
    criteria: list  # Criterion, in rubric order
    applications: list[ApplicationScores]
    experts: dict[int, agg.ExpertBias]
    expert_names: dict[int, str]

    def expert_labels(self, anonymise: bool) -> dict[int, str]:
        """Names for administrators; 专家1, 专家2 … (by expert number) when anonymised."""
        if not anonymise:
            return self.expert_names
        return {pk: f"专家{n}" for n, pk in enumerate(sorted(self.expert_names), start=1)}


def settings_for(programme) -> AwardSettings:
    found = AwardSettings.objects.filter(programme=programme).first()
    return found or AwardSettings.objects.create(programme=programme)


def counted_scores(programme):
    """The scores that count: submitted, by an expert whose assignment is still active."""
    return Score.objects.filter(
        status=ScoreStatus.SUBMITTED,
        assignment__status=AssignmentStatus.ACTIVE,
        assignment__application__programme=programme,
    )


def filter_applications(qs, *, category=None, panel=None):
    if category:
        qs = qs.filter(category_id=category)
    if panel:
        qs = qs.filter(category__in=Panel.objects.filter(pk=panel).values("categories"))
    return qs


SETTINGS_FIELDS = ("pk", "updated_at", "ranking_statistic", "trim_min_scores", "disagreement_threshold",
                   "bias_z_threshold", "tier_method", "first_value", "second_value", "third_value")


def version(programme, settings) -> tuple:
    """A key that changes whenever anything load() reads changes (4 small aggregate queries).

    Two independent witnesses, so that neither a service nor a direct write can slip past:
    * the programme's audit trail: every change of a score (save, submit, reopen, discard), an
      assignment, a tier or the settings writes an audit row for the programme in the same
      transaction; the trail is append-only, so its (count, last id) grows with every commit (the
      count also catches a transaction that commits after one with a higher id);
    * the rows themselves: assignments (count, ids, status, ended_at) and their scores (count, ids,
      lock_version, updated_at, status, total): a sheet's points are written only with its Score row
      (lock_version + 1 and auto_now updated_at in the same transaction); the applications' and
      organisations' updated_at and the names of every category, recommending unit and district.
    The expert names, the tier overrides and the determination are read afresh on every build."""
    trail = AuditEntry.objects.filter(programme=programme).aggregate(n=Count("pk"), last=Max("pk"))
    active, submitted = Q(status=AssignmentStatus.ACTIVE), Q(score__status=ScoreStatus.SUBMITTED)
    sheets = Assignment.objects.filter(application__programme=programme).aggregate(
        n=Count("pk"), last=Max("pk"), active=Count("pk", filter=active), active_ids=Sum("pk", filter=active),
        ended=Max("ended_at"), scores=Count("score"), score_ids=Sum("score"), locks=Sum("score__lock_version"),
        saved=Max("score__updated_at"), submitted=Sum("score", filter=submitted), points=Sum("score__total"),
    )
    changed = Application.objects.filter(programme=programme).aggregate(
        apps=Max("updated_at"), organisations=Max("organisation__updated_at"))
    names = [tuple(model.objects.order_by("pk").values_list("pk", "name"))
             for model in (ProjectCategory, RecommendingUnit, District)]
    rubric = ProgrammeRubric.objects.filter(programme=programme).values_list("pk", "rubric_id", "assigned_at").first()
    return (programme.pk, tuple(getattr(settings, f) for f in SETTINGS_FIELDS), tuple(trail.values()),
            tuple(sheets.values()), tuple(changed.values()), tuple(names), rubric)


def load(programme, settings=None) -> ProgrammeScores:
    """Everything the ranking, the score sheet and the flags need (7 queries, whatever the size)."""
    settings = settings or settings_for(programme)
    criteria = list(
        Criterion.objects.filter(section__rubric__programme_links__programme=programme).select_related("section")
        .order_by("section__order", "section__pk", "order", "pk")
    )
    sections = list({c.section_id: c.section for c in criteria}.values())
    section_index = {s.pk: i for i, s in enumerate(sections)}
    applications = list(
        Application.objects.filter(programme=programme, assignments__isnull=False).distinct()
        .select_related("organisation__district", "category", "recommender").order_by("pk")
    )
    scores: dict[int, ExpertScore] = {}
    by_app: dict[int, list[ExpertScore]] = defaultdict(list)
    for score_id, app_id, expert_id, total in counted_scores(programme).values_list(
        "pk", "assignment__application_id", "assignment__expert_id", "total"
    ).order_by("assignment__expert_id"):
        row = ExpertScore(score_id, expert_id, float(total), sections=[0.0] * len(sections))
        scores[score_id] = row
        by_app[app_id].append(row)
    # Points as floats straight from the database (no Decimal per row: ~100,000 of them at 2,000
    # applications); the rubric's criteria say which section each belongs to.
    section_of = {c.pk: section_index[c.section_id] for c in criteria}
    for score_id, criterion_id, points in _rows(CriterionScore.objects.filter(
        score__in=counted_scores(programme), points__isnull=False
    ).values_list("score_id", "criterion_id", Cast("points", FloatField()))):
        row = scores.get(score_id)
        if row is None:
            continue
        row.points[criterion_id] = points
        if criterion_id in section_of:
            row.sections[section_of[criterion_id]] += points
    for row in scores.values():  # sums of points to 0.1: exact again, whatever order the rows came in
        row.sections = [round(v, 1) for v in row.sections]

    totals = {(app_id, s.expert_id): s.total for app_id, rows in by_app.items() for s in rows}
    bias = agg.expert_bias(totals, float(settings.bias_z_threshold))
    normalised = agg.normalise(totals)
    trim = settings.trim_min_scores
    threshold = float(settings.disagreement_threshold)
    criterion_ids = [c.pk for c in criteria]
    result = []
    for application in applications:
        rows = by_app.get(application.pk, [])
        total = agg.summarise([s.total for s in rows], trim)
        z, points = normalised.get(application.pk, (None, None))
        result.append(ApplicationScores(
            application=application, scores=rows, total=total,
            sections=[agg.summarise([s.sections[i] for s in rows], trim) for i in range(len(sections))],
            criterion_ids=criterion_ids, trim=trim,
            normalised_z=z, normalised_points=points,
            disagreement=bool(total.n >= 2 and total.spread is not None and total.spread > threshold + 1e-9),
        ))
    data = ProgrammeScores(programme, settings, sections, criteria, result, bias, {})
    data.expert_names = expert_names(data)
    return data


def _rows(queryset):
    """The queryset's rows as the database driver gives them: its SQL, without Django's per-row
    converters (plain ints and floats here; ~100,000 rows at 2,000 applications)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        yield from cursor


def expert_names(data: ProgrammeScores) -> dict[int, str]:
    """The display names of the experts who scored (read afresh: a name may change while figures stay),
    as User.display_name gives them."""
    rows = ExpertProfile.objects.filter(pk__in=list(data.experts)).values_list(
        "pk", "user__full_name", "user__first_name", "user__last_name", "user__username")
    return {pk: full or f"{first} {last}".strip() or username for pk, full, first, last, username in rows}
