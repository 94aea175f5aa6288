"""Background work with progress: a registry of job handlers, and the service that starts jobs.

A handler is a function ``handler(job, progress) -> (filename, bytes)`` registered under a kind
with ``register_kind("app.kind", label, handler, can_request=predicate, about=(model label, params
key))``. Each app registers its kinds in ``job_handlers.register_all()``, called from its
AppConfig.ready(): django.setup() runs it in the web process and in the Celery worker alike, so no
module has to be imported for its side effect. (``@register`` is the same as a decorator, for
tests' throw-away kinds.) A handler reads what it needs from ids in ``job.params``, calls
``progress(percent, message)`` as it goes, and returns the file it made. The runner (the Celery
task ``run_job`` below) stores the file and marks the job; a failure is recorded with its message
and the job can be retried. Handlers must be idempotent: a retry starts over.

A job is seen (status, download, retry) only by the person who asked, and only while they may still
see what it is about: ``portal.visibility.jobs_for`` filters on the object (``about``, through the same visibility
function the object's own pages use) and ``visible_job`` also re-asks the kind's ``still_visible``
predicate (by default ``can_request``) on every request. An expert recused after asking for an
application's form loses the job with the application.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Job, JobStatus
from portal.permissions import ALLOW, Decision, require
from portal.visibility import jobs_for

log = logging.getLogger(__name__)

STALL_SECONDS = 15 * 60  # default of settings.JOB_STALL_SECONDS


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    handler: Callable
    can_request: Callable[..., Decision]
    # ("app_label.model", params key) of the object the job concerns, or None.
    about: tuple[str, str] | None = None
    # Asked again on every request for the job; None: can_request (it is built on visibility).
    still_visible: Callable[..., Decision] | None = None

    def may_still_see(self, user, params) -> bool:
        return bool((self.still_visible or self.can_request)(user, params))

    def about_of(self, params) -> tuple[str, int | None]:
        if self.about is None:
            return "", None
        label, key = self.about
        try:
            return label, int(params.get(key))
        except (TypeError, ValueError):
            return label, None  # about something unnamed: nobody but superusers sees it (fail closed)


REGISTRY: dict[str, JobKind] = {}


def _anyone(user, params) -> Decision:
    return ALLOW


def register_kind(name: str, label: str, handler: Callable, can_request: Callable[..., Decision] = _anyone, *,
                  about: tuple[str, str] | None = None,
                  still_visible: Callable[..., Decision] | None = None) -> JobKind:
    """Adds (or replaces: ready() may run twice in tests) one kind of job."""
    REGISTRY[name] = kind = JobKind(name, label, handler, can_request, about, still_visible)
    return kind


def register(name: str, label: str, can_request: Callable[..., Decision] = _anyone, *,
             about: tuple[str, str] | None = None, still_visible: Callable[..., Decision] | None = None):
    """``register_kind`` as a decorator (tests' own kinds)."""
    def decorator(handler):
        register_kind(name, label, handler, can_request, about=about, still_visible=still_visible)
        return handler

    return decorator


def start_job(user, kind: str, params: dict) -> Job:
    """Checks the person may ask for this, records the job and queues it after commit."""
    job_kind = REGISTRY[kind]
    require(job_kind.can_request(user, params))
    about_model, about_id = job_kind.about_of(params)
    job = Job.objects.create(kind=kind, params=params, requested_by=user, about_model=about_model, about_id=about_id,
                             heartbeat_at=timezone.now())
    _enqueue(job)
    return job


def retry_job(user, job: Job) -> Job:
    if job.status != JobStatus.FAILED:
        return job
    require(REGISTRY[job.kind].can_request(user, job.params))
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, progress=0, error="", message="",
                                         heartbeat_at=timezone.now())
    job.refresh_from_db()
    _enqueue(job)
    return job


def _enqueue(job: Job) -> None:
    transaction.on_commit(lambda: run_job.delay(str(job.pk)))


# The name is the one messages already queued carry (and CELERY_TASK_ROUTES sends to the render
# queue): the task lived in portal.tasks before it moved here, next to what it runs.
@shared_task(name="portal.tasks.run_job", bind=True, autoretry_for=(OSError,), retry_backoff=True,
             retry_backoff_max=60, max_retries=3)
def run_job(self, job_id: str) -> str:
    """Runs a background job; transient I/O errors are retried with backoff."""
    return execute(job_id).status


def execute(job_id: str) -> Job:
    """Runs one job to the end (called by the Celery task). Returns the updated job."""
    job = Job.objects.get(pk=job_id)
    if job.status == JobStatus.SUCCEEDED:
        return job  # idempotent: a duplicate delivery does nothing
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=job.attempts + 1,
                                         heartbeat_at=timezone.now())

    def progress(percent: int, message: str = ""):
        Job.objects.filter(pk=job.pk).update(progress=max(0, min(100, int(percent))), message=str(message)[:200],
                                             heartbeat_at=timezone.now())

    try:
        filename, content = REGISTRY[job.kind].handler(job, progress)
    except Exception as error:  # recorded for the person, logged for the operator
        log.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(error)[:2000] or error.__class__.__name__,
            message=_("处理失败，可重试。"), finished_at=timezone.now(),
        )
        raise
    job.refresh_from_db()
    if job.result:
        job.result.delete(save=False)
    job.result.save(filename, ContentFile(content), save=False)
    job.result_name = filename
    job.status = JobStatus.SUCCEEDED
    job.progress = 100
    job.message = _("已完成")
    job.error = ""
    job.finished_at = timezone.now()
    job.heartbeat_at = job.finished_at
    job.save()
    return job


def may_still_see(user, job: Job) -> bool:
    """The kind's own re-check (by default its can_request), on top of jobs_for's object check."""
    if user.is_superuser:
        return True
    kind = REGISTRY.get(job.kind)
    return kind is not None and kind.may_still_see(user, job.params)


def visible_job(user, pk) -> Job | None:
    """The job ``pk`` if ``user`` may see it now (status page, its htmx partial, download, retry)."""
    job = jobs_for(user).filter(pk=pk).first()
    return job if job is not None and may_still_see(user, job) else None


def stall_seconds() -> int:
    return int(getattr(settings, "JOB_STALL_SECONDS", STALL_SECONDS))


def sweep_stuck_jobs(now=None) -> int:
    """Fails the queued or running jobs that have shown no progress for JOB_STALL_SECONDS (a worker
    killed mid-render never reports again), so the person sees the failure and its retry button.
    A job that was only slow and finishes later still succeeds (execute does not look at the status).
    Returns how many were failed."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=stall_seconds())
    stuck = Job.objects.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
    ids = list(stuck.values_list("pk", flat=True))
    if not ids:
        return 0
    count = stuck.filter(pk__in=ids).update(  # the same conditions again: a job that just moved stays
        status=JobStatus.FAILED, finished_at=now, message=_("处理失败，可重试。"),
        error=_("任务长时间没有进展（后台处理可能已中断），已停止。请点击“重试”重新生成。"),
    )
    log.warning("marked %d stalled job(s) as failed: %s", count, ", ".join(str(pk) for pk in ids))
    return count
