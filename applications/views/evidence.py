"""Evidence: upload and remove (while editable), and download through visibility only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from portal.downloads import serve_file
from portal.services.errors import DomainError

from ..forms import EvidenceForm
from ..models import Section
from ..services import evidence as evidence_service
from ..visibility import applications_for, evidence_for
from .pages import edit_url


@login_required
@require_POST
def upload(request, pk):
    app = get_object_or_404(applications_for(request.user), pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(edit_url(app, Section.EVIDENCE))
    uploaded = form.cleaned_data["file"]
    try:
        evidence_service.add_evidence(
            request.user, app, uploaded, kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"], name=uploaded.name,
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("文件“%(name)s”已上传。") % {"name": uploaded.name})
    return redirect(edit_url(app, Section.EVIDENCE))


@login_required
@require_POST
def delete(request, pk):
    evidence = get_object_or_404(evidence_for(request.user).filter(withdrawn_at__isnull=True), pk=pk)
    try:
        evidence_service.remove_evidence(request.user, evidence)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("文件“%(name)s”已删除。") % {"name": evidence.original_name})
    return redirect(edit_url(evidence.application, Section.EVIDENCE))


@login_required
@xframe_options_sameorigin  # the review page previews PDFs and images in a frame of this site
def download(request, pk):
    evidence = get_object_or_404(evidence_for(request.user), pk=pk)
    # A stored file is never a page: no scripts. (No ``sandbox``: Chromium's PDF viewer refuses
    # to run in a sandboxed document, and the preview is the point of serving PDFs inline.)
    return serve_file(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type,
        as_attachment=not evidence.is_inline,
        headers={"Content-Security-Policy": (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'"
        )},
    )
