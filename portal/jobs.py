"""Background work with progress: a registry of job handlers, and the service that starts jobs.

A handler is a function ``handler(job, progress) -> (filename, bytes)`` registered under a kind
with ``@register("app.kind", can_request=predicate)``. It reads what it needs from ids in
``job.params``, calls ``progress(percent, message)`` as it goes, and returns the file it made.
The runner (portal.tasks.run_job) stores the file and marks the job; a failure is recorded with
its message and the job can be retried. Handlers must be idempotent: a retry starts over.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Job, JobStatus
from portal.permissions import ALLOW, Decision
from portal.services.errors import PermissionDenied

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    handler: Callable
    can_request: Callable[..., Decision]


REGISTRY: dict[str, JobKind] = {}


def register(name: str, label: str, can_request: Callable[..., Decision] = lambda user, params: ALLOW):
    def decorator(handler):
        REGISTRY[name] = JobKind(name, label, handler, can_request)
        return handler

    return decorator


def start_job(user, kind: str, params: dict) -> Job:
    """Checks the person may ask for this, records the job and queues it after commit."""
    job_kind = REGISTRY[kind]
    decision = job_kind.can_request(user, params)
    if not decision:
        raise PermissionDenied(decision.reason)
    job = Job.objects.create(kind=kind, params=params, requested_by=user)
    _enqueue(job)
    return job


def retry_job(user, job: Job) -> Job:
    if job.status != JobStatus.FAILED:
        return job
    decision = REGISTRY[job.kind].can_request(user, job.params)
    if not decision:
        raise PermissionDenied(decision.reason)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, progress=0, error="", message="")
    job.refresh_from_db()
    _enqueue(job)
    return job


def _enqueue(job: Job) -> None:
    from portal.tasks import run_job

    transaction.on_commit(lambda: run_job.delay(str(job.pk)))


def execute(job_id: str) -> Job:
    """Runs one job to the end (called by the Celery task). Returns the updated job."""
    job = Job.objects.get(pk=job_id)
    if job.status == JobStatus.SUCCEEDED:
        return job  # idempotent: a duplicate delivery does nothing
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=job.attempts + 1)

    def progress(percent: int, message: str = ""):
        Job.objects.filter(pk=job.pk).update(progress=max(0, min(100, int(percent))), message=str(message)[:200])

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
    job.finished_at = timezone.now()
    job.save()
    return job


def jobs_for(user):
    """A person sees the jobs they asked for; superusers see all."""
    if user.is_superuser:
        return Job.objects.all()
    return Job.objects.filter(requested_by=user)
