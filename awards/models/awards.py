"""The determination (成果评定) of a programme, its manual tier changes and the awards it names."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    FIRST = "first", _("一等奖")
    SECOND = "second", _("二等奖")
    THIRD = "third", _("三等奖")
    NONE = "none", _("未获奖")


AWARDED_TIERS = (Tier.FIRST, Tier.SECOND, Tier.THIRD)
TIER_ORDER = {Tier.FIRST: 0, Tier.SECOND: 1, Tier.THIRD: 2, Tier.NONE: 3}


class Determination(models.Model):
    """One per programme: whether the administrator approved the tiers, and when they were published."""

    programme = models.OneToOneField(
        "portal.Programme", verbose_name=_("申报批次"), on_delete=models.CASCADE, related_name="determination"
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("公布人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("成果评定")
        verbose_name_plural = _("成果评定")

    def __str__(self):
        return str(self.programme)

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class TierOverride(models.Model):
    """The administrator moved an application to another tier (or out of the awards), with a reason."""

    application = models.OneToOneField(
        "applications.Application", verbose_name=_("申报项目"), on_delete=models.CASCADE, related_name="tier_override"
    )
    tier = models.CharField(_("调整后等级"), max_length=8, choices=Tier.choices)
    reason = models.TextField(_("调整理由"), max_length=1000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("调整人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("调整时间"), auto_now=True)

    class Meta:
        verbose_name = _("等级调整")
        verbose_name_plural = _("等级调整")

    def __str__(self):
        return f"{self.application} → {self.get_tier_display()}"


class Award(models.Model):
    """An application's result as approved: frozen at approval, public once the programme is published.

    The public fields (project, organisation, category, recommender) are copied at approval so the
    published list reads as determined, whatever later edits happen elsewhere."""

    programme = models.ForeignKey("portal.Programme", verbose_name=_("申报批次"), on_delete=models.CASCADE,
                                  related_name="awards")
    application = models.OneToOneField("applications.Application", verbose_name=_("申报项目"),
                                       on_delete=models.CASCADE, related_name="award")
    tier = models.CharField(_("等级"), max_length=8, choices=Tier.choices, db_index=True)
    proposed_tier = models.CharField(_("拟定等级"), max_length=8, choices=Tier.choices)
    override_reason = models.TextField(_("调整理由"), blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    statistic = models.DecimalField(_("排名得分"), max_digits=7, decimal_places=3, null=True, blank=True)
    project_name = models.CharField(_("项目名称"), max_length=200)
    organisation_name = models.CharField(_("单位名称"), max_length=128)
    category_name = models.CharField(_("项目类别"), max_length=32, blank=True)
    recommender_name = models.CharField(_("推荐单位"), max_length=128, blank=True)
    verification_code = models.CharField(_("验证码"), max_length=16, unique=True, null=True, blank=True,
                                         help_text=_("获奖项目的证书验证码"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["programme", "rank", "pk"]
        verbose_name = _("成果")
        verbose_name_plural = _("成果")

    def __str__(self):
        return f"{self.project_name}（{self.get_tier_display()}）"

    @property
    def is_awarded(self) -> bool:
        return self.tier in AWARDED_TIERS
