"""Score aggregation as pure functions over plain numbers (no Django): unit-testable and fast.

Conventions, stated once:

* **Trimmed mean** — with at least ``trim_min`` scores, the single highest and the single lowest are
  dropped and the rest averaged; with fewer, it is the plain mean.
* **Standard deviation** — the *population* standard deviation (divide by n): an application's
  panel is the whole set of scores it received, not a sample of a larger one; it is 0 for one score.
* **Spread** — max − min (极差); an application whose total spread exceeds the programme's
  threshold is flagged as one where the experts disagree.
* **Expert bias** — for each score, its deviation from the mean of the *other* experts who scored the
  same application (co-panellists); an expert's bias is the mean of those deviations. The z-score
  is taken across experts: (bias − mean of biases) / population SD of biases; |z| ≥ threshold flags
  an expert who scores systematically high (z > 0) or low (z < 0). Needs at least three experts with
  co-panellists; otherwise no z is given.
* **Normalisation** — each expert's totals become z-scores against that expert's own mean and SD
  over the programme (SD 0 or a single score → 0); an application's normalised result is the mean
  of its z-scores, also re-expressed on the points scale as grand mean + z̄ × grand SD. It is shown
  beside the raw result and never replaces it.
"""

import math
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float | None
    median: float | None
    trimmed_mean: float | None
    sd: float | None
    spread: float | None
    low: float | None
    high: float | None
    trimmed: bool

    def statistic(self, name: str) -> float | None:
        return getattr(self, name)


EMPTY = Summary(0, None, None, None, None, None, None, None, False)


def mean(values) -> float | None:
    values = list(values)
    return math.fsum(values) / len(values) if values else None


def median(values) -> float | None:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def trimmed_mean(values, trim_min: int = 5) -> float | None:
    """Drops one highest and one lowest score when there are at least ``trim_min`` (≥ 3) of them."""
    ordered = sorted(values)
    if len(ordered) >= max(trim_min, 3):
        ordered = ordered[1:-1]
    return mean(ordered)


def population_sd(values) -> float | None:
    values = list(values)
    if not values:
        return None
    centre = mean(values)
    return math.sqrt(math.fsum((v - centre) ** 2 for v in values) / len(values))


def summarise(values, trim_min: int = 5) -> Summary:
    ordered = sorted(float(v) for v in values)
    n = len(ordered)
    if not n:
        return EMPTY
    total = math.fsum(ordered)
    centre = total / n
    mid = n // 2
    trimmed = n >= max(trim_min, 3)
    return Summary(
        n=n, mean=centre, median=ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2,
        trimmed_mean=math.fsum(ordered[1:-1]) / (n - 2) if trimmed else centre,
        sd=math.sqrt(math.fsum((v - centre) ** 2 for v in ordered) / n), spread=ordered[-1] - ordered[0],
        low=ordered[0], high=ordered[-1], trimmed=trimmed,
    )


@dataclass(frozen=True)
class ExpertBias:
    expert: object
    n: int  # scores that had at least one co-panellist
    bias: float | None  # mean deviation from co-panellists, points
    z: float | None
    flagged: bool

    @property
    def direction(self) -> str:
        if not self.flagged:
            return ""
        return "high" if (self.z or 0) > 0 else "low"


def expert_bias(totals: dict[tuple, float], z_threshold: float = 2.0) -> dict[object, ExpertBias]:
    """``totals`` maps (application, expert) → total. Returns each expert's bias and z-score."""
    by_app: dict[object, list[tuple[object, float]]] = defaultdict(list)
    for (app, expert), total in totals.items():
        by_app[app].append((expert, float(total)))
    deviations: dict[object, list[float]] = defaultdict(list)
    experts = {expert for (_app, expert) in totals}
    for scores in by_app.values():
        if len(scores) < 2:
            continue
        whole = math.fsum(t for _e, t in scores)
        for expert, total in scores:
            others = (whole - total) / (len(scores) - 1)
            deviations[expert].append(total - others)
    biases = {e: mean(d) for e, d in deviations.items()}
    centre, spread = mean(biases.values()), population_sd(biases.values())
    result = {}
    for expert in experts:
        bias = biases.get(expert)
        z = None
        if bias is not None and len(biases) >= 3 and spread:
            z = (bias - centre) / spread
        flagged = z is not None and abs(z) >= z_threshold - 1e-9
        result[expert] = ExpertBias(expert, len(deviations.get(expert, [])), bias, z, flagged)
    return result


def normalise(totals: dict[tuple, float]) -> dict[object, tuple[float, float]]:
    """Per-expert z-score normalisation: application → (mean z, the same on the points scale)."""
    by_expert: dict[object, list[float]] = defaultdict(list)
    for (_app, expert), total in totals.items():
        by_expert[expert].append(float(total))
    stats = {e: (mean(v), population_sd(v)) for e, v in by_expert.items()}
    grand_mean, grand_sd = mean(float(t) for t in totals.values()), population_sd(float(t) for t in totals.values())
    zs: dict[object, list[float]] = defaultdict(list)
    for (app, expert), total in totals.items():
        centre, sd = stats[expert]
        zs[app].append((float(total) - centre) / sd if sd else 0.0)
    return {app: (mean(z), grand_mean + mean(z) * (grand_sd or 0.0)) for app, z in zs.items()}
