"""What recommenders decided (推荐单位意见): one row per decision, kept for every round.

A verdict (endorse or decline) is *live* while ``superseded_at`` is empty; a unit has at most one
live verdict per application. A new verdict by the same unit supersedes its earlier one, and a
return (to the applicant, or by a district bureau to its street) supersedes the verdicts it undoes.
Returns are rows too (``comment`` and ``sections`` say why), so the review page shows the whole
history. Whether a live verdict still counts also depends on the application's status: see
applications.services.recommendation_queries.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

OPINION_LIMIT = 500
COMMENT_LIMIT = 2000


class DecisionKind(models.TextChoices):
    ENDORSE = "endorse", _("推荐")
    DECLINE = "decline", _("不予推荐")
    RETURN = "return", _("退回申报单位修改")
    RETURN_TO_STREET = "return_to_street", _("退回街镇重新审核")


VERDICT_KINDS = (DecisionKind.ENDORSE, DecisionKind.DECLINE)


class ActualEffect(models.TextChoices):
    """The recommender's confirmation of the project's actual effect (seed 000 §6.2.2, seed 002)."""

    SIGNIFICANT = "significant", _("显著")
    GOOD = "good", _("较好")
    FAIR = "fair", _("一般")


class LeadingDegree(models.TextChoices):
    """The recommender's assessment of the project's leading degree in its industry."""

    INTERNATIONAL = "international", _("国际先进")
    DOMESTIC = "domestic", _("国内领先")
    INDUSTRY = "industry", _("行业领先")
    ORDINARY = "ordinary", _("一般")


class RecommendationDecision(models.Model):
    application = models.ForeignKey(
        "applications.Application", verbose_name=_("申报项目"), on_delete=models.CASCADE,
        related_name="recommendation_decisions",
    )
    # The deciding unit; empty when an administrator returned the application.
    unit = models.ForeignKey(
        "portal.RecommendingUnit", verbose_name=_("推荐单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="recommendation_decisions",
    )
    kind = models.CharField(_("决定"), max_length=24, choices=DecisionKind.choices)
    opinion = models.TextField(_("推荐单位意见"), max_length=OPINION_LIMIT, blank=True)
    actual_effect = models.CharField(_("实际效果"), max_length=16, choices=ActualEffect.choices, blank=True)
    leading_degree = models.CharField(
        _("同行业领先程度"), max_length=16, choices=LeadingDegree.choices, blank=True
    )
    completion_date = models.DateField(_("确认的完成时间"), null=True, blank=True)
    comment = models.TextField(_("理由或意见"), max_length=COMMENT_LIMIT, blank=True)
    sections = models.JSONField(_("涉及部分"), default=list, blank=True)
    rank = models.PositiveIntegerField(_("推荐排序"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    decided_at = models.DateTimeField(_("时间"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("失效时间"), null=True, blank=True)

    class Meta:
        ordering = ["application", "decided_at", "id"]
        verbose_name = _("推荐决定")
        verbose_name_plural = _("推荐决定")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "unit"],
                condition=Q(superseded_at__isnull=True, kind__in=["endorse", "decline"]),
                name="one_live_verdict_per_unit",
                violation_error_message=_("该推荐单位对本申报已有有效的决定。"),
            ),
        ]
        indexes = [models.Index(fields=["unit", "kind", "superseded_at"], name="recommendation_unit_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.application}"

    @property
    def is_live(self) -> bool:
        return self.superseded_at is None and self.kind in VERDICT_KINDS
