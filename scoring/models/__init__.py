"""Expert evaluation models. Slim on purpose: rules live in scoring.services."""

from .experts import ExpertProfile
from .rubrics import Band, BonusLevel, Criterion, CriterionKind, ProgrammeRubric, Rubric, RubricSection

__all__ = [
    "Band",
    "BonusLevel",
    "Criterion",
    "CriterionKind",
    "ExpertProfile",
    "ProgrammeRubric",
    "Rubric",
    "RubricSection",
]
