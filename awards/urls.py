"""URLs of the awards app, mounted under /awards/ (namespace "awards")."""

from django.urls import path

from .views import determination, exports, public, seal

app_name = "awards"
urlpatterns = [
    path("", public.public_list, name="public_list"),
    path("verify/<str:code>/", public.verify, name="verify"),
    path("programme/<int:pk>/report/", public.report_page, name="report"),
    path("programme/<int:pk>/report/pdf/", exports.report_pdf, name="report_pdf"),
    path("programme/<int:pk>/published.xlsx", public.published_xlsx, name="published_xlsx"),
    path("programme/<int:pk>/ranking/", determination.ranking_page, name="ranking"),
    path("programme/<int:pk>/settings/", determination.update_settings, name="settings"),
    path("programme/<int:pk>/seal/", seal.update_seal, name="seal"),
    path("programme/<int:pk>/application/<int:application_pk>/", determination.application_scores,
         name="application_scores"),
    path("programme/<int:pk>/application/<int:application_pk>/override/", determination.override, name="override"),
    path("programme/<int:pk>/approve/", determination.approve, name="approve"),
    path("programme/<int:pk>/reopen/", determination.reopen, name="reopen"),
    path("programme/<int:pk>/publish/", determination.publish, name="publish"),
    path("programme/<int:pk>/unpublish/", determination.unpublish, name="unpublish"),
    path("programme/<int:pk>/export/<slug:name>/", exports.programme_export, name="export"),
    path("award/<int:pk>/certificate/", exports.certificate, name="certificate"),
]
