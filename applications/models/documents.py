"""The registration form rendered as files (登记表 PDF and Word), one of each per submitted version.

Rendered in the background (applications.job_handlers); served only through
applications.views_documents, which checks that the person may see the application.
"""

import os
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Version 0 is the current, not yet submitted state (a draft, or a returned application being
# revised); submitted versions count from 1 like ApplicationVersion.number.
DRAFT_VERSION = 0


class DocumentFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word"


CONTENT_TYPES = {
    DocumentFormat.PDF: "application/pdf",
    DocumentFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document_path(instance, filename: str) -> str:
    """documents/<random>.<ext>: the stored name reveals nothing and cannot be guessed."""
    ext = os.path.splitext(filename)[1].lower()
    return f"documents/{uuid.uuid4().hex}{ext}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(
        "applications.Application", verbose_name=_("申报项目"), on_delete=models.CASCADE, related_name="documents"
    )
    version = models.PositiveIntegerField(_("版本号"), help_text=_("0 表示尚未提交的草稿"))
    format = models.CharField(_("格式"), max_length=8, choices=DocumentFormat.choices)
    file = models.FileField(_("文件"), upload_to=document_path, max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    job = models.ForeignKey(
        "portal.Job", verbose_name=_("生成任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        ordering = ["application", "-version", "format"]
        constraints = [
            models.UniqueConstraint(fields=["application", "version", "format"], name="one_document_per_version_format")
        ]
        verbose_name = _("登记表文件")
        verbose_name_plural = _("登记表文件")

    def __str__(self):
        return self.download_name

    @property
    def is_draft(self) -> bool:
        return self.version == DRAFT_VERSION

    @property
    def version_label(self) -> str:
        return str(_("草稿")) if self.is_draft else str(_("第%(n)d版") % {"n": self.version})

    @property
    def download_name(self) -> str:
        """上海市重点产品质量攻关项目登记表-<项目名称>-第1版.pdf, safe as a file name."""
        name = "".join(c for c in self.application.project_name if c not in '\\/:*?"<>|\r\n\t')[:60].strip()
        return f"登记表-{name or self.application_id}-{self.version_label}.{self.format}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]
