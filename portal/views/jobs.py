"""Progress and result of a background job: polled by htmx, downloaded when ready. Every request
asks again whether the person may still see the job (portal.jobs.visible_job): 404 otherwise.

The page says what is being made (the kind's label and the object it concerns) and links back to
where the person came from: a same-origin ``next`` or Referer, else the dashboard."""

from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal import jobs
from portal.downloads import serve_file
from portal.models import JobStatus, Programme
from portal.services.errors import DomainError


def _job_or_404(request, pk):
    job = jobs.visible_job(request.user, pk)
    if job is None:
        raise Http404
    return job


def _back_url(request, job) -> str:
    """Where the person came from, if it is this site and not the job page itself; else the dashboard."""
    own = reverse("job_status", args=[job.pk])
    for candidate in (request.POST.get("next") or request.GET.get("next"), request.headers.get("Referer")):
        if not candidate or not url_has_allowed_host_and_scheme(
                candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            continue
        if own in candidate:
            continue
        return candidate
    return reverse("dashboard")


def _about(job):
    """The object the job concerns (already visible to the person, or the job would be a 404)."""
    if job.about_model and job.about_id:
        try:
            model = apps.get_model(job.about_model)
        except (LookupError, ValueError):
            return None
        return model._default_manager.filter(pk=job.about_id).first()
    programme_id = (job.params or {}).get("programme_id")
    if isinstance(programme_id, int):  # programme-level exports name no "about"; their can_request checked it
        return Programme.objects.filter(pk=programme_id).first()
    return None


@login_required
def job_status(request, pk):
    job = _job_or_404(request, pk)
    if request.headers.get("HX-Request"):
        reload_when_done = request.GET.get("reload") == "1"
        response = render(request, "portal/_job.html", {"job": job, "reload_when_done": reload_when_done})
        if reload_when_done and job.is_done:
            response["HX-Refresh"] = "true"  # the embedding page shows the result (a proposal, say) itself
        return response
    kind = jobs.REGISTRY.get(job.kind)
    return render(request, "portal/job.html", {
        "job": job, "kind_label": kind.label if kind else job.kind, "about": _about(job),
        "back_url": _back_url(request, job),
    })


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
    target = reverse("job_status", args=[job.pk])
    back = _back_url(request, job)
    if back != reverse("dashboard"):
        target += "?" + urlencode({"next": back})
    return redirect(target)
