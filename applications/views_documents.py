"""The registration form's files on the application page: the list, a render on request (in the
background, never inside the request) and the download. Everything starts from
applications_for(user): whoever may see the application may see and fetch its files; anyone else
gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.downloads import serve_file
from portal.models import JobStatus
from portal.services.errors import DomainError
from portal.visibility import jobs_for

from .documents.service import KIND, current_version, documents_of, schedule_render
from .models.documents import ApplicationDocument
from .visibility import applications_for

LIST_TEMPLATE = "applications/documents/_list.html"


def _latest_job(user, application):
    """The person's latest render of this application, while it is worth showing: running or
    failed (a finished one shows up as files in the list)."""
    job = (
        jobs_for(user)
        .filter(kind=KIND, params__application_id=application.pk)
        .order_by("-created_at")
        .first()
    )
    return job if job is not None and job.status != JobStatus.SUCCEEDED else None


def documents_context(user, application, job=None, error: str = "") -> dict:
    rows = {}
    for doc in documents_of(application):
        rows.setdefault(doc.version, {"version": doc.version, "label": doc.version_label, "created_at": doc.created_at})
        rows[doc.version][doc.format] = doc
        rows[doc.version]["created_at"] = max(rows[doc.version]["created_at"], doc.created_at)
    job = job or _latest_job(user, application)
    return {
        "application": application,
        "document_rows": list(rows.values()),
        "job": job,
        "job_active": job is not None and not job.is_done,
        "current_version": current_version(application, user),
        "error": error,
    }


@login_required
def document_list(request, pk):
    application = get_object_or_404(applications_for(request.user), pk=pk)
    # htmx swaps in the list alone; a browser following the link gets a whole page.
    template = LIST_TEMPLATE if request.headers.get("HX-Request") else "applications/documents/page.html"
    return render(request, template, documents_context(request.user, application))


@login_required
@require_POST
def request_render(request, pk):
    """Starts rendering the current state (the latest submitted version, or the draft)."""
    application = get_object_or_404(applications_for(request.user), pk=pk)
    is_htmx = request.headers.get("HX-Request") == "true"
    try:
        job = schedule_render(request.user, application)
    except DomainError as error:
        if is_htmx:
            context = documents_context(request.user, application, error=str(error))
            return render(request, LIST_TEMPLATE, context, status=403)
        messages.error(request, str(error))
        return redirect("applications:edit", pk=application.pk)
    if is_htmx:
        return render(request, LIST_TEMPLATE, documents_context(request.user, application, job=job))
    return redirect("job_status", pk=job.pk)


@login_required
def download(request, pk):
    doc = get_object_or_404(
        ApplicationDocument.objects.select_related("application").filter(
            application__in=applications_for(request.user)
        ),
        pk=pk,
    )
    return serve_file(doc.file, filename=doc.download_name, content_type=doc.content_type)
