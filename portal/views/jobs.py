"""Progress and result of a background job: polled by htmx, downloaded when ready."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal import jobs
from portal.downloads import serve_file
from portal.models import JobStatus
from portal.services.errors import DomainError


@login_required
def job_status(request, pk):
    job = get_object_or_404(jobs.jobs_for(request.user), pk=pk)
    template = "portal/_job.html" if request.headers.get("HX-Request") else "portal/job.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk):
    job = get_object_or_404(jobs.jobs_for(request.user), pk=pk)
    if job.status != JobStatus.SUCCEEDED or not job.result:
        raise Http404
    return serve_file(job.result, filename=job.result_name)


@login_required
@require_POST
def job_retry(request, pk):
    job = get_object_or_404(jobs.jobs_for(request.user), pk=pk)
    try:
        jobs.retry_job(request.user, job)
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("job_status", pk=job.pk)
