"""Background jobs of the applications app, registered by ``register_all()`` from
ApplicationsConfig.ready() (the web process and the Celery worker both run it)."""

from django.utils.translation import gettext_lazy as _

from portal import jobs

from .annex2 import jobs as annex2_jobs
from .documents.service import KIND, may_request_render, render_documents
from .models import Application
from .models.documents import ApplicationDocument, DocumentFormat


def render_registration_form(job, progress):
    """Renders Table A.1 of one application version as PDF and Word, stores both as
    ApplicationDocument rows (replacing the version's earlier files) and returns the PDF."""
    params = job.params
    application = Application.objects.select_related("programme__district", "organisation").get(
        pk=params["application_id"]
    )
    version = int(params["version"])
    pdf, _docx = render_documents(application, version, job=job, progress=progress)
    name = ApplicationDocument(application=application, version=version, format=DocumentFormat.PDF).download_name
    return name, pdf


def register_all() -> None:
    """Called from ApplicationsConfig.ready()."""
    jobs.register_kind(KIND, _("登记表 PDF 和 Word 生成"), render_registration_form, can_request=may_request_render,
                       about=("applications.application", "application_id"))
    # No "about" object: the export page lists programmes through recommender_programmes, not
    # programmes_for; may_request is asked again on every request for the job instead.
    jobs.register_kind(annex2_jobs.KIND, _("申报汇总表（附件2）导出"), annex2_jobs.export_annex2,
                       can_request=annex2_jobs.may_request)
