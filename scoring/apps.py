"""The scoring app's AppConfig: ready() registers the experts' visibility rule, how its
objects lead to their programme (audit) and background jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("专家评价")

    def ready(self):
        # Imported here, not at the top: Django imports apps.py before any model class exists.
        from applications.visibility import register_role_rule
        from portal.models.users import Role
        from portal.services.audit import register_programme_path

        from . import job_handlers
        from .visibility import applications_for_expert

        register_role_rule(Role.EXPERT, applications_for_expert)
        # Assignments, score sheets and defence slots in the audit trail, to their programme.
        for path in ("assignment.application.programme_id", "score.assignment.application.programme_id",
                     "session.programme_id"):
            register_programme_path(path)
        job_handlers.register_all()
