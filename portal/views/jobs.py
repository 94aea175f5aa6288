"""Progress and result of a background job: polled by htmx, downloaded when ready. Every request
asks again whether the person may still see the job (portal.jobs.visible_job): 404 otherwise."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal import jobs
from portal.downloads import serve_file
from portal.models import JobStatus
from portal.services.errors import DomainError


def _job_or_404(request, pk):
    job = jobs.visible_job(request.user, pk)
    if job is None:
        raise Http404
    return job


@login_required
def job_status(request, pk):
    job = _job_or_404(request, pk)
    template = "portal/_job.html" if request.headers.get("HX-Request") else "portal/job.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk):
    job = _job_or_404(request, pk)
    if job.status != JobStatus.SUCCEEDED or not job.result:
        raise Http404
    return serve_file(job.result, filename=job.result_name)


@login_required
@require_POST
def job_retry(request, pk):
    job = _job_or_404(request, pk)
    try:
        jobs.retry_job(request.user, job)
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("job_status", pk=job.pk)
