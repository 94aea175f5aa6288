"""Rubrics as data (评分细则): Table B.1, the 2025 flagship rubric, and any an administrator writes.

A rubric has sections (评价要点), each section criteria (评价内容), each normal criterion score
bands (指标, min–max points) and each bonus criterion discrete levels (加分项), and names the
sections whose subtotals break ties in the ranking. The rules that make
a rubric consistent live in scoring.services.rubric_format; a rubric linked to a programme is frozen
(scoring.services.rubrics.ensure_editable) and can only be copied.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.programmes import ProjectType

CODE_PATTERN = r"^[A-Za-z0-9_-]+$"
validate_code = RegexValidator(CODE_PATTERN, _("代码只能包含字母、数字、下划线和连字符。"))


class Rubric(models.Model):
    code = models.CharField(_("代码"), max_length=64, unique=True, validators=[validate_code])
    name = models.CharField(_("名称"), max_length=200)
    project_type = models.CharField(_("项目类型"), max_length=32, choices=ProjectType.choices)
    total_points = models.PositiveSmallIntegerField(_("总分"))
    bonus_points = models.PositiveSmallIntegerField(_("加分"), default=0)
    allows_half_points = models.BooleanField(_("允许半分"), default=False)
    source = models.TextField(_("来源说明"), blank=True)
    # Section codes whose subtotals break ties in the ranking, in order (Table B.1: "2", "3"); empty:
    # ties go by the total only, then the earlier submission (awards.services.ranking).
    tie_break_sections = models.JSONField(_("同分比较部分"), default=list, blank=True,
                                          help_text=_("同分时依次比较的部分序号，如 [\"2\", \"3\"]"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["project_type", "code"]
        verbose_name = _("评分细则")
        verbose_name_plural = _("评分细则")

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def is_in_use(self) -> bool:
        """Linked to a programme: then it is frozen and can only be copied."""
        return self.programme_links.exists()


class RubricSection(models.Model):
    rubric = models.ForeignKey(Rubric, verbose_name=_("评分细则"), on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("序号"), max_length=16)
    name = models.CharField(_("评价要点"), max_length=100)
    points = models.PositiveSmallIntegerField(_("分值"))
    note = models.TextField(_("注"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["rubric", "order", "pk"]
        verbose_name = _("评价要点")
        verbose_name_plural = _("评价要点")
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="scoring_section_code_unique")]

    def __str__(self):
        return f"{self.code} {self.name}（{self.points}）"


class CriterionKind(models.TextChoices):
    NORMAL = "normal", _("评分项")
    BONUS = "bonus", _("加分项")


class Criterion(models.Model):
    section = models.ForeignKey(
        RubricSection, verbose_name=_("评价要点"), on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.CharField(_("编号"), max_length=16, help_text=_("如“1.1”，在评分细则内唯一"))
    name = models.CharField(_("评价内容"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    max_points = models.PositiveSmallIntegerField(_("满分"))
    kind = models.CharField(_("类型"), max_length=8, choices=CriterionKind.choices, default=CriterionKind.NORMAL)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["section__order", "order", "pk"]
        verbose_name = _("评价内容")
        verbose_name_plural = _("评价内容")
        constraints = [models.UniqueConstraint(fields=["section", "code"], name="scoring_criterion_code_unique")]

    def __str__(self):
        return f"{self.code} {self.name}（{self.max_points}）"

    @property
    def rubric(self) -> Rubric:
        return self.section.rubric


class Band(models.Model):
    """A score band (指标) of a normal criterion: min–max points with what earns them."""

    criterion = models.ForeignKey(Criterion, verbose_name=_("评价内容"), on_delete=models.CASCADE, related_name="bands")
    min_points = models.PositiveSmallIntegerField(_("最低分"))
    max_points = models.PositiveSmallIntegerField(_("最高分"))
    descriptor = models.TextField(_("指标"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["criterion", "order", "pk"]
        verbose_name = _("分档")
        verbose_name_plural = _("分档")

    def __str__(self):
        return f"{self.points_label} {self.descriptor[:30]}"

    @property
    def points_label(self) -> str:
        if self.min_points == self.max_points:
            return str(self.min_points)
        return f"{self.min_points}–{self.max_points}"


class BonusLevel(models.Model):
    """A discrete value of a bonus criterion, e.g. 制造业企业质量管理能力等级 卓越级 = 5."""

    criterion = models.ForeignKey(
        Criterion, verbose_name=_("评价内容"), on_delete=models.CASCADE, related_name="bonus_levels"
    )
    value = models.PositiveSmallIntegerField(_("分值"))
    label = models.CharField(_("等级"), max_length=64)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["criterion", "-value"]
        verbose_name = _("加分等级")
        verbose_name_plural = _("加分等级")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "value"], name="scoring_bonus_value_unique"),
        ]

    def __str__(self):
        return f"{self.label} {self.value}"


class ProgrammeRubric(models.Model):
    """The rubric a programme's experts score against. Kept on the scoring side so that
    portal.Programme does not depend on this app."""

    programme = models.OneToOneField(
        "portal.Programme", verbose_name=_("申报批次"), on_delete=models.CASCADE, related_name="rubric_link"
    )
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("评分细则"), on_delete=models.PROTECT, related_name="programme_links"
    )
    assigned_at = models.DateTimeField(_("指定时间"), auto_now=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("批次评分细则")
        verbose_name_plural = _("批次评分细则")

    def __str__(self):
        return f"{self.programme} → {self.rubric.code}"
