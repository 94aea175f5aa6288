"""Uploading and removing evidence (证实性材料). Every refusal names the file and the reason."""

import os
import unicodedata

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.services import audit
from portal.services.errors import DomainError

from ..models import Application, Evidence, EvidenceKind
from . import filetypes
from .drafts import check_editable
from .errors import EvidenceRejected


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _printable(name: str) -> str:
    return "".join("�" if unicodedata.category(ch) == "Cc" else ch for ch in name)


def _refuse(name: str, reason: str, english: str):
    # One language per request: English pages get the reason in English, Chinese pages in Chinese.
    if get_language().startswith("en"):
        raise EvidenceRejected(f"File “{_printable(name)}” was refused: {english}.")
    raise EvidenceRejected(
        _("文件“%(name)s”被拒绝：%(reason)s。")
        % {"name": _printable(name), "reason": reason}
    )


def check_name(name: str) -> None:
    """A name is only displayed, never used as a path; still, a path-like or control-character
    name is a sign of a crafted request and confuses people, so it is refused."""
    if not name or any(bad in name for bad in ("/", "\\", "..", "\x00")) or any(
        unicodedata.category(ch) == "Cc" for ch in name
    ):
        _refuse(name or "", _("文件名不能包含路径、“..”或控制字符，请重命名后再上传"),
                "the file name must not contain a path or control characters")
    if len(name) > 255:
        _refuse(name[:60] + "…", _("文件名过长（最多255个字符）"), "the file name is too long")


def validate_upload(application: Application, uploaded, name: str) -> filetypes.FileType:
    """Returns the detected type or raises EvidenceRejected."""
    check_name(name)
    expected = filetypes.BY_EXTENSION.get(os.path.splitext(name)[1].lower())
    if expected is None:
        _refuse(name, _("只接受PDF、JPG、PNG、DOCX、XLSX格式的文件"),
                "only PDF, JPG, PNG, DOCX and XLSX files are accepted")
    size = uploaded.size or 0
    if size == 0:
        _refuse(name, _("文件为空"), "the file is empty")
    limit = settings.EVIDENCE_MAX_FILE_BYTES
    if size > limit:
        _refuse(name, _("大小%(size)s，超过单个文件上限%(limit)s") % {"size": _mb(size), "limit": _mb(limit)},
                "larger than the per-file limit")
    used = application.evidence.aggregate(total=Sum("size"))["total"] or 0
    total_limit = settings.EVIDENCE_MAX_TOTAL_BYTES
    if used + size > total_limit:
        _refuse(name, _("本申报材料总大小将超过上限%(limit)s（已用%(used)s）")
                % {"limit": _mb(total_limit), "used": _mb(used)}, "the application's total size limit is exceeded")
    try:
        detected = filetypes.detect(uploaded, size)
    except filetypes.SuspiciousArchive as error:
        _refuse(name, _("压缩内容异常（%(detail)s），疑似压缩炸弹") % {"detail": error},
                "suspicious archive, possible zip bomb")
    if detected is None:
        actual = filetypes.describe(filetypes.read_head(uploaded))
        _refuse(name, _("内容不是%(type)s（实际为%(actual)s）") % {"type": expected.label, "actual": actual},
                f"content is not a {expected.english}")
    if detected != expected:
        _refuse(name, _("内容不是%(type)s（实际为%(actual)s），扩展名须与内容一致")
                % {"type": expected.label, "actual": detected.label}, f"content is not a {expected.english}")
    return detected


@transaction.atomic
def add_evidence(actor, application: Application, uploaded, *, kind: str, description: str = "",
                 name: str | None = None, via: str = "web") -> Evidence:
    """Stores ``uploaded`` under a random name. ``name`` is the person's file name (the view
    passes the raw one; Django's UploadedFile.name is already reduced to a base name)."""
    name = uploaded.name if name is None else name
    app = Application.objects.select_for_update().get(pk=application.pk)
    check_editable(actor, app)
    if kind not in EvidenceKind.values:
        raise DomainError(_("请选择材料类别。"))
    detected = validate_upload(app, uploaded, name)
    evidence = Evidence(
        application=app, kind=kind, description=(description or "").strip()[:200], original_name=name,
        size=uploaded.size, content_type=detected.content_type, uploaded_by=actor,
    )
    uploaded.seek(0)
    evidence.file.save(f"upload{os.path.splitext(name)[1].lower()}", uploaded, save=False)
    stored = evidence.file.name
    try:
        evidence.save()
    except Exception:
        evidence.file.storage.delete(stored)
        raise
    audit.record(actor, "application.evidence_add", app,
                 changes={"evidence": [None, f"{evidence.get_kind_display()}：{name}"]}, via=via)
    return evidence


@transaction.atomic
def remove_evidence(actor, evidence: Evidence, *, via: str = "web") -> None:
    """Deletes a file added since the last submission; a file that a submitted version lists is
    only withdrawn (kept, so that version still shows what was submitted)."""
    app = Application.objects.select_for_update().get(pk=evidence.application_id)
    check_editable(actor, app)
    last = app.versions.order_by("-number").first()
    label = f"{evidence.get_kind_display()}：{evidence.original_name}"
    if last is not None and evidence.uploaded_at <= last.created_at:
        evidence.withdrawn_at = timezone.now()
        evidence.save(update_fields=["withdrawn_at"])
    else:
        storage, stored = evidence.file.storage, evidence.file.name
        evidence.delete()
        transaction.on_commit(lambda: storage.delete(stored))
    audit.record(actor, "application.evidence_remove", app, changes={"evidence": [label, None]}, via=via)
