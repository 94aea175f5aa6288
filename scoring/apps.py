from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("专家评价")

    def ready(self):
        from applications.visibility import register_role_rule
        from portal.models.users import Role

        from .visibility import applications_for_expert

        register_role_rule(Role.EXPERT, applications_for_expert)
