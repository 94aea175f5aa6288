"""The application's life as declarative data (portal.workflow). Services look moves up here.

Recommendation (推荐), seed 000 §6.2 and seed 001:
- a street/town (街镇) endorses to its district bureau (→ endorsed_by_street); the bureau then
  endorses to the organiser (→ endorsed), declines, returns to the applicant, or sends it back to
  the street (→ submitted, the street reviews again);
- any other unit (district bureau, group company, industry association) endorses straight to the
  organiser (→ endorsed), in a municipal or a district programme alike;
- self-declared applications (自行申报) have no recommender: they stay "submitted" and the
  organiser's lists treat them as endorsed by themselves (services.recommendation_queries).
Who may take each move is a predicate in applications.permissions (incl. the deadline).
"""

from django.utils.translation import gettext_lazy as _

from portal.workflow import Transition, Workflow

from .models.choices import ApplicationStatus as S
from .permissions import (
    is_street,
    may_decide_as_bureau,
    may_decide_as_named_unit,
    may_endorse_as_street,
    may_endorse_directly,
    may_return,
    may_submit,
)

APPLICATION_WORKFLOW = Workflow(
    "application",
    [
        Transition("submit", (S.DRAFT,), S.SUBMITTED, _("提交"), may_submit, "application.submit"),
        Transition("resubmit", (S.RETURNED,), S.SUBMITTED, _("重新提交"), may_submit, "application.resubmit"),
        Transition("return", (S.SUBMITTED, S.ENDORSED_BY_STREET), S.RETURNED, _("退回修改"), may_return,
                   "application.return"),
        # --- recommendation ---
        Transition("endorse_street", (S.SUBMITTED,), S.ENDORSED_BY_STREET, _("推荐（报区市场监管局复核）"),
                   may_endorse_as_street, "application.endorse_street"),
        Transition("endorse", (S.SUBMITTED,), S.ENDORSED, _("推荐（报主管部门）"), may_endorse_directly,
                   "application.endorse"),
        Transition("endorse_district", (S.ENDORSED_BY_STREET,), S.ENDORSED, _("复核推荐（报主管部门）"),
                   may_decide_as_bureau, "application.endorse"),
        Transition("decline", (S.SUBMITTED,), S.DECLINED, _("不予推荐"), may_decide_as_named_unit,
                   "application.decline"),
        Transition("decline_district", (S.ENDORSED_BY_STREET,), S.DECLINED, _("不予推荐"), may_decide_as_bureau,
                   "application.decline"),
        Transition("return_to_street", (S.ENDORSED_BY_STREET,), S.SUBMITTED, _("退回街镇重新审核"),
                   may_decide_as_bureau, "application.return_to_street"),
    ],
)

# The moves a recommender's endorse / decline button maps to, by the application's status.
ENDORSE_MOVES = ("endorse_street", "endorse", "endorse_district")
DECLINE_MOVES = ("decline", "decline_district")


def endorse_move(app) -> str:
    """The move the endorse button takes on ``app``: the bureau's review of a street's endorsement,
    a street's endorsement to its bureau, or any other unit's endorsement to the organiser. The
    review page shows this transition's label on the button."""
    if app.status == S.ENDORSED_BY_STREET:
        return "endorse_district"
    return "endorse_street" if is_street(app.recommender) else "endorse"


def decline_move(app) -> str:
    """The move the decline button takes on ``app`` (the bureau declines what a street endorsed)."""
    return "decline_district" if app.status == S.ENDORSED_BY_STREET else "decline"
