"""What was submitted, and what the recommender said: kept for every round."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Section


class ApplicationVersion(models.Model):
    """The full form as submitted (fields, organisation header, team, evidence list), one per
    submission; ``number`` counts from 1."""

    application = models.ForeignKey(
        "applications.Application", verbose_name=_("申报项目"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    data = models.JSONField(_("内容"), default=dict)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="one_number_per_version")]
        verbose_name = _("申报版本")
        verbose_name_plural = _("申报版本")

    def __str__(self):
        return f"{self.application} v{self.number}"


class ReturnComment(models.Model):
    """Why an application was returned for revision, optionally pointing at one section."""

    application = models.ForeignKey(
        "applications.Application", verbose_name=_("申报项目"), on_delete=models.CASCADE,
        related_name="return_comments",
    )
    version = models.ForeignKey(
        ApplicationVersion, verbose_name=_("针对版本"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="return_comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("退回人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    text = models.TextField(_("退回意见"), max_length=2000)
    section = models.CharField(_("涉及部分"), max_length=16, choices=Section.choices, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["application", "-created_at", "-id"]
        verbose_name = _("退回意见")
        verbose_name_plural = _("退回意见")

    def __str__(self):
        return self.text[:50]
