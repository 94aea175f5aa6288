"""The awards app's AppConfig: ready() registers its visibility rule, its publishing guard, its
background jobs, its dashboard data and its warning before determination."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("成果评定与公布")

    def ready(self):
        # Imported here, not at the top: Django imports apps.py before any model class exists.
        from portal.services.audit import register_programme_path
        from portal.visibility import register_about
        from portal.workflow import PROGRAMME_WORKFLOW

        from . import dashboard, job_handlers
        from .models import Award
        from .permissions import may_publish
        from .services.determination import under_scored_notice
        from .visibility import awards_for

        # Notifications and jobs about an award row follow awards.visibility.
        register_about(Award, awards_for)
        register_programme_path("determination.programme_id")  # audit entries about a determination's rows
        # Publishing needs an approved determination, whoever moves the programme (portal cannot ask awards).
        PROGRAMME_WORKFLOW.add_guard("publish", may_publish)
        # Moving into 成果评定 with applications short of scores is allowed (late experts, a panel's call)
        # but said first, on the programme page, as the ranking page says it.
        PROGRAMME_WORKFLOW.add_notice("start_determining", under_scored_notice)
        job_handlers.register_all()
        dashboard.register_all()
