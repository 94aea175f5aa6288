"""Ranking order and proposed tiers as pure functions (no Django).

**Tie rule** (documented on the ranking page): applications are ordered by the programme's ranking
statistic; equal values (to 1e-6) are broken by the higher section-2 subtotal (Table B.1: 质量创新程度),
then the higher section-3 subtotal (质量攻关成效) — each subtotal aggregated with the same statistic
— then the earlier submission, then the lower application number (so the order is always total).

**Tiers**: counts — the first N₁ ranked are 一等奖, the next N₂ 二等奖, the next N₃ 三等奖;
percentages — the same with cumulative quotas ⌊(p₁ + … + pₖ) % × ranked⌋ (never above the quota);
thresholds — a statistic at or above the tier's line earns it (highest tier first).
"""

import math
from dataclasses import dataclass
from datetime import datetime

FIRST, SECOND, THIRD, NONE = "first", "second", "third", "none"
TIERS = (FIRST, SECOND, THIRD)
EPSILON = 1e-6


@dataclass(frozen=True)
class Candidate:
    key: object
    statistic: float
    section2: float | None = None
    section3: float | None = None
    submitted_at: datetime | None = None
    number: int = 0


def _desc(value: float | None) -> float:
    return -math.inf if value is None else -round(value / EPSILON) * EPSILON


def sort_key(c: Candidate):
    submitted = c.submitted_at.timestamp() if c.submitted_at else math.inf
    return (_desc(c.statistic), _desc(c.section2), _desc(c.section3), submitted, c.number)


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


def propose(statistics: list[float], method: str, values) -> list[str]:
    """Tiers for statistics already in ranking order (best first)."""
    if method == "thresholds":
        lines = [float(v) for v in values]
        return [next((t for t, line in zip(TIERS, lines, strict=True) if s >= line - EPSILON), NONE)
                for s in statistics]
    sizes = quota_sizes(method, values, len(statistics))
    tiers = [t for t, size in zip(TIERS, sizes, strict=True) for _n in range(size)]
    return tiers + [NONE] * (len(statistics) - len(tiers))
