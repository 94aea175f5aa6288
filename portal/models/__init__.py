"""Shared core models. Slim on purpose: rules live in portal.services, visibility in portal.visibility."""

from .audit import AuditEntry
from .jobs import Job, JobStatus
from .notifications import Notification
from .organisations import Organisation, OrganisationMembership, RecommendingUnit
from .programmes import Organiser, Programme, ProgrammeStatus
from .reference import District, ProjectCategory
from .users import Role, User

__all__ = [
    "AuditEntry",
    "District",
    "Job",
    "JobStatus",
    "Notification",
    "Organisation",
    "OrganisationMembership",
    "Organiser",
    "Programme",
    "ProgrammeStatus",
    "ProjectCategory",
    "RecommendingUnit",
    "Role",
    "User",
]
