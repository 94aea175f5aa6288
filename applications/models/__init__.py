"""Models of the registration step. Slim: rules live in applications.services."""

from .application import Application
from .choices import AdvancementLevel, ApplicationStatus, EvidenceKind, Section
from .evidence import Evidence
from .history import ApplicationVersion, ReturnComment
from .people import ConflictDeclaration, TeamMember

__all__ = [
    "AdvancementLevel",
    "Application",
    "ApplicationStatus",
    "ApplicationVersion",
    "ConflictDeclaration",
    "Evidence",
    "EvidenceKind",
    "ReturnComment",
    "Section",
    "TeamMember",
]
