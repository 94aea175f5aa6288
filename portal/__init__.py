"""The Django project and the shared core: users, roles, organisations, recommending units,
programmes, the audit trail and the dashboards."""

from .celery import app as celery_app

__all__ = ["celery_app"]
