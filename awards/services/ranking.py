"""The ranking of a programme and its proposed and final tiers (computed live until approval)."""

from dataclasses import dataclass, field, replace

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applications.models import Application
from portal.kept import MISSING, Kept
from scoring.models import Rubric

from .. import tiers as tier_rules
from ..models import Determination, TierOverride
from ..models.awards import Tier
from . import scores as score_service
from .scores import ApplicationScores, ProgrammeScores

# The tie rule as the ranking page states it, built from the rubric's tie_break_sections (Table B.1:
# 第二部分（质量创新程度）, 第三部分（质量攻关成效）).
TIE_RULE = _("同分时依次比较：%(sections)s提交时间较早者在前。各部分小计按与总分相同的统计量计算。")
TIE_SECTION = _("第%(numeral)s部分（%(name)s）小计较高者在前；")
TIE_RULE_TOTAL_ONLY = _("该评分细则未指定同分时比较的部分：同分时只比较总分，提交时间较早者在前。")
# "2" → 二 as the standard numbers its parts (第二部分); words of the interface, so in the catalogue
# (an English page says "Part 2").
NUMERALS = (pgettext_lazy("rubric part", "一"), pgettext_lazy("rubric part", "二"), pgettext_lazy("rubric part", "三"),
            pgettext_lazy("rubric part", "四"), pgettext_lazy("rubric part", "五"), pgettext_lazy("rubric part", "六"),
            pgettext_lazy("rubric part", "七"), pgettext_lazy("rubric part", "八"), pgettext_lazy("rubric part", "九"),
            pgettext_lazy("rubric part", "十"))


def _numeral(code: str) -> str:
    """A part's numeral in the reader's language; codes that are not 1–10 as they are."""
    return str(NUMERALS[int(code) - 1]) if code.isdigit() and 1 <= int(code) <= len(NUMERALS) else code


@dataclass
class RankingRow:
    scores: ApplicationScores
    rank: int | None
    statistic: float | None
    proposed: str
    override: TierOverride | None

    @property
    def application(self):
        return self.scores.application

    @property
    def tier(self) -> str:
        return self.override.tier if self.override else self.proposed

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label

    @property
    def proposed_label(self) -> str:
        return Tier(self.proposed).label


@dataclass
class Ranking:
    data: ProgrammeScores
    rows: list[RankingRow]
    determination: Determination | None
    version: tuple = ()  # score_service.version: equal versions, equal figures
    overrides: tuple = field(default=(), repr=False)  # what the rows show of the overrides
    tie_break: tuple = ()  # the RubricSections whose subtotals break ties, in order

    @property
    def signature(self) -> tuple:
        """Equal signatures render the same ranking table (figures, names, overrides, rows shown)."""
        return self.version, self.overrides, tuple(r.application.pk for r in self.rows)

    @property
    def settings(self):
        return self.data.settings

    @property
    def statistic_label(self) -> str:
        return self.settings.get_ranking_statistic_display()

    @property
    def tie_rule(self) -> str:
        if not self.tie_break:
            return str(TIE_RULE_TOTAL_ONLY)
        sections = "".join(str(TIE_SECTION) % {"numeral": _numeral(s.code), "code": s.code, "name": s.name}
                           for s in self.tie_break)
        return str(TIE_RULE) % {"sections": sections}

    def counts(self) -> dict[str, int]:
        found = {t: 0 for t in Tier.values}
        for row in self.rows:
            found[row.tier] += 1
        return found

    def flagged_experts(self):
        return [b for b in self.data.experts.values() if b.flagged]

    def expert_rows(self) -> list[tuple[str, object]]:
        """(name, ExpertBias), the most divergent first."""
        names = self.data.expert_names
        rows = [(names.get(pk, ""), bias) for pk, bias in self.data.experts.items()]
        return sorted(rows, key=lambda r: (r[1].z is None, -abs(r[1].z or 0), r[0]))


@dataclass(frozen=True)
class _Figures:
    data: ProgrammeScores
    position: dict  # application pk → (rank, proposed tier)
    order: list  # data.applications in the ranking's order: ranked first, then by application number
    tie_break: tuple  # indexes into data.sections, as the rubric orders them


def _tie_break(data) -> tuple[int, ...]:
    """Positions in ``data.sections`` of the rubric's tie-break sections (rubric_format checked that they
    exist). One query, once per version: a rubric is frozen while a programme uses it."""
    if not data.sections:
        return ()
    codes = Rubric.objects.filter(pk=data.sections[0].rubric_id).values_list("tie_break_sections", flat=True).first()
    index = {s.code: i for i, s in enumerate(data.sections)}
    return tuple(index[code] for code in codes or () if code in index)


# The figures of each programme beside the version they were computed at (portal.kept says why
# they are kept and why they cannot be older than the database).
_KEPT = Kept("ranking figures")


def _figures(programme, settings) -> tuple[tuple, _Figures]:
    version = score_service.version(programme, settings)
    kept = _KEPT.get(programme.pk, version)
    if kept is not MISSING:
        return version, kept
    everything = score_service.load(programme, settings)
    name = settings.ranking_statistic
    tie_break = _tie_break(everything)
    candidates = []
    for a in everything.applications:
        if a.total.n:
            candidates.append(tier_rules.Candidate(
                key=a.application.pk, statistic=a.statistic(name),
                sections=tuple(a.section_statistic(i, name) for i in tie_break),
                submitted_at=a.application.submitted_at, number=a.application.pk,
            ))
    ordered = tier_rules.rank(candidates)
    proposals = tier_rules.propose([c.statistic for c in ordered], settings.tier_method, settings.tier_values)
    position = {c.key: (n, tier) for n, (c, tier) in enumerate(zip(ordered, proposals, strict=True), start=1)}
    order = sorted(everything.applications, key=lambda a: (a.application.pk not in position,
                                                           position.get(a.application.pk, (0,))[0], a.application.pk))
    return version, _KEPT.put(programme.pk, _Figures(everything, position, order, tie_break), version)


def build(programme, *, category=None, panel=None) -> Ranking:
    """Ranks every application with at least one counted score; those without stay unranked at the end.
    Ranks and proposed tiers are programme-wide; a filter only narrows what is shown."""
    settings = score_service.settings_for(programme)
    version, figures = _figures(programme, settings)
    everything = replace(figures.data, programme=programme, settings=settings,
                         expert_names=score_service.expert_names(figures.data))
    name = settings.ranking_statistic
    overrides = {o.application_id: o for o in TierOverride.objects.filter(application__programme=programme)
                 .select_related("decided_by")}
    shown = figures.order
    if category or panel:
        keep = set(score_service.filter_applications(
            Application.objects.filter(programme=programme), category=category, panel=panel
        ).values_list("pk", flat=True))
        shown = [a for a in shown if a.application.pk in keep]
    rows = []
    for a in shown:
        rank, proposed = figures.position.get(a.application.pk, (None, Tier.NONE))
        rows.append(RankingRow(a, rank, a.statistic(name) if a.total.n else None, proposed,
                               overrides.get(a.application.pk)))
    determination = Determination.objects.filter(programme=programme).first()
    seen = tuple(sorted((o.application_id, o.tier, o.reason, o.decided_by.display_name if o.decided_by else "")
                        for o in overrides.values()))
    return Ranking(everything, rows, determination, version, seen,
                   tuple(everything.sections[i] for i in figures.tie_break))
