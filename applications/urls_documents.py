"""URLs of the registration form's files; included by applications/urls.py inside the
"applications" namespace:  path("", include("applications.urls_documents"))."""

from django.urls import path

from . import views_documents as views

urlpatterns = [
    path("<int:pk>/documents/", views.document_list, name="documents"),
    path("<int:pk>/documents/render/", views.request_render, name="documents_render"),
    path("documents/<int:pk>/download/", views.download, name="document_download"),
]
