"""Expert evaluation models. Slim on purpose: rules live in scoring.services."""

from .experts import ExpertProfile
from .review import (
    Assignment,
    AssignmentProposal,
    AssignmentStatus,
    ConfidentialityPledge,
    ConflictOfInterest,
    ConflictSource,
    ConflictStatus,
    CriterionScore,
    DefenceSession,
    DefenceSlot,
    Panel,
    Score,
    ScoreStatus,
)
from .rubrics import Band, BonusLevel, Criterion, CriterionKind, ProgrammeRubric, Rubric, RubricSection

__all__ = [
    "Assignment",
    "AssignmentProposal",
    "AssignmentStatus",
    "ConfidentialityPledge",
    "ConflictOfInterest",
    "ConflictSource",
    "ConflictStatus",
    "CriterionScore",
    "DefenceSession",
    "DefenceSlot",
    "Panel",
    "Score",
    "ScoreStatus",
    "Band",
    "BonusLevel",
    "Criterion",
    "CriterionKind",
    "ExpertProfile",
    "ProgrammeRubric",
    "Rubric",
    "RubricSection",
]
