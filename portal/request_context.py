"""The id of the request (or the task) being handled, for every log line it writes.

RequestIdMiddleware sets it for a request; the Celery task a request queues carries it in the
message headers and the worker sets it again before running the task, so a request's lines and
its tasks' lines share one id. The signal handlers connect when this module is imported: the
logging configuration imports it (the filter below) in the web process and the worker alike.
"""

import contextvars
import logging
import uuid

from celery import signals

HEADER = "portal_request_id"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def get() -> str:
    return _current.get()


def set(value: str) -> contextvars.Token:
    return _current.set(value)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` ("-" outside a request or task). Django logs a request's 4xx/5xx
    line after the middleware has finished; it passes the request along, which carries the id."""

    def filter(self, record):
        if not getattr(record, "request_id", None):
            record.request_id = _current.get() or getattr(getattr(record, "request", None), "request_id", "") or "-"
        return True


@signals.setup_logging.connect(weak=False)
def _keep_django_logging(loglevel=None, **kwargs):
    """A receiver here tells the Celery worker not to replace the logging Django configured from
    settings.LOGGING: worker lines get the same format, JSON in production, with the request id.
    The worker's --loglevel still sets how much it says."""
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@signals.before_task_publish.connect(weak=False)
def _carry_into_task(headers=None, **kwargs):
    value = _current.get()
    if value and headers is not None:
        headers.setdefault(HEADER, value)


@signals.task_prerun.connect(weak=False)
def _restore_in_worker(task=None, **kwargs):
    if task is None:
        return
    # The id the message carries; an eager task runs inside its request and keeps that one; a
    # task queued outside any request (beat, the shell) gets an id of its own.
    value = _header(task.request) or _current.get() or new_id()
    task.request.portal_request_token = _current.set(value)


def _header(request) -> str:
    value = getattr(request, HEADER, None)
    if not value and isinstance(getattr(request, "headers", None), dict):
        value = request.headers.get(HEADER)
    return str(value)[:64] if value else ""


@signals.task_postrun.connect(weak=False)
def _forget_in_worker(task=None, **kwargs):
    token = getattr(task.request, "portal_request_token", None) if task is not None else None
    if token is not None:
        try:
            _current.reset(token)
        except ValueError:  # set in another context (eager calls nest): just clear it
            _current.set("")


# The deployment checks register on import. Until PortalConfig.ready() imports portal.checks, this
# module is the one every process imports during django.setup() (the logging filter above).
from portal import checks  # noqa: E402, F401
