"""Suggested bands for Table B.1 criteria 3.1, 3.2 and 3.3 from the Table A.1 figures.

A suggestion is advice with its arithmetic, never a score: the form shows it beside the criterion
and the expert confirms it (one click that only selects the band) or chooses another band. Nothing
is filled in unless the expert asks.

Thresholds (seed 000, Annex B):
  3.1 直接经济效益  growth of sales *or* profit: ≥10 % top band, ≥5 % and <10 % middle, slight growth lowest;
  3.2 间接经济效益  节能降耗 + 创汇节汇 (万元): ≥500 / ≥100 / <100, for 小微 ≥100 / ≥20 / <20;
  3.3 生态效益      reduction ≥10 % top, ≥5 % and <10 % middle, <5 % lowest.
The 3.2 amount is taken from the after row; after − before is shown too (the standard does not say
which row is meant — DOMAIN §4 — so the expert decides).
Threshold comparisons use the exact figures; the displayed percentage is rounded to one place by
applications.services.figures.growth (the same growth the application form shows).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from applications.services.figures import growth

TABLE_B1_CODE = "table_b1"  # fixtures/rubrics/table_b1.yaml
SMALL_MICRO = "small_micro"  # portal.models.organisations.OrganisationSize.SMALL_MICRO

TOP, MIDDLE, LOWEST = 0, 1, 2  # band positions, highest points first
GROWTH_THRESHOLDS = (Decimal(10), Decimal(5))
REDUCTION_THRESHOLDS = (Decimal(10), Decimal(5))
AMOUNT_THRESHOLDS = {SMALL_MICRO: (Decimal(100), Decimal(20)), "other": (Decimal(500), Decimal(100))}


@dataclass
class Suggestion:
    criterion_code: str
    position: int | None = None  # TOP / MIDDLE / LOWEST, or None: no band can be suggested
    band: object = None  # scoring.models.Band, set by suggestions_for
    lines: list[str] = field(default_factory=list)  # the arithmetic, one line per figure
    note: str = ""

    @property
    def suggests(self) -> bool:
        return self.band is not None


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _position_for(value: Decimal, thresholds: tuple[Decimal, Decimal]) -> int:
    top, middle = thresholds
    if value >= top:
        return TOP
    if value >= middle:
        return MIDDLE
    return LOWEST


def _growth_position(before: Decimal, after: Decimal) -> int | None:
    """The 3.1 band of an exact growth (after − before) / |before|; None when there is no growth."""
    change = (after - before) * 100
    if change <= 0:
        return None
    for position, threshold in zip((TOP, MIDDLE), GROWTH_THRESHOLDS, strict=True):
        if change >= threshold * abs(before):
            return position
    return LOWEST


def suggest_direct(application) -> Suggestion:
    """3.1 直接经济效益: the better of sales growth and profit growth."""
    result = Suggestion("3.1")
    candidates = []
    for label, before, after in (
        (_("销售额"), application.sales_before, application.sales_after),
        (_("利润"), application.profit_before, application.profit_after),
    ):
        computed = growth(before, after)
        if computed.percent is None:
            if before is not None or after is not None:
                shown = " → ".join(_money(v) if v is not None else "—" for v in (before, after))
                result.lines.append(_("%(label)s %(shown)s 万元：%(note)s") % {
                    "label": label, "shown": shown, "note": computed.note})
            continue
        result.lines.append(_("%(label)s %(before)s → %(after)s 万元，增长 %(percent)s%%") % {
            "label": label, "before": _money(before), "after": _money(after), "percent": computed.percent})
        position = _growth_position(before, after)
        if position is not None and position != TOP and computed.percent >= GROWTH_THRESHOLDS[position - 1]:
            result.lines[-1] += _("（精确值不足 %(t)s%%）") % {"t": GROWTH_THRESHOLDS[position - 1]}
        if position is not None:
            candidates.append(position)
    if candidates:
        result.position = min(candidates)
    elif result.lines:
        result.note = _("销售额和利润均未增长或无法计算增长率，评分细则未给出对应分档，请专家判断。")
    else:
        result.note = _("申报表未填写销售额和利润，无法给出建议。")
    return result


def suggest_indirect(application) -> Suggestion:
    """3.2 间接经济效益: 节能降耗 + 创汇节汇 of the after row against the thresholds for the size."""
    result = Suggestion("3.2")
    size = application.organisation_size
    if not size:
        result.note = _("申报单位未填写组织规模，无法确定适用的金额标准。")
        return result
    if application.energy_after is None and application.forex_after is None:
        result.note = _("申报表未填写攻关后的节能降耗和创汇节汇，无法给出建议。")
        return result
    thresholds = AMOUNT_THRESHOLDS[SMALL_MICRO if size == SMALL_MICRO else "other"]
    after = [application.energy_after or Decimal(0), application.forex_after or Decimal(0)]
    before = [application.energy_before or Decimal(0), application.forex_before or Decimal(0)]
    total_after = sum(after)
    result.lines.append(_("攻关后：节能降耗 %(e)s + 创汇节汇 %(f)s = %(t)s 万元") % {
        "e": _money(after[0]), "f": _money(after[1]), "t": _money(total_after)})
    result.position = _position_for(total_after, thresholds)
    difference = total_after - sum(before)
    result.lines.append(_("攻关前后差额：%(a)s − %(b)s = %(d)s 万元（按差额计为%(band)s）") % {
        "a": _money(total_after), "b": _money(sum(before)), "d": _money(difference),
        "band": _position_label(_position_for(difference, thresholds))})
    top, middle = thresholds
    size_label = _("小微企业") if size == SMALL_MICRO else _("大中型企业")
    result.lines.append(
        _("%(size)s标准：≥%(top)s 万元为第一档，≥%(middle)s 且 <%(top)s 万元为第二档，<%(middle)s 万元为第三档")
        % {"size": size_label, "top": top, "middle": middle})
    result.note = _("建议按攻关后数据；评分标准未明确用攻关后数据还是前后差额，请专家判断。")
    return result


def suggest_green(application) -> Suggestion:
    """3.3 生态效益: the reduction percentage, when the applicant gave one."""
    result = Suggestion("3.3")
    value = application.reduction_percent
    if value is None:
        result.note = _("申报表未填写下降比例，请根据绿色指标的文字说明评分。")
        return result
    basis = f"（{application.reduction_basis}）" if application.reduction_basis else ""
    result.lines.append(_("资源消耗/排放下降 %(v)s%%%(basis)s") % {"v": value, "basis": basis})
    result.position = _position_for(value, REDUCTION_THRESHOLDS)
    return result


def _position_label(position: int) -> str:
    return {TOP: _("第一档"), MIDDLE: _("第二档"), LOWEST: _("第三档")}[position]


SUGGESTERS = {"3.1": suggest_direct, "3.2": suggest_indirect, "3.3": suggest_green}


def suggestions_for(application, rubric) -> dict[int, Suggestion]:
    """{criterion pk: Suggestion} for the criteria of ``rubric`` that can be suggested (Table B.1
    only; identified by rubric code + criterion code). Bands are taken highest first; a rubric whose
    criterion does not have the three bands gets the arithmetic without a band."""
    if rubric is None or rubric.code != TABLE_B1_CODE:
        return {}
    found = {}
    criteria = [c for section in rubric.sections.all() for c in section.criteria.all() if c.code in SUGGESTERS]
    for criterion in criteria:
        suggestion = SUGGESTERS[criterion.code](application)
        bands = sorted(criterion.bands.all(), key=lambda b: -b.min_points)
        if suggestion.position is not None and len(bands) == 3:
            suggestion.band = bands[suggestion.position]
        found[criterion.pk] = suggestion
    return found
