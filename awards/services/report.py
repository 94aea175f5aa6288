"""The annual report (年度质量攻关情况通报, seed 003) of one programme, with the change from the
previous year's programme (same organiser and project type, year − 1) where there is one.

Counts are over submissions past draft. Economic totals add (after − before) per application, a
blank cell counting as 0, in 万元 (and ÷ 10 000 in 亿元). Achievements are the approved awards, or,
before approval, the tiers currently proposed (the report then says so)."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from applications.models import AdvancementLevel, Application, ApplicationStatus
from portal.models import Programme
from portal.models.organisations import OrganisationSize, Ownership
from portal.models.organisations import RecommendingUnitKind as Kind
from portal.permissions import administers_programme

from ..models import Award, Determination
from ..models.awards import AWARDED_TIERS, Tier
from ..permissions import is_public
from . import charts, ranking

CHANNELS = [("district", _("区市场监管局")), ("group", _("集团公司")), ("association", _("行业协会")),
            ("self", _("自行申报"))]
CHANNEL_OF_KIND = {Kind.DISTRICT_BUREAU: "district", Kind.STREET_TOWN: "district", Kind.GROUP_COMPANY: "group",
                   Kind.INDUSTRY_ASSOCIATION: "association"}
MONEY = [("sales", _("新增销售额")), ("profit", _("新增利润")), ("energy", _("节能降耗")), ("forex", _("创汇节汇"))]
GROUPS = [("private", _("民营企业")), ("specialised", _("专精特新企业")), ("sme", _("中小企业"))]


@dataclass(frozen=True)
class Row:
    """One submission, reduced to what the report counts (plain values: the maths is testable)."""

    channel: str
    category: str
    strategic: bool
    level: str
    money: dict
    private: bool
    specialised: bool
    sme: bool
    chokepoint: bool
    digital: bool
    tier: str = Tier.NONE


def row_of(application: Application, tier: str) -> Row:
    header = application.header
    kind = application.recommender.kind if application.recommender_id and not application.self_declared else None
    money = {}
    for key, _label in MONEY:
        before, after = getattr(application, f"{key}_before"), getattr(application, f"{key}_after")
        money[key] = Decimal(after or 0) - Decimal(before or 0)
    return Row(
        channel=CHANNEL_OF_KIND.get(kind, "self"),
        category=application.category.name if application.category_id else str(_("未分类")),
        strategic=bool(header.get("strategic_emerging")),
        level=application.advancement_level or "",
        money=money,
        private=header.get("ownership_code", application.organisation.ownership) == Ownership.PRIVATE,
        specialised=bool(application.organisation.is_specialised),
        sme=header.get("size_code", application.organisation.size) in (OrganisationSize.MEDIUM,
                                                                        OrganisationSize.SMALL_MICRO),
        chokepoint=application.is_chokepoint, digital=application.is_digital, tier=tier,
    )


def share(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


@dataclass
class Figure:
    key: str
    label: str
    value: float | None
    kind: str  # count · share (percent) · money (万元)
    previous: float | None = None
    detail: dict = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def yi(self):
        """万元 → 亿元."""
        return None if self.value is None else self.value / 10000


def compute(rows: list[Row]) -> dict[str, Figure]:
    n = len(rows)
    winners = [r for r in rows if r.tier in AWARDED_TIERS]
    w = len(winners)
    figures: dict[str, Figure] = {"submissions": Figure("submissions", _("申报项目数"), n, "count")}
    channels = Counter(r.channel for r in rows)
    for key, label in CHANNELS:
        figures[f"channel.{key}"] = Figure(f"channel.{key}", label, share(channels[key], n), "share",
                                           detail={"count": channels[key]})
    for name, count in sorted(Counter(r.category for r in rows).items(), key=lambda item: (-item[1], item[0])):
        figures[f"category.{name}"] = Figure(f"category.{name}", name, share(count, n), "share",
                                             detail={"count": count})
    figures["strategic"] = Figure("strategic", _("战略性新兴产业项目占比"), share(sum(r.strategic for r in rows), n),
                                  "share")
    levels = Counter(r.level for r in rows)
    for code, label in AdvancementLevel.choices:
        figures[f"level.{code}"] = Figure(f"level.{code}", label, share(levels[code], n), "share",
                                          detail={"count": levels[code]})
    for key, label in MONEY:
        figures[f"money.{key}"] = Figure(f"money.{key}", label, sum((r.money[key] for r in rows), Decimal(0)), "money")
    figures["achievements"] = Figure("achievements", _("成果数"), w, "count")
    for tier in AWARDED_TIERS:
        figures[f"tier.{tier}"] = Figure(f"tier.{tier}", Tier(tier).label, sum(r.tier == tier for r in winners),
                                         "count")
    for key, label in [*GROUPS, ("chokepoint", _("“卡脖子”产品")), ("digital", _("数字技术项目"))]:
        members = [r for r in winners if getattr(r, key)]
        tiers = {Tier(t).label: sum(r.tier == t for r in members) for t in AWARDED_TIERS}
        figures[f"share.{key}"] = Figure(f"share.{key}", label, share(len(members), w), "share",
                                         detail={"count": len(members), "tiers": tiers})
    return figures


@dataclass
class Report:
    programme: Programme
    previous: Programme | None
    provisional: bool
    figures: dict[str, Figure]

    def group(self, prefix: str) -> list[Figure]:
        return [f for k, f in self.figures.items() if k.startswith(prefix + ".")]

    def __getitem__(self, key):
        return self.figures[key]


def _tiers(programme) -> tuple[dict[int, str], bool]:
    approved = Determination.objects.filter(programme=programme, approved_at__isnull=False).exists()
    if approved:
        return dict(Award.objects.filter(programme=programme).values_list("application_id", "tier")), False
    return {r.application.pk: r.tier for r in ranking.build(programme).rows}, True


def rows_for(programme) -> tuple[list[Row], bool]:
    tiers, provisional = _tiers(programme)
    submissions = Application.objects.filter(programme=programme).exclude(status=ApplicationStatus.DRAFT) \
        .select_related("organisation__district", "category", "recommender")
    return [row_of(a, tiers.get(a.pk, Tier.NONE)) for a in submissions], provisional


def previous_programme(programme, viewer=None):
    """Last year's programme of the same organiser and type, if this viewer may see its figures."""
    previous = Programme.objects.filter(organiser_id=programme.organiser_id, project_type=programme.project_type,
                                        year=programme.year - 1).first()
    if previous and (is_public(previous) or (viewer and administers_programme(viewer, previous))):
        return previous
    return None


def build(programme, viewer=None) -> Report:
    rows, provisional = rows_for(programme)
    figures = compute(rows)
    previous = previous_programme(programme, viewer)
    if previous is not None:
        before = compute(rows_for(previous)[0])
        for key, figure in figures.items():
            if key in before:
                figure.previous = before[key].value
            elif key.startswith("category."):
                figure.previous = 0.0  # a category nobody entered last year
    return Report(programme, previous, provisional, figures)


def charts_for(report: Report) -> dict[str, str]:
    """Figure 1 (channels) and Figure 2 (industries) as clean inline SVG."""
    year = report.programme.year
    channels = report.group("channel")
    categories = report.group("category")
    return {
        "channels": charts.bar_chart(f"ch{report.programme.pk}", f"图1　{year}年申报项目推荐分布情况",
                                     [str(f.label) for f in channels], [f.detail["count"] for f in channels],
                                     unit="项"),
        "categories": charts.bar_chart(f"ca{report.programme.pk}", f"图2　{year}年申报项目产业分布情况",
                                       [str(f.label) for f in categories], [f.detail["count"] for f in categories],
                                       unit="项"),
    }
