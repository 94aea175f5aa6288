"""建议分档规则: a tier rule sized to the number of ranked projects and to their scores.

The default "5/10/25 by count" suits a programme of a hundred projects; in one of three it made every
project a prize-winner and gave 一等奖 to 53 points. The proposal reads 5/10/25 as shares of the ranked
projects (at least one place once a programme is big enough for the tier) and gives a tier only as many
places as there are projects at or above its score floor, so the counts it proposes, saved as the
"counts" method, give exactly the tiers it describes."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .. import tiers
from ..models.awards import Tier

# Share of the ranked projects per tier, in % (the old default 5/10/25, read as proportions).
SHARES = {tiers.FIRST: 5, tiers.SECOND: 10, tiers.THIRD: 25}
# Fewer ranked projects than this and the tier gets no place: one 一等奖 among three projects is not
# "a batch of representative achievements" (seed 000 §6.4).
MIN_PROJECTS = {tiers.FIRST: 10, tiers.SECOND: 5, tiers.THIRD: 1}
# Points on Table B.1's 100-point scale (DOMAIN.md §4). The standard names the three tiers but no score
# lines, so these are the portal's: 60 is the pass mark (tiers.PASS_MARK); 75 is about the lowest total
# with every criterion in its top band (7+7+12+7+7+8+7+7+4+7 = 73); 85 keeps 一等奖 near the top of those bands.
FLOORS = {tiers.FIRST: 85.0, tiers.SECOND: 75.0, tiers.THIRD: tiers.PASS_MARK}


@dataclass(frozen=True)
class TierLine:
    tier: str
    quota: int  # places from the tier's share of the ranked projects
    reaching: int  # projects not placed in a higher tier that reach the tier's floor
    count: int  # proposed places: min(quota, reaching)

    @property
    def label(self) -> str:
        return Tier(self.tier).label


@dataclass(frozen=True)
class Proposal:
    ranked: int
    lines: tuple[TierLine, ...]

    @property
    def values(self) -> tuple[int, int, int]:
        return tuple(line.count for line in self.lines)

    def matches(self, settings) -> bool:
        """Whether ``settings`` already hold this rule (counts method, same numbers)."""
        return settings.tier_method == "counts" and tuple(float(v) for v in settings.tier_values) == self.values

    def reasons(self) -> list[str]:
        if not self.ranked:
            return [_("尚无有效评分的项目，暂无建议。")]
        out = [_("本批次有 %(n)s 个项目参与排名（至少有 1 份有效评分）。") % {"n": self.ranked}]
        for line in self.lines:
            values = {"tier": line.label, "share": SHARES[line.tier], "quota": line.quota,
                      "floor": f"{FLOORS[line.tier]:g}", "reaching": line.reaching, "count": line.count,
                      "min": MIN_PROJECTS[line.tier]}
            if self.ranked < MIN_PROJECTS[line.tier]:
                out.append(_("%(tier)s：参与排名的项目少于 %(min)s 个，不设%(tier)s。") % values)
            elif line.reaching < line.quota:
                out.append(_("%(tier)s：按约 %(share)s%% 计 %(quota)s 项，但其余项目中不低于 %(floor)s 分的"
                             "只有 %(reaching)s 项，建议 %(count)s 项。") % values)
            else:
                out.append(_("%(tier)s：按约 %(share)s%% 计 %(quota)s 项；其余项目中不低于 %(floor)s 分的有 "
                             "%(reaching)s 项，建议 %(count)s 项。") % values)
        out.append(_("分数线是本系统的建议（标准只规定分为一等奖、二等奖和三等奖）：60 分为及格线，"
                     "按名额或比例分档时低于 60 分的项目一律不获奖；75 分约为各评分项都在最高档时的最低总分（73 分）；"
                     "一等奖须 85 分以上。采用后仍可在项目评分页逐项调整等级并填写理由。"))
        return out


def _half_up(x: float) -> int:
    return int(x + 0.5 + 1e-9)


def propose_rule(statistics) -> Proposal:
    """The proposed counts for the ranked projects' statistics (any order)."""
    ranked = sorted(statistics, reverse=True)
    n, at, lines = len(ranked), 0, []
    for tier in tiers.TIERS:
        quota = 0 if n < MIN_PROJECTS[tier] else max(1, _half_up(SHARES[tier] * n / 100))
        # Sorted best first: those reaching the floor after the places already given form a prefix.
        reaching = sum(1 for s in ranked[at:] if s >= FLOORS[tier] - tiers.EPSILON)
        count = min(quota, reaching)
        lines.append(TierLine(tier, quota, reaching, count))
        at += count
    return Proposal(n, tuple(lines))


def for_ranking(result) -> Proposal:
    """The proposal for a programme-wide ranking (awards.services.ranking.build without a filter)."""
    return propose_rule([r.statistic for r in result.rows if r.rank is not None])
