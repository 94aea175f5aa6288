"""URLs of the applications app, mounted under /applications/ (namespace "applications")."""

from django.urls import include, path

from .views import actions, evidence, pages, versions

app_name = "applications"
urlpatterns = [
    path("", include("applications.urls_documents")),
    path("", pages.application_list, name="list"),
    path("new/", pages.application_new, name="new"),
    path("<int:pk>/", pages.application_edit, name="edit"),
    path("<int:pk>/checklist/", pages.application_checklist, name="checklist"),
    path("<int:pk>/submit/", actions.submit, name="submit"),
    path("<int:pk>/return/", actions.return_for_revision, name="return"),
    path("<int:pk>/evidence/", evidence.upload, name="evidence_upload"),
    path("evidence/<int:pk>/delete/", evidence.delete, name="evidence_delete"),
    path("evidence/<int:pk>/download/", evidence.download, name="evidence_download"),
    path("<int:pk>/versions/", versions.version_list, name="versions"),
    path("<int:pk>/diff/", versions.version_diff, name="diff"),
]
