"""Evidence (证实性材料): uploaded files, stored under random names, served only through a view
that checks visibility (applications.views.evidence)."""

import os
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import EvidenceKind


def evidence_path(instance, filename: str) -> str:
    """evidence/<random>.<ext>: the stored name reveals nothing and cannot be guessed; the
    extension is the detected type's (set by the upload service), never the person's."""
    ext = os.path.splitext(filename)[1].lower()
    return f"evidence/{uuid.uuid4().hex}{ext}"


class CurrentEvidenceManager(models.Manager):
    """Evidence the application currently offers. Files withdrawn after a submission are kept
    (the submitted version still names them) but no longer count."""

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class Evidence(models.Model):
    application = models.ForeignKey(
        "applications.Application", verbose_name=_("申报项目"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("材料类别"), max_length=24, choices=EvidenceKind.choices)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)

    # Declared first so it is the default manager: related lists and forms see current files.
    objects = CurrentEvidenceManager()
    all_objects = models.Manager()  # noqa: DJ012 (the manager order above is deliberate)

    class Meta:
        ordering = ["application", "kind", "uploaded_at", "id"]
        base_manager_name = "all_objects"
        verbose_name = _("证实性材料")
        verbose_name_plural = _("证实性材料")

    def __str__(self):
        return self.original_name

    @property
    def is_inline(self) -> bool:
        """PDF and images open in the browser for preview; Office files download."""
        return self.content_type in ("application/pdf", "image/jpeg", "image/png")
