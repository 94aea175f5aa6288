"""URLs of the applications app, mounted under /applications/ (namespace "applications")."""

from django.urls import include, path

from .views import actions, annex2, autosave, evidence, pages, recommendation, unit, versions

app_name = "applications"
urlpatterns = [
    path("", include("applications.urls_documents")),
    path("", include("applications.urls_duplicates")),
    path("", pages.application_list, name="list"),
    path("new/", pages.application_new, name="new"),
    path("<int:pk>/", pages.application_edit, name="edit"),
    path("<int:pk>/autosave/", autosave.autosave, name="autosave"),
    path("<int:pk>/checklist/", pages.application_checklist, name="checklist"),
    path("<int:pk>/submit/", actions.submit, name="submit"),
    path("<int:pk>/return/", actions.return_for_revision, name="return"),
    path("<int:pk>/evidence/", evidence.upload, name="evidence_upload"),
    path("evidence/<int:pk>/delete/", evidence.delete, name="evidence_delete"),
    path("evidence/<int:pk>/download/", evidence.download, name="evidence_download"),
    path("<int:pk>/versions/", versions.version_list, name="versions"),
    path("<int:pk>/diff/", versions.version_diff, name="diff"),
    # recommendation (推荐)
    path("recommend/", recommendation.workspace, name="recommend_workspace"),
    path("recommend/unit/", unit.unit_contact, name="recommend_unit"),
    path("<int:pk>/review/", recommendation.review, name="review"),
    path("<int:pk>/review/endorse/", recommendation.endorse, name="endorse"),
    path("<int:pk>/review/decline/", recommendation.decline, name="decline"),
    path("<int:pk>/review/return/", recommendation.return_to_applicant, name="recommend_return"),
    path("<int:pk>/review/return-to-street/", recommendation.return_to_street, name="return_to_street"),
    path("recommend/<int:programme_pk>/ranking/", annex2.ranking, name="recommend_ranking"),
    path("recommend/<int:programme_pk>/annex2/", annex2.export, name="annex2_export"),
    path("recommend/<int:programme_pk>/progress/", annex2.progress, name="recommend_progress"),
    path("recommend/<int:programme_pk>/progress/remind/", annex2.remind, name="recommend_remind"),
]
