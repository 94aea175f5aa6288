"""Scheduling and doing the render of the registration form. Never called inside a request:
views and the submission service call ``schedule_render``; the job handler calls
``render_documents`` in the Celery worker."""

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import jobs
from portal.permissions import ALLOW, deny

from ..models import Application
from ..models.choices import EDITABLE_STATUSES
from ..models.documents import DRAFT_VERSION, ApplicationDocument, DocumentFormat
from ..permissions import may_edit_application
from ..visibility import applications_for
from .docx import render_docx
from .html import build_context, render_html
from .pdf import render_pdf

KIND = "applications.render_documents"


def current_version(application: Application, user=None) -> int:
    """The version a render "now" shows: the draft (0) while the applicant may edit the form (never
    submitted, or returned for revision), otherwise the latest submitted one. Given a ``user`` who
    may not edit it (a recommender, an administrator), the latest submitted version even while the
    applicant revises."""
    latest = application.versions.aggregate(n=Max("number"))["n"] or DRAFT_VERSION
    if not application.is_editable:
        return latest
    if user is not None and latest != DRAFT_VERSION and not may_edit_application(user, application):
        return latest
    return DRAFT_VERSION


def schedule_render(user, application: Application, version: int | None = None):
    """Starts the background render of ``version`` (default: the current one for ``user``) and
    returns the Job; it is queued once the surrounding transaction commits."""
    number = current_version(application, user) if version is None else int(version)
    return jobs.start_job(user, KIND, {"application_id": application.pk, "version": number})


def may_request_render(user, params: dict):
    """Anyone who may see the application may have its form rendered (and download it)."""
    try:
        application_id, version = int(params["application_id"]), int(params["version"])
    except (KeyError, TypeError, ValueError):
        return deny(_("参数无效。"))
    app = applications_for(user).filter(pk=application_id).first()
    if app is None:
        return deny(_("您无权查看该申报。"))
    if version < DRAFT_VERSION or (version != DRAFT_VERSION and not app.versions.filter(number=version).exists()):
        return deny(_("该版本不存在。"))
    return ALLOW


def documents_of(application: Application):
    return application.documents.select_related("application").order_by("-version", "format")


def render_documents(application: Application, version: int, *, job=None, progress=None) -> tuple[bytes, bytes]:
    """Renders the form of ``version`` as PDF and Word and stores both, replacing earlier files of
    the same version (re-running never duplicates). Returns (pdf bytes, docx bytes)."""
    report = progress or (lambda percent, message="": None)
    context = build_context(application, version)
    html = render_html(context)
    report(10, _("登记表内容已准备"))
    pdf = render_pdf(html)
    report(60, _("PDF 已生成"))
    docx = render_docx(context)
    report(90, _("Word 已生成"))
    store(application, version, {DocumentFormat.PDF: pdf, DocumentFormat.DOCX: docx}, job=job)
    return pdf, docx


def store(application: Application, version: int, files: dict, *, job=None) -> list[ApplicationDocument]:
    """One row per (application, version, format): created, or updated with a new file whose
    predecessor is deleted once the change is committed. A submitted version's files supersede
    the draft's; a draft rendered after the form was submitted is not kept (the job still returns
    it to the person who asked)."""
    stored, replaced = [], []
    with transaction.atomic():
        if version == DRAFT_VERSION and not Application.objects.filter(
            pk=application.pk, status__in=EDITABLE_STATUSES
        ).exists():
            return stored
        for fmt, content in files.items():
            doc = _locked_row(application, version, fmt)
            if doc.file:
                replaced.append(doc.file.name)
            doc.file.save(f"{fmt}.{fmt}", ContentFile(content), save=False)
            doc.size, doc.job, doc.created_at = len(content), job, timezone.now()
            doc.save()
            stored.append(doc)
        if version != DRAFT_VERSION:
            for draft in application.documents.filter(version=DRAFT_VERSION):
                replaced.append(draft.file.name)
                draft.delete()
        storage = ApplicationDocument._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in replaced if name])
    return stored


def _locked_row(application, version, fmt) -> ApplicationDocument:
    rows = ApplicationDocument.objects.select_for_update()
    doc = rows.filter(application=application, version=version, format=fmt).first()
    if doc is not None:
        return doc
    try:
        with transaction.atomic():  # a concurrent render of the same version may win the insert
            return ApplicationDocument.objects.create(application=application, version=version, format=fmt,
                                                      file="", size=0)
    except IntegrityError:
        return rows.get(application=application, version=version, format=fmt)
