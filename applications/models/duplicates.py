"""Suspected duplicates by content (疑似重复): each submitted application's MinHash signature, and the
pairs whose texts are close enough for a person to look at (applications.services.duplicates)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ApplicationFingerprint(models.Model):
    """The MinHash signature of an application's project name and narrative sections, as last
    submitted: 128 unsigned 32-bit values (little-endian). Stored so that every process can build its
    in-memory LSH index without re-reading and re-hashing every text."""

    application = models.OneToOneField(
        "applications.Application", verbose_name=_("申报项目"), on_delete=models.CASCADE,
        primary_key=True, related_name="fingerprint",
    )
    hashvalues = models.BinaryField(_("MinHash 签名"))
    digest = models.CharField(_("内容摘要"), max_length=64)  # sha256 of the normalised text: unchanged → no work
    shingle_count = models.PositiveIntegerField(_("三字片段数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("内容指纹")
        verbose_name_plural = _("内容指纹")

    def __str__(self):
        return f"{self.application_id}:{self.digest[:12]}"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    DISMISSED = "dismissed", _("非重复")


class DuplicateCandidate(models.Model):
    """Two applications whose contents are similar (a has the smaller pk). A dismissed pair stays,
    with its reason, so that later checks do not raise it again."""

    a = models.ForeignKey("applications.Application", verbose_name=_("申报项目甲"), on_delete=models.CASCADE,
                          related_name="+")
    b = models.ForeignKey("applications.Application", verbose_name=_("申报项目乙"), on_delete=models.CASCADE,
                          related_name="+")
    similarity = models.FloatField(_("相似度"))  # exact Jaccard of the 3-character shingle sets
    containment = models.FloatField(_("包含度"), default=0)  # share of the smaller set found in the larger
    passages = models.JSONField(_("相似段落"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN,
                              db_index=True)
    reason = models.TextField(_("理由"), max_length=500, blank=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    dismissed_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    found_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-similarity", "pk"]
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="one_duplicate_row_per_pair"),
            models.CheckConstraint(condition=Q(a__lt=F("b")), name="duplicate_pair_ordered"),
        ]

    def __str__(self):
        return f"{self.a_id} ~ {self.b_id} ({self.similarity:.0%})"

    def other(self, application_id: int) -> int:
        return self.b_id if application_id == self.a_id else self.a_id
