"""How a programme turns expert scores into a ranking and award tiers (评定设置), and the seal its
certificates carry (证书印章)."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class RankingStatistic(models.TextChoices):
    TRIMMED_MEAN = "trimmed_mean", _("去掉最高分和最低分后的平均分")
    MEAN = "mean", _("平均分")
    MEDIAN = "median", _("中位数")


class TierMethod(models.TextChoices):
    COUNTS = "counts", _("按名额（项数）")
    PERCENTAGES = "percentages", _("按比例（%）")
    THRESHOLDS = "thresholds", _("按分数线")


def seal_path(instance, filename: str) -> str:
    """awards/seals/<random>.png: the stored name reveals nothing; always PNG, because
    awards.services.seal re-encodes every upload (the person's file is never stored as sent)."""
    return f"awards/seals/{uuid.uuid4().hex}.png"


class AwardSettings(models.Model):
    """One per programme, created with defaults on first use (awards.services.determination.settings_for)."""

    programme = models.OneToOneField(
        "portal.Programme", verbose_name=_("申报批次"), on_delete=models.CASCADE, related_name="award_settings"
    )
    ranking_statistic = models.CharField(
        _("排名依据"), max_length=16, choices=RankingStatistic.choices, default=RankingStatistic.TRIMMED_MEAN
    )
    trim_min_scores = models.PositiveSmallIntegerField(
        _("去掉最高最低分的最少评分数"), default=5, validators=[MinValueValidator(3)],
        help_text=_("有效评分数不少于此数时，去掉一个最高分和一个最低分。"),
    )
    disagreement_threshold = models.DecimalField(
        _("专家意见分歧阈值（极差，分）"), max_digits=5, decimal_places=1, default=Decimal("20"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    bias_z_threshold = models.DecimalField(
        _("专家打分偏高/偏低阈值（|z|）"), max_digits=4, decimal_places=2, default=Decimal("2"),
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    tier_method = models.CharField(_("奖项等级划分方式"), max_length=16, choices=TierMethod.choices,
                                   default=TierMethod.COUNTS)
    first_value = models.DecimalField(_("一等奖"), max_digits=6, decimal_places=1, default=Decimal("5"),
                                      validators=[MinValueValidator(Decimal("0"))])
    second_value = models.DecimalField(_("二等奖"), max_digits=6, decimal_places=1, default=Decimal("10"),
                                       validators=[MinValueValidator(Decimal("0"))])
    third_value = models.DecimalField(_("三等奖"), max_digits=6, decimal_places=1, default=Decimal("25"),
                                      validators=[MinValueValidator(Decimal("0"))])
    # Set and removed only through awards.services.seal (checked, re-encoded, audited): not editable,
    # so neither the settings form nor the admin's form offers it.
    seal = models.FileField(_("证书印章"), upload_to=seal_path, max_length=200, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("评定设置")
        verbose_name_plural = _("评定设置")

    def __str__(self):
        return str(self.programme)

    @property
    def tier_values(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.first_value, self.second_value, self.third_value)

    def clean(self):
        first, second, third = self.tier_values
        if self.tier_method == TierMethod.COUNTS and any(v != int(v) for v in self.tier_values):
            raise ValidationError(_("按名额划分时，各等级名额须为整数。"))
        if self.tier_method == TierMethod.PERCENTAGES and first + second + third > 100:
            raise ValidationError(_("各等级比例合计不能超过100%。"))
        if self.tier_method == TierMethod.THRESHOLDS and not first > second > third:
            raise ValidationError(
                _("分数线须依次降低：一等奖 > 二等奖 > 三等奖。")
            )
