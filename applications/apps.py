"""The applications app's AppConfig: ready() registers its visibility rule, background jobs and
dashboard data."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("项目申报")

    def ready(self):
        # Imported here, not at the top: Django imports apps.py before any model class exists.
        from portal.services.audit import register_programme_path
        from portal.visibility import register_about

        from . import dashboard, job_handlers
        from .models import Application
        from .visibility import applications_for

        # Notifications and jobs about an application follow the application's own visibility.
        register_about(Application, applications_for)
        # Evidence, comments, decisions, versions… lead to their programme through their application.
        register_programme_path("application.programme_id")
        job_handlers.register_all()
        dashboard.register_all()
