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
