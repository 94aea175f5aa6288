"""Organisers (主管部门) and yearly programmes (申报批次)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    MUNICIPAL = "municipal", _("市级")
    DISTRICT = "district", _("区级")


class Organiser(models.Model):
    """主管部门: the authority that runs programmes; its staff are the administrators."""

    name = models.CharField(_("名称"), max_length=128, unique=True)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    district = models.ForeignKey(
        "portal.District", verbose_name=_("所在区"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("主管部门")
        verbose_name_plural = _("主管部门")

    def __str__(self):
        return self.name


class ProjectType(models.TextChoices):
    """项目类型, from the seeds (000, 002, 004)."""

    KEY_PRODUCT = "key_product", _("重点产品质量攻关成果")
    FLAGSHIP = "flagship", _("产业质量提升标志性项目")
    CHAIN_COLLABORATION = "chain_collaboration", _("产业链协同质量提升")
    COMMON_TECHNOLOGY = "common_technology", _("共性质量技术突破")
    KEY_PERFORMANCE = "key_performance", _("产品关键质量性能提升")


class ProgrammeStatus(models.TextChoices):
    """The programme's life; the allowed moves are data in portal.workflow."""

    DRAFT = "draft", _("草稿")
    OPEN = "open", _("开放申报")
    RECOMMENDING = "recommending", _("推荐审核")
    REVIEWING = "reviewing", _("专家评价")
    DETERMINING = "determining", _("成果评定")
    PUBLISHED = "published", _("已公布")
    CLOSED = "closed", _("已关闭")


class Programme(models.Model):
    """申报批次: one year's call by one organiser for one project type."""

    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    organiser = models.ForeignKey(
        Organiser, verbose_name=_("主管部门"), on_delete=models.PROTECT, related_name="programmes"
    )
    organiser_names = models.TextField(
        _("主办单位（印制名称）"), help_text=_("每行一个，按印制顺序，如“上海市嘉定区市场监督管理局”。")
    )
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, default=Level.MUNICIPAL)
    district = models.ForeignKey(
        "portal.District",
        verbose_name=_("所在区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("区级批次必填"),
    )
    project_type = models.CharField(
        _("项目类型"), max_length=32, choices=ProjectType.choices, default=ProjectType.KEY_PRODUCT
    )
    accepted_units = models.ManyToManyField(
        "portal.RecommendingUnit", verbose_name=_("受理的推荐单位"), blank=True, related_name="programmes"
    )
    allow_self_declared = models.BooleanField(_("允许自行申报"), default=False)
    submission_deadline = models.DateTimeField(_("申报截止时间"), null=True, blank=True)
    recommendation_deadline = models.DateTimeField(_("推荐截止时间"), null=True, blank=True)
    scoring_deadline = models.DateTimeField(_("评分截止时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    # Recommendation (推荐): how many applications one recommending unit may endorse; empty = no cap.
    endorsement_quota = models.PositiveSmallIntegerField(_("每个推荐单位推荐名额"), null=True, blank=True)
    # Expert evaluation (专家评价): panel size and the load each expert carries.
    experts_per_application = models.PositiveSmallIntegerField(_("每个项目评审专家人数"), default=5)
    min_load_per_expert = models.PositiveSmallIntegerField(_("每位专家最少评审数"), default=0)
    max_load_per_expert = models.PositiveSmallIntegerField(_("每位专家最多评审数"), default=40)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("申报批次")
        verbose_name_plural = _("申报批次")
        constraints = [
            models.UniqueConstraint(fields=["year", "organiser", "project_type"], name="one_programme_per_call")
        ]

    def __str__(self):
        return self.title

    @property
    def area_name(self) -> str:
        """上海市 for a municipal programme, the district's name for a district one (Annex 2 title)."""
        if self.level == Level.DISTRICT and self.district_id:
            return self.district.name
        return "上海市"

    @property
    def area_label(self) -> str:
        """``area_name`` as a page shows it, in the reader's language (a district's name is data)."""
        if self.level == Level.DISTRICT and self.district_id:
            return self.district.name
        return str(_("上海市"))

    @property
    def organiser_name_list(self) -> list[str]:
        return [line.strip() for line in self.organiser_names.splitlines() if line.strip()]

    def clean(self):
        if self.level == Level.DISTRICT and not self.district_id:
            raise ValidationError({"district": _("区级批次必须指定所在区。")})
        deadlines = [self.submission_deadline, self.recommendation_deadline, self.scoring_deadline]
        present = [d for d in deadlines if d]
        if present != sorted(present):
            raise ValidationError(_("截止时间须依次为：申报、推荐、评分。"))
