from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台基础")

    def ready(self):
        # Each app's job_handlers module registers its background jobs (portal.jobs.register), in
        # the web process and in the Celery worker alike.
        autodiscover_modules("job_handlers")
        from portal.services import choices

        choices.connect()
        # What notifications and jobs may be "about", and who may still see it (portal.visibility).
        from portal.models import Organisation, Programme
        from portal.visibility import organisations_for, programmes_for, register_about

        register_about(Programme, programmes_for)
        register_about(Organisation, organisations_for)
        # Deploy-tagged system checks: production refuses a one-node configuration it cannot run.
        import portal.checks  # noqa: F401
