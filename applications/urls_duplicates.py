"""Suspected duplicates (疑似重复), included into the applications namespace."""

from django.urls import path

from .views import duplicates

urlpatterns = [
    path("duplicates/<int:pk>/", duplicates.compare, name="duplicate_compare"),
    path("duplicates/<int:pk>/dismiss/", duplicates.dismiss, name="duplicate_dismiss"),
]
