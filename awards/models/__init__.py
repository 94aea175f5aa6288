"""Models of determination and publication (成果评定、成果公布). Slim: rules live in awards.services."""

from .awards import Award, Determination, Tier, TierOverride
from .settings import AwardSettings, RankingStatistic, TierMethod

__all__ = [
    "Award",
    "AwardSettings",
    "Determination",
    "RankingStatistic",
    "Tier",
    "TierMethod",
    "TierOverride",
]
