"""Scoring (评分): an assigned expert saves a draft, submits (which locks the sheet), and an
administrator of the programme may reopen a submitted sheet with a reason.

Every rule of the sheet is here: who may score is scoring.permissions.may_score (the assigned
expert, on an active assignment with no blocking conflict, pledged, while the programme is reviewing
and before its scoring deadline) and who may reopen may_reopen; here: what a valid
sheet is (a band of the criterion, points inside it and not above the maximum, whole points or .5
when the rubric allows it, a comment for the lowest band, a level or an explicit "no bonus" for a
bonus criterion), optimistic locking on Score.lock_version, and the total (computed here only).
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.permissions import require
from portal.services import audit
from portal.services.errors import DomainError, InvalidTransition
from portal.services.notify import notify
from scoring.models import Assignment, CriterionKind, CriterionScore, Score, ScoreStatus
from scoring.permissions import may_reopen, may_score
from scoring.sheets import programme_rubric, rubric_criteria, with_scoring_facts

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
    # The conflict and the pledge are read with the locked row (with_scoring_facts), so may_score
    # does not look them up again.
    assignment = (with_scoring_facts(Assignment.objects.select_for_update()
                                     .select_related("expert__user", "application__programme"))
                  .get(pk=assignment.pk))
    require(may_score(actor, assignment))
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
    # The link is read afresh; its rubric's rows come from scoring.sheets' kept values.
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
    require(may_reopen(actor, score))
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
