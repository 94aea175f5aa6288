"""The annual report (年度质量攻关情况通报, seed 003) of one programme, with the change from the
previous programme (较上年): the programme of the same organiser and project type in the year
before (a Programme has no field naming the one it compares with, so the year decides; the report
names the year it compares with).

Counts are over the applications that reached review: endorsed by their recommender, self-declared
and submitted, or assigned to an expert. Applications that stopped earlier (returned for revision
and never resubmitted, declined, still waiting for a recommender) are counted separately, never as
申报. Economic totals add (after − before) per application in Decimal, a blank cell counting as 0,
in 万元 rounded to 0.01 (and ÷ 10 000 in 亿元). Achievements are the approved awards, or, before
approval, the tiers currently proposed (the report then says so).

国际先进 / 国内领先 (seed 003: "经专家评议，57.2％…国际先进…41.4％…国内领先") split by the
recommender's assessment of the leading degree (推荐单位评估的同行业领先程度): Table A.1 and Table B.1
1.2 merge the two levels into one box, so only the recommender's scale separates them; a
self-declared application has no such assessment and is counted as 未评估. 高端制造 is read from the
project category (HIGH_END_CATEGORIES)."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from applications.models import AdvancementLevel, Application, ApplicationStatus, DecisionKind, RecommendationDecision
from applications.models.recommendation import LeadingDegree
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
# 高端制造 (seed 003: 船舶海工、航空航天、汽车零部件、电气装备、医疗设备…): the Table A.1 categories
# whose products are high-end manufactured goods. A category flag would let the organiser decide.
HIGH_END_CATEGORIES = ("高端装备", "汽车", "交通", "集成电路")
NOT_ASSESSED = "none"
ASSESSMENTS = [*LeadingDegree.choices, (NOT_ASSESSED, _("未评估（自行申报）"))]
CENT = Decimal("0.01")
S = ApplicationStatus
# Applications that stopped before review, shown beside the count (never in it).
STOPPED = [("returned", _("退回修改后未重新提交")), ("declined", _("推荐单位未予推荐")),
           ("pending", _("尚在推荐审核中"))]


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
    assessed: str = NOT_ASSESSED  # the recommender's leading degree
    high_end: bool = False


def row_of(application: Application, tier: str, assessed: str = "") -> Row:
    header = application.header
    kind = application.recommender.kind if application.recommender_id and not application.self_declared else None
    money = {}
    for key, _label in MONEY:
        before, after = getattr(application, f"{key}_before"), getattr(application, f"{key}_after")
        money[key] = Decimal(str(after or 0)) - Decimal(str(before or 0))
    category = application.category.name if application.category_id else str(_("未分类"))
    return Row(
        channel=CHANNEL_OF_KIND.get(kind, "self"),
        category=category,
        strategic=bool(header.get("strategic_emerging")),
        level=application.advancement_level or "",
        money=money,
        private=header.get("ownership_code", application.organisation.ownership) == Ownership.PRIVATE,
        specialised=bool(application.organisation.is_specialised),
        sme=header.get("size_code", application.organisation.size) in (OrganisationSize.MEDIUM,
                                                                        OrganisationSize.SMALL_MICRO),
        chokepoint=application.is_chokepoint, digital=application.is_digital, tier=tier,
        assessed=assessed or NOT_ASSESSED, high_end=category in HIGH_END_CATEGORIES,
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


def compute(rows: list[Row], stopped: dict | None = None) -> dict[str, Figure]:
    n = len(rows)
    winners = [r for r in rows if r.tier in AWARDED_TIERS]
    w = len(winners)
    figures: dict[str, Figure] = {"submissions": Figure("submissions", _("申报项目数"), n, "count")}
    for key, label in STOPPED:
        figures[f"stopped.{key}"] = Figure(f"stopped.{key}", label, (stopped or {}).get(key, 0), "count")
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
    assessed = Counter(r.assessed for r in rows)
    for code, label in ASSESSMENTS:
        figures[f"assessed.{code}"] = Figure(f"assessed.{code}", label, share(assessed[code], n), "share",
                                             detail={"count": assessed[code]})
    for key, label in MONEY:
        total = sum((r.money[key] for r in rows), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
        figures[f"money.{key}"] = Figure(f"money.{key}", label, total, "money")
    figures["achievements"] = Figure("achievements", _("成果数"), w, "count")
    for tier in AWARDED_TIERS:
        figures[f"tier.{tier}"] = Figure(f"tier.{tier}", Tier(tier).label, sum(r.tier == tier for r in winners),
                                         "count")
    for key, label in [("high_end", _("高端制造产品")), *GROUPS, ("chokepoint", _("“卡脖子”产品")),
                       ("digital", _("数字技术项目"))]:
        members = [r for r in winners if getattr(r, key)]
        tiers = {Tier(t).label: sum(r.tier == t for r in members) for t in AWARDED_TIERS}
        # how many of the submissions were of this kind (seed 003: 中小企业申报项目共46项)
        submitted = sum(bool(getattr(r, key)) for r in rows)
        figures[f"share.{key}"] = Figure(f"share.{key}", label, share(len(members), w), "share",
                                         detail={"count": len(members), "tiers": tiers, "submissions": submitted})
    return figures


@dataclass
class Report:
    programme: Programme
    previous: Programme | None
    provisional: bool
    figures: dict[str, Figure]

    @property
    def high_end_categories(self) -> str:
        return "、".join(HIGH_END_CATEGORIES)

    def group(self, prefix: str) -> list[Figure]:
        return [f for k, f in self.figures.items() if k.startswith(prefix + ".")]

    def __getitem__(self, key):
        return self.figures[key]


def _tiers(programme) -> tuple[dict[int, str], bool]:
    approved = Determination.objects.filter(programme=programme, approved_at__isnull=False).exists()
    if approved:
        return dict(Award.objects.filter(programme=programme).values_list("application_id", "tier")), False
    return {r.application.pk: r.tier for r in ranking.build(programme).rows}, True


REACHED_REVIEW = Q(status=S.ENDORSED) | Q(self_declared=True, status=S.SUBMITTED) | Q(assignments__isnull=False)


def reviewed_applications(programme):
    """What reached review: endorsed, self-declared and submitted, or given to an expert."""
    ids = Application.objects.filter(programme=programme).filter(REACHED_REVIEW).values("pk")
    return Application.objects.filter(pk__in=ids)


def stopped_counts(programme) -> dict[str, int]:
    """Submissions that did not reach review, by where they stopped."""
    rest = Application.objects.filter(programme=programme).exclude(status=S.DRAFT).exclude(
        pk__in=reviewed_applications(programme).values("pk"))
    statuses = Counter(rest.values_list("status", flat=True))
    return {"returned": statuses[S.RETURNED], "declined": statuses[S.DECLINED],
            "pending": statuses[S.SUBMITTED] + statuses[S.ENDORSED_BY_STREET] + statuses[S.ENDORSED]}


def assessments(programme) -> dict[int, str]:
    """Application id → the leading degree its recommender assessed (the latest live endorsement:
    for a street-endorsed application, the district bureau's once it endorsed too)."""
    rows = RecommendationDecision.objects.filter(
        application__programme=programme, kind=DecisionKind.ENDORSE, superseded_at__isnull=True,
    ).order_by("decided_at", "pk").values_list("application_id", "leading_degree")
    return dict(rows)


def rows_for(programme) -> tuple[list[Row], bool]:
    tiers, provisional = _tiers(programme)
    assessed = assessments(programme)
    submissions = reviewed_applications(programme).select_related("organisation__district", "category", "recommender")
    return [row_of(a, tiers.get(a.pk, Tier.NONE), assessed.get(a.pk, "")) for a in submissions], provisional


def previous_programme(programme, viewer=None):
    """上年: the programme of the same organiser and type in the year before, if this viewer may see
    its figures (none, no change column: a gap year is not "上年")."""
    previous = Programme.objects.filter(organiser_id=programme.organiser_id, project_type=programme.project_type,
                                        year=programme.year - 1).order_by("-pk").first()
    if previous and (is_public(previous) or (viewer and administers_programme(viewer, previous))):
        return previous
    return None


def build(programme, viewer=None) -> Report:
    rows, provisional = rows_for(programme)
    figures = compute(rows, stopped_counts(programme))
    previous = previous_programme(programme, viewer)
    if previous is not None:
        before = compute(rows_for(previous)[0], stopped_counts(previous))
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
    unit = pgettext("chart unit", "项")
    return {
        "channels": charts.bar_chart(f"ch{report.programme.pk}",
                                     _("图1　%(year)s年申报项目推荐分布情况") % {"year": year},
                                     [str(f.label) for f in channels], [f.detail["count"] for f in channels],
                                     unit=unit),
        "categories": charts.bar_chart(f"ca{report.programme.pk}",
                                       _("图2　%(year)s年申报项目产业分布情况") % {"year": year},
                                       [str(f.label) for f in categories], [f.detail["count"] for f in categories],
                                       unit=unit),
    }
