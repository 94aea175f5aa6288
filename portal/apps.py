"""The shared core's AppConfig. ready() wires what the core registers explicitly (nothing is
registered by importing a module for its side effect)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台基础")

    def ready(self):
        # Imported here, not at the top: Django imports apps.py before any model class exists.
        from portal import checks, job_handlers
        from portal.models import Organisation, Programme
        from portal.services import choices
        from portal.visibility import organisations_for, programmes_for, register_about

        # Background jobs, in the web process and in the Celery worker alike (both run django.setup()).
        job_handlers.register_all()
        choices.connect()
        # What notifications and jobs may be "about", and who may still see it (portal.visibility).
        register_about(Programme, programmes_for)
        register_about(Organisation, organisations_for)
        # Deploy-tagged system checks: production refuses a one-node configuration it cannot run.
        checks.register_all()
