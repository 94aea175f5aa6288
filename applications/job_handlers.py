"""Background jobs of the applications app (autodiscovered by portal.apps)."""

from django.utils.translation import gettext_lazy as _

from portal import jobs

from .annex2 import jobs as _annex2_jobs  # noqa: F401  (registers the Annex 2 export in the worker too)
from .documents.service import KIND, may_request_render, render_documents
from .models import Application
from .models.documents import ApplicationDocument, DocumentFormat


@jobs.register(KIND, _("登记表 PDF 和 Word 生成"), can_request=may_request_render,
               about=("applications.application", "application_id"))
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
