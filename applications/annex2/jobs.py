"""Annex 2 exports as background jobs (portal.jobs), registered by applications/job_handlers.py's
register_all() (ApplicationsConfig.ready(), so the web process and the Celery worker both know it).

params: {"programme_id": int, "unit_id": int | None (None: the organiser's combined table),
"format": "xlsx" | "pdf"}.
"""

from django.utils.translation import gettext as _

from portal import jobs
from portal.models import Programme, RecommendingUnit
from portal.permissions import deny

from ..permissions import may_export_annex2
from .rows import table_for
from .xlsx import build_xlsx

KIND = "applications.annex2"
FORMATS = ("xlsx", "pdf")


def _objects(params):
    programme = Programme.objects.select_related("district", "organiser").filter(pk=params.get("programme_id")).first()
    unit_id = params.get("unit_id")
    unit = RecommendingUnit.objects.filter(pk=unit_id).first() if unit_id else None
    return programme, unit


def may_request(user, params):
    programme, unit = _objects(params)
    if programme is None or (params.get("unit_id") and unit is None) or params.get("format") not in FORMATS:
        return deny(_("导出参数有误。"))
    return may_export_annex2(user, programme, unit)


def start_export(user, programme, unit, fmt: str):
    """Queues the export; refuses (PermissionDenied) what the person may not export."""
    return jobs.start_job(user, KIND, {"programme_id": programme.pk, "unit_id": unit.pk if unit else None,
                                       "format": fmt})


# No "about" object: the export page lists programmes through recommender_programmes, not
# programmes_for; may_request (acts for the unit / administers the programme) is asked again on
# every request for the job instead (portal.jobs.visible_job).
def export_annex2(job, progress):
    from .pdf import build_pdf  # noqa: PLC0415  (heavy: pydyf + fontTools, ~0.24 s, needed only by the render worker)

    programme, unit = _objects(job.params)
    fmt = job.params["format"]
    progress(5, _("查询推荐项目"))
    table = table_for(programme, unit, job.requested_by)
    progress(30, _("共%(n)d项，正在生成文件") % {"n": len(table.rows)})
    if fmt == "xlsx":
        content = build_xlsx(table, progress=lambda n, total: progress(30 + int(60 * n / max(total, 1))))
    else:
        content = build_pdf(table)
    suffix = unit.name if unit else "全部推荐项目"
    return f"{table.title}-{suffix}.{fmt}", content
