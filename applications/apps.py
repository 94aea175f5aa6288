from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("项目申报")

    def ready(self):
        # Notifications and jobs about an application follow the application's own visibility.
        from portal.visibility import register_about

        from .models import Application
        from .visibility import applications_for

        register_about(Application, applications_for)
