"""The application's life as declarative data (portal.workflow). Services look moves up here.

The recommendation step will add endorse (→ endorsed_by_street / endorsed) and decline
(→ declined) transitions to this list.
"""

from django.utils.translation import gettext_lazy as _

from portal.workflow import Transition, Workflow

from .models.choices import ApplicationStatus as S
from .permissions import may_return, may_submit

APPLICATION_WORKFLOW = Workflow(
    "application",
    [
        Transition("submit", (S.DRAFT,), S.SUBMITTED, _("提交"), may_submit, "application.submit"),
        Transition("resubmit", (S.RETURNED,), S.SUBMITTED, _("重新提交"), may_submit, "application.resubmit"),
        Transition("return", (S.SUBMITTED,), S.RETURNED, _("退回修改"), may_return, "application.return"),
    ],
)
