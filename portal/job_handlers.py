"""Background jobs of the shared core: the audit trail as a spreadsheet, for administrators
(registered by ``register_all()`` from PortalConfig.ready()).

Audit rows are immutable, so the writer is what keeps an old row (a name with a control character,
a note starting with "=") from stopping the file or becoming a formula: portal.exports."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from portal import jobs
from portal.exports import append
from portal.filenames import file_name
from portal.permissions import is_administrator
from portal.visibility import audit_entries_for

AUDIT_HEADERS = ["时间", "操作人", "操作", "对象类型", "对象编号", "对象", "变更", "说明", "途径"]


def _change(value) -> str:
    """before → after for the usual [before, after] pair; any other shape as it is (a row written by
    an older or newer version must not stop the export)."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{value[0]} → {value[1]}"
    return str(value)


def export_audit_trail(job, progress):
    """Every audit row the requester may see (optionally one action prefix), newest first."""
    entries = audit_entries_for(job.requested_by)
    if job.params.get("action"):
        entries = entries.filter(action__startswith=job.params["action"])
    total = entries.count()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("操作记录"))
    append(ws, AUDIT_HEADERS)
    for n, e in enumerate(entries.iterator(chunk_size=2000), start=1):
        changes = "; ".join(f"{k}: {_change(v)}" for k, v in (e.changes or {}).items())
        append(ws, [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, e.action,
            e.content_type.name, e.object_id, e.object_repr, changes, e.note, e.via,
        ])
        if n % 2000 == 0:
            progress(int(90 * n / max(total, 1)), f"{n}/{total}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return file_name(_("操作记录"), f"{timezone.localdate():%Y%m%d}", ext="xlsx"), buffer.getvalue()


def register_all() -> None:
    """Called from PortalConfig.ready()."""
    jobs.register_kind("portal.audit_export", _("操作记录导出"), export_audit_trail,
                       can_request=lambda user, params: is_administrator(user))
