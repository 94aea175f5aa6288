"""Errors the domain raises; views turn them into messages or status codes."""


class DomainError(Exception):
    """A rule of the procedure refused the action; ``str(error)`` is the message for the person."""


class PermissionDenied(DomainError):
    """The person may not take this action."""


class InvalidTransition(DomainError):
    """The object is not in a state that allows this step."""
