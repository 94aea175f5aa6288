"""Ranking order and proposed tiers as pure functions (no Django).

**Tie rule** (documented on the ranking page): applications are ordered by the programme's ranking
statistic; equal values (to 1e-6) are broken by the subtotals of the rubric's tie-break sections, in the
order the rubric names them (Table B.1: section 2 质量创新程度, then section 3 质量攻关成效), higher first —
each subtotal aggregated with the same statistic — then the earlier submission, then the lower
application number (so the order is always total).

**Tiers**: counts — the first N₁ ranked are 一等奖, the next N₂ 二等奖, the next N₃ 三等奖;
percentages — the same with cumulative quotas ⌊(p₁ + … + pₖ) % × ranked⌋ (never above the quota);
thresholds — a statistic at or above the tier's line earns it (highest tier first).

**Pass mark** (counts and percentages): a quota is a maximum, never a promise. No tier goes to a
statistic below PASS_MARK; the places stay empty. Without it the default "5/10/25 by count" made the best
of three projects 一等奖 at 53 points. Thresholds are lines already and are taken as the organiser set them.
Stricter lines per tier are the proposal's business (awards.services.tier_proposal), which sizes the
counts so that each tier's places go to projects at or above its floor.
"""

import math
from dataclasses import dataclass
from datetime import datetime

FIRST, SECOND, THIRD, NONE = "first", "second", "third", "none"
TIERS = (FIRST, SECOND, THIRD)
EPSILON = 1e-6

# Points on Table B.1's 100-point scale (DOMAIN.md §4). The standard (seed 000 §6.4) names the three tiers
# but no score lines; 60 is the customary pass mark (60 % of the rubric), read on the same scale for the
# 2025 rubric (100 + 5).
PASS_MARK = 60.0


@dataclass(frozen=True)
class Candidate:
    key: object
    statistic: float
    # The tie-break sections' subtotals in the rubric's order (None: no subtotal). The candidates of
    # one ranking carry as many as their rubric names (awards.services.ranking); none: ties go by time.
    sections: tuple[float | None, ...] = ()
    submitted_at: datetime | None = None
    number: int = 0


def _desc(value: float | None) -> float:
    return -math.inf if value is None else -round(value / EPSILON) * EPSILON


def sort_key(c: Candidate):
    submitted = c.submitted_at.timestamp() if c.submitted_at else math.inf
    return (_desc(c.statistic), *(_desc(s) for s in c.sections), submitted, c.number)


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Best first, by the tie rule above."""
    return sorted(candidates, key=sort_key)


def quota_sizes(method: str, values, ranked: int) -> tuple[int, int, int]:
    """How many of ``ranked`` applications each tier takes under counts or percentages."""
    if method == "counts":
        sizes = [int(v) for v in values]
    else:
        cumulative, sizes, taken = 0.0, [], 0
        for v in values:
            cumulative += float(v)
            upto = math.floor(cumulative * ranked / 100 + 1e-9)
            sizes.append(max(0, upto - taken))
            taken = max(taken, upto)
    out, left = [], ranked
    for size in sizes:
        out.append(min(size, left))
        left -= out[-1]
    return tuple(out)


def propose(statistics: list[float], method: str, values, pass_mark: float = PASS_MARK) -> list[str]:
    """Tiers for statistics already in ranking order (best first)."""
    if method == "thresholds":
        lines = [float(v) for v in values]
        return [next((t for t, line in zip(TIERS, lines, strict=True) if s >= line - EPSILON), NONE)
                for s in statistics]
    sizes = quota_sizes(method, values, len(statistics))
    tiers = [t for t, size in zip(TIERS, sizes, strict=True) for _n in range(size)]
    tiers += [NONE] * (len(statistics) - len(tiers))
    # Ranked best first: once one falls below the pass mark, so do all after it.
    return [t if s >= pass_mark - EPSILON else NONE for t, s in zip(tiers, statistics, strict=True)]
