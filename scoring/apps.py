"""The scoring app's AppConfig: ready() registers the experts' visibility rule and background jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("专家评价")

    def ready(self):
        # Imported here, not at the top: Django imports apps.py before any model class exists.
        from applications.visibility import register_role_rule
        from portal.models.users import Role

        from . import job_handlers
        from .visibility import applications_for_expert

        register_role_rule(Role.EXPERT, applications_for_expert)
        job_handlers.register_all()
