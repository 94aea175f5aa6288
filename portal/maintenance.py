"""Housekeeping the beat runs nightly (CELERY_BEAT_SCHEDULE): expired sessions and expired job
result files. Listed in CELERY_IMPORTS, so every worker knows these tasks."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from portal.models import Job

log = logging.getLogger(__name__)


@shared_task
def clear_sessions() -> None:
    """Django's clearsessions: deletes expired sessions from the database (and the cache's copy
    goes by itself when it expires)."""
    call_command("clearsessions")


def delete_expired_job_files(now=None) -> int:
    """Deletes the result files of jobs finished more than JOB_RESULT_TTL_DAYS ago, through the
    storage API (local disk or the S3 bucket alike); the job rows stay, without a file. Returns
    how many files were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.JOB_RESULT_TTL_DAYS)
    deleted = 0
    for job in Job.objects.filter(finished_at__lt=cutoff).exclude(result="").iterator():
        try:
            job.result.delete(save=False)  # storage.delete: no error when the file is already gone
        except OSError:
            log.exception("could not delete the result file of job %s", job.pk)
            continue
        Job.objects.filter(pk=job.pk).update(result="")
        deleted += 1
    if deleted:
        log.info("deleted %d expired job result files (older than %d days)", deleted, settings.JOB_RESULT_TTL_DAYS)
    return deleted


@shared_task(name="portal.maintenance.delete_expired_job_files")
def delete_expired_job_files_task() -> int:
    return delete_expired_job_files()
