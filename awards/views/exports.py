"""Starting background exports; the job page (portal) shows progress and offers the file."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from portal import jobs
from portal.services.errors import DomainError

from ..visibility import awards_for, report_programmes_for
from .determination import programme_or_404

PROGRAMME_EXPORTS = {
    "score-sheet": "awards.score_sheet",
    "ranking-pdf": "awards.ranking_pdf",
    "certificates": "awards.certificates_zip",
    "published-list": "awards.published_list",
}


def _start(request, kind, params):
    if not request.user.is_authenticated:
        raise Http404
    try:
        job = jobs.start_job(request.user, kind, params)
    except DomainError as error:
        raise Http404 from error
    return redirect("job_status", pk=job.pk)


@require_POST
def programme_export(request, pk, name):
    if name not in PROGRAMME_EXPORTS:
        raise Http404
    if name == "published-list":
        programme = get_object_or_404(report_programmes_for(request.user), pk=pk)
    else:
        programme = programme_or_404(request, pk)
    params = {"programme_id": programme.pk}
    if name == "score-sheet":
        params["anonymise"] = bool(request.POST.get("anonymise"))
    return _start(request, PROGRAMME_EXPORTS[name], params)


@require_POST
def report_pdf(request, pk):
    programme = get_object_or_404(report_programmes_for(request.user), pk=pk)
    return _start(request, "awards.report_pdf", {"programme_id": programme.pk})


@require_POST
def certificate(request, pk):
    award = get_object_or_404(awards_for(request.user), pk=pk)
    return _start(request, "awards.certificate", {"award_id": award.pk})
