"""Scoring (评分): an assigned expert saves a draft, submits (which locks the sheet), and an
administrator of the programme may reopen a submitted sheet with a reason.

Every rule is here: who may score (the assigned expert, on an active assignment with no blocking
conflict, pledged, while the programme is reviewing and before its scoring deadline), what a valid
sheet is (a band of the criterion, points inside it and not above the maximum, whole points or .5
when the rubric allows it, a comment for the lowest band, a level or an explicit "no bonus" for a
bonus criterion), optimistic locking on Score.lock_version, and the total (computed here only).
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import ProgrammeStatus
from portal.permissions import ALLOW, Decision, administers_programme, deny
from portal.services import audit
from portal.services.errors import DomainError, InvalidTransition, PermissionDenied
from portal.services.notify import notify
from scoring.models import (
    Assignment,
    AssignmentStatus,
    ConfidentialityPledge,
    CriterionKind,
    CriterionScore,
    ProgrammeRubric,
    Rubric,
    RubricSection,
    Score,
    ScoreStatus,
)
from scoring.permissions import expert_profile_of, has_pledged
from scoring.services.conflicts import blocking_conflict_subquery, is_blocked

# ---- errors -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    criterion_id: int | None  # None: the sheet as a whole
    part: str  # band | points | comment | level
    message: str


class ScoreRejected(DomainError):
    """The sheet breaks a scoring rule; ``faults`` say where."""

    def __init__(self, faults: list[Fault]):
        self.faults = faults
        super().__init__(_("评分有误，请按提示修改。"))


class StaleScore(DomainError):
    """Optimistic locking: the sheet was saved elsewhere since this form was loaded."""


# ---- permission predicates ----------------------------------------------------------------------


def is_assigned_expert(user, assignment) -> Decision:
    if getattr(user, "is_authenticated", False) and assignment.expert.user_id == user.pk:
        return ALLOW
    return deny(_("只有被分配的专家本人可以评分。"))


def assignment_in_force(assignment, *, screened: bool = False) -> Decision:
    if assignment.status == AssignmentStatus.RECUSED:
        return deny(_("该分配已回避，不能评分。"))
    if assignment.status != AssignmentStatus.ACTIVE:
        return deny(_("该分配已撤销，不能评分。"))
    if not screened and is_blocked(assignment.expert_id, assignment.application_id):
        return deny(_("您与该项目存在回避关系，不能评分。"))
    return ALLOW


def scoring_open(programme, now=None) -> Decision:
    if programme.status != ProgrammeStatus.REVIEWING:
        return deny(_("该批次不在专家评价阶段，不能评分。"))
    deadline = programme.scoring_deadline
    if deadline is not None and (now or timezone.now()) > deadline:
        return deny(_("评分已于 %(t)s 截止。")
                    % {"t": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")})
    return ALLOW


def may_score(user, assignment, *, screened: bool = False) -> Decision:
    """The first refusal of: the assigned expert, an assignment in force, the pledge, scoring open.

    ``screened``: the caller has just read that this expert pledged and has no blocking conflict
    for the pair (the score sheet's look-up through scoring.visibility.assignments_for, see
    visibility.screens_experts; save_score's locked read), so those two look-ups are skipped."""
    programme = assignment.application.programme
    checks = (lambda: is_assigned_expert(user, assignment),
              lambda: assignment_in_force(assignment, screened=screened),
              lambda: ALLOW if screened else has_pledged(user, programme), lambda: scoring_open(programme))
    for check in checks:
        decision = check()
        if not decision:
            return decision
    return ALLOW


def may_reopen(user, score) -> Decision:
    decision = administers_programme(user, score.assignment.application.programme)
    if not decision:
        return decision
    if score.status != ScoreStatus.SUBMITTED:
        return deny(_("只有已提交的评分可以退回修改。"))
    return ALLOW


# ---- the sheet ----------------------------------------------------------------------------------


@dataclass
class ItemInput:
    """What the form says about one criterion."""

    criterion_id: int
    band_id: int | None = None
    points: Decimal | None = None
    comment: str = ""
    bonus_level_id: int | None = None
    no_bonus: bool = False  # bonus criterion: the expert chose "none" (0 points)


def rubric_criteria(rubric) -> list:
    """The rubric's criteria in order, with bands and bonus levels loaded. The rows are kept on
    ``rubric`` (rubric.sections.all(), their criteria, bands and levels read them afterwards)."""
    prefetch_related_objects([rubric], Prefetch(
        "sections", queryset=RubricSection.objects.order_by("order", "pk").prefetch_related(
            "criteria__bands", "criteria__bonus_levels")))
    return [c for s in rubric.sections.all() for c in sorted(s.criteria.all(), key=lambda c: (c.order, c.pk))]


# The programme's rubric as the score sheet reads it, kept per process: {(rubric pk, link pk, link
# assigned_at): (rubric, criteria)}. A rubric linked to a programme is frozen (services.rubrics.
# ensure_editable, the admin), so what was read stays true while the link lasts. It can only be
# edited while no programme uses it, and linking it afterwards stamps a new assigned_at, so an edited
# rubric is never answered from an old entry. Small: a few rubrics are in use at a time.
_SHEET_RUBRICS: dict[tuple, tuple] = {}
_SHEET_RUBRICS_MAX = 32


def programme_rubric(programme) -> tuple:
    """(rubric, its criteria as rubric_criteria gives them) of ``programme``, or (None, []).

    Reads only the programme's link (none when the caller select_related
    "programme__rubric_link"); the rubric's rows come from the per-process memo above. The objects
    are shared between requests: read them, never change them."""
    try:
        link = programme.rubric_link
    except ProgrammeRubric.DoesNotExist:
        return None, []
    key = (link.rubric_id, link.pk, link.assigned_at)
    found = _SHEET_RUBRICS.get(key)
    if found is None:
        rubric = Rubric.objects.get(pk=link.rubric_id)
        found = (rubric, rubric_criteria(rubric))
        if len(_SHEET_RUBRICS) >= _SHEET_RUBRICS_MAX:
            _SHEET_RUBRICS.clear()
        _SHEET_RUBRICS[key] = found
    return found


def lowest_band(criterion):
    return min(criterion.bands.all(), key=lambda b: b.min_points, default=None)


def _points_fault(points: Decimal, half: bool) -> str:
    step = points * 2 if half else points
    if step != step.to_integral_value():
        return (_("得分须为整数或 .5 分。") if half
                else _("得分须为整数。"))
    return ""


def _as_stored(points: Decimal) -> Decimal:
    """Points as the database gives them back (one decimal place, "9" → 9.0), so that the sheet
    written can be described without reading it again. Checked points are never negative (abs only
    turns a typed "-0" into 0.0, as the database would)."""
    return abs(points).quantize(Decimal("0.1"))


def check_items(rubric, items: list[ItemInput], *, complete: bool) -> tuple[dict, list[Fault]]:
    """Checks every item against the rubric. Returns ({criterion pk: (criterion, band, level,
    points, comment)}, faults). ``complete`` (submission) also needs every criterion scored."""
    given = {item.criterion_id: item for item in items}
    cleaned, faults = {}, []
    for criterion in rubric_criteria(rubric):
        item = given.get(criterion.pk) or ItemInput(criterion.pk)
        fault = RULES[criterion.kind].check(rubric, criterion, item, complete)
        if fault:
            faults.append(Fault(criterion.pk, *fault))
            continue
        band = next((b for b in criterion.bands.all() if b.pk == item.band_id), None)
        level = next((v for v in criterion.bonus_levels.all() if v.pk == item.bonus_level_id), None)
        points = RULES[criterion.kind].points(item, level)
        if points is not None:
            points = _as_stored(points)
        if band or level or points is not None or item.comment.strip():
            cleaned[criterion.pk] = (criterion, band, level, points, item.comment.strip())
    return cleaned, faults


def _check_level(rubric, criterion, item: ItemInput, complete: bool):
    """A bonus criterion: (part, message) of the item's first fault, or None."""
    if item.bonus_level_id is not None and item.bonus_level_id not in {v.pk for v in criterion.bonus_levels.all()}:
        return "level", _("所选等级不属于该加分项。")
    if complete and item.bonus_level_id is None and not item.no_bonus:
        return "level", _("请为加分项“%(c)s”选择等级或“不加分”。") % {"c": f"{criterion.code} {criterion.name}"}
    return None


def _check_band(rubric, criterion, item: ItemInput, complete: bool):
    """A normal criterion: (part, message) of the item's first fault, or None."""
    name = f"{criterion.code} {criterion.name}"
    band = next((b for b in criterion.bands.all() if b.pk == item.band_id), None)
    if item.band_id is not None and band is None:
        return "band", _("所选分档不属于该评价内容。")
    if item.points is not None:
        if band is None:
            return "band", _("请先选择分档，再填写得分。")
        message = _points_fault(item.points, rubric.allows_half_points)
        if message:
            return "points", message
        if item.points > criterion.max_points:
            return "points", _("得分超过该项满分 %(max)s 分。") % {"max": criterion.max_points}
        if not band.min_points <= item.points <= band.max_points:
            return "points", _("得分须在所选分档 %(band)s 分之内。") % {"band": band.points_label}
    if complete:
        if band is None:
            return "band", _("请为“%(c)s”选择分档。") % {"c": name}
        if item.points is None:
            return "points", _("请为“%(c)s”填写得分。") % {"c": name}
        lowest = lowest_band(criterion)
        if lowest is not None and band.pk == lowest.pk and not item.comment.strip():
            return "comment", _("选择最低档时须填写评语。")
    return None


@dataclass(frozen=True)
class KindRules:
    """What a kind of criterion checks and scores; the score form's reading of it is
    scoring.forms_scores.INPUTS, keyed the same way. A new kind is one entry in each."""

    check: Callable  # (rubric, criterion, item, complete) -> (part, message) | None
    points: Callable  # (item, chosen level) -> points before rounding, or None: not scored


RULES = {
    CriterionKind.NORMAL: KindRules(_check_band, lambda item, level: item.points),
    CriterionKind.BONUS: KindRules(
        _check_level, lambda item, level: Decimal(level.value) if level else (Decimal(0) if item.no_bonus else None)),
}


def load_items(score) -> None:
    """Loads the score's items with their band and level into score.items.all(), once."""
    prefetch_related_objects([score], Prefetch("items", queryset=CriterionScore.objects.select_related(
        "band", "bonus_level")))


def _stored_items(score) -> list:
    return list(score.items.select_related("criterion", "band", "bonus_level"))


def _snapshot(score, items=None) -> dict:
    data = {"status": score.status, "total": f"{Decimal(score.total):.1f}", "overall_comment": score.overall_comment}
    for item in _stored_items(score) if items is None else items:
        choice = item.band.points_label if item.band else (item.bonus_level.label if item.bonus_level else "")
        data[item.criterion.code] = f"{choice} / {item.points if item.points is not None else '—'} / {item.comment}"
    return data


def _write_items(score, cleaned: dict, stored: list) -> tuple[Decimal, list]:
    """Writes the sheet's items: deletes those no longer given, inserts the new ones and updates
    the changed ones (``stored``: the items as read before), a statement for each kind at most.
    Returns the total and the items as they now stand (for the audit snapshot, without a read)."""
    stored = {item.criterion_id: item for item in stored}
    if any(pk not in cleaned for pk in stored):
        score.items.exclude(criterion_id__in=list(cleaned)).delete()
    new, changed, written = [], [], []
    total = Decimal(0)
    for criterion, band, level, points, comment in cleaned.values():
        values = {"band": band, "bonus_level": level, "points": points, "comment": comment}
        item = stored.get(criterion.pk)
        if item is None:
            item = CriterionScore(score=score, criterion=criterion, **values)
            new.append(item)
        elif (item.band_id, item.bonus_level_id, item.points, item.comment) != (
                band.pk if band else None, level.pk if level else None, points, comment):
            for name, value in values.items():
                setattr(item, name, value)
            changed.append(item)
        written.append(item)
        total += points or 0
    CriterionScore.objects.bulk_create(new)
    CriterionScore.objects.bulk_update(changed, ["band", "bonus_level", "points", "comment"])
    return total.quantize(Decimal("0.1")), written


@transaction.atomic
def save_score(actor, assignment, *, items: list[ItemInput], overall_comment: str = "",
               lock_version: int | None, submit: bool = False, via: str = "web") -> Score:
    """Saves the expert's sheet as a draft, or submits it (complete, then locked)."""
    # The conflict and the pledge are read with the locked row (the pledge of the assigned expert:
    # has_pledged's, when the actor is that expert and still one); may_score asks again only when
    # one of them would refuse, to word the refusal.
    assignment = (Assignment.objects.select_for_update()
                  .select_related("expert__user", "application__programme")
                  .annotate(blocked=blocking_conflict_subquery(), pledged=Exists(ConfidentialityPledge.objects.filter(
                      expert_id=OuterRef("expert_id"), programme_id=OuterRef("application__programme_id"))))
                  .get(pk=assignment.pk))
    screened = assignment.pledged and not assignment.blocked and expert_profile_of(actor) is not None
    decision = may_score(actor, assignment, screened=screened)
    if not decision:
        raise PermissionDenied(decision.reason)
    score, _created = Score.objects.get_or_create(assignment=assignment)
    score.assignment = assignment  # the locked row, with its expert and application (audit text, notification)
    if score.status == ScoreStatus.SUBMITTED:
        raise InvalidTransition(
            _("评分已提交并锁定；如需修改，请联系主管部门退回。"))
    if lock_version != score.lock_version:
        raise StaleScore(
            _("评分表已在其他窗口或由他人保存过（版本 %(old)s → %(new)s），本次未保存。"
              "下方保留了您填写的内容，请核对后再次保存。"
              )
            % {"old": lock_version, "new": score.lock_version})
    # The link is read afresh (under the programme row's lock); its rubric's rows come from the memo.
    rubric, _criteria = programme_rubric(assignment.application.programme)
    if rubric is None:
        raise DomainError(_("该批次尚未指定评分细则。"))
    cleaned, faults = check_items(rubric, items, complete=submit)
    if faults:
        raise ScoreRejected(faults)
    stored = [] if _created else _stored_items(score)
    before = _snapshot(score, stored)
    score.total, written = _write_items(score, cleaned, stored)
    score.overall_comment = (overall_comment or "").strip()
    score.lock_version += 1
    if submit:
        score.status, score.submitted_at = ScoreStatus.SUBMITTED, timezone.now()
    score.save()
    audit.record(actor, "score.submit" if submit else "score.save_draft", score,
                 changes=audit.diff(before, _snapshot(score, written)), via=via)
    if submit:
        notify([actor], "score.submitted", params={
            "name": assignment.application.project_name, "total": str(score.total), "assignment_id": assignment.pk},
            about=assignment.application)
    return score


@transaction.atomic
def reopen_score(actor, score, *, reason: str, via: str = "web") -> Score:
    """An administrator of the programme returns a submitted score to the expert as a draft."""
    score = (Score.objects.select_for_update()
             .select_related("assignment__application__programme", "assignment__expert__user").get(pk=score.pk))
    decision = may_reopen(actor, score)
    if not decision:
        raise PermissionDenied(decision.reason)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写退回理由。"))
    before = _snapshot(score)
    score.status, score.submitted_at = ScoreStatus.DRAFT, None
    score.lock_version += 1
    score.save()
    audit.record(actor, "score.reopen", score, changes=audit.diff(before, _snapshot(score)), note=reason, via=via)
    application = score.assignment.application
    notify([score.assignment.expert.user], "score.reopened", params={
        "name": application.project_name, "reason": reason, "assignment_id": score.assignment_id}, about=application)
    return score
