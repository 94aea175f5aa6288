"""Background jobs of expert review, registered by ``register_all()`` from ScoringConfig.ready().

"scoring.auto_assign" — params {"programme_id": int, "seed": int}: detects conflicts, solves the
assignment and stores an AssignmentProposal for the administrator to review and apply; the file
it returns is the proposal as a CSV (UTF-8 with BOM, opens in Excel).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application
from portal import jobs
from portal.exports import csv_bytes
from portal.filenames import file_name
from portal.models import Programme
from portal.permissions import deny
from scoring.models import ExpertProfile
from scoring.permissions import may_assign
from scoring.services.assignment import create_proposal
from scoring.visibility import review_job_visible

AUTO_ASSIGN = "scoring.auto_assign"


def may_request_auto_assign(user, params):
    programme = Programme.objects.filter(pk=params.get("programme_id")).first()
    if programme is None:
        return deny(_("批次不存在。"))
    return may_assign(user, programme)


def proposal_csv(proposal) -> bytes:
    """The proposal as rows; names people typed go through portal.exports (a leading ' before = + - @)."""
    app_ids = {a for a, _e in proposal.pairs} | {u["application"] for u in proposal.unstaffed}
    apps = dict(Application.objects.filter(pk__in=app_ids).values_list("pk", "project_name"))
    experts = {e.pk: e for e in ExpertProfile.objects.filter(pk__in={e for _a, e in proposal.pairs})
               .select_related("user")}
    rows = [[_("项目编号"), _("项目名称"), _("专家"), _("工作单位"), _("说明")]]
    for app_id, expert_id in proposal.pairs:
        expert = experts.get(expert_id)
        rows.append([app_id, apps.get(app_id, ""), expert.name if expert else expert_id,
                     expert.work_unit if expert else "", ""])
    for row in proposal.unstaffed:
        rows.append([row["application"], apps.get(row["application"], ""), "", "", row["reason"]])
    return csv_bytes(rows)


def auto_assign(job, progress):
    programme = Programme.objects.get(pk=job.params["programme_id"])
    proposal = create_proposal(job.requested_by, programme, int(job.params.get("seed") or 0), progress=progress)
    return file_name(_("专家分配建议"), programme.title, str(proposal.pk), ext="csv"), proposal_csv(proposal)


def register_all() -> None:
    """Called from ScoringConfig.ready()."""
    jobs.register_kind(AUTO_ASSIGN, gettext_lazy("专家自动分配"), auto_assign, can_request=may_request_auto_assign,
                       about=("portal.programme", "programme_id"), still_visible=review_job_visible)
