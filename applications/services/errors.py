"""Errors of the registration step (all DomainError: the message is for the person)."""

from portal.services.errors import DomainError


class IncompleteApplication(DomainError):
    """Submission refused: ``missing`` lists every item (completeness.Missing) still to fix."""

    def __init__(self, message, missing):
        super().__init__(message)
        self.missing = missing


class StaleApplication(DomainError):
    """Someone saved the form after this person opened it (optimistic locking)."""


class EvidenceRejected(DomainError):
    """An upload was refused; the message names the file and the reason."""
