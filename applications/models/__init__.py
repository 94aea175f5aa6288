"""Models of the registration step. Slim: rules live in applications.services."""

from .application import Application
from .choices import AdvancementLevel, ApplicationStatus, EvidenceKind, Section
from .documents import ApplicationDocument, DocumentFormat
from .duplicates import ApplicationFingerprint, DuplicateCandidate, DuplicateStatus
from .evidence import Evidence
from .history import ApplicationVersion, ReturnComment
from .people import ConflictDeclaration, TeamMember
from .recommendation import ActualEffect, DecisionKind, LeadingDegree, RecommendationDecision

__all__ = [
    "ActualEffect",
    "AdvancementLevel",
    "Application",
    "ApplicationDocument",
    "ApplicationFingerprint",
    "ApplicationStatus",
    "ApplicationVersion",
    "ConflictDeclaration",
    "DecisionKind",
    "DocumentFormat",
    "DuplicateCandidate",
    "DuplicateStatus",
    "Evidence",
    "EvidenceKind",
    "LeadingDegree",
    "RecommendationDecision",
    "ReturnComment",
    "Section",
    "TeamMember",
]
