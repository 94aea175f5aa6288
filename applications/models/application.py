"""The application (申报表): every field of Table A.1, in the table's order.

Nearly every field is blank=True: a draft may be saved half-filled at any time, and what a
submission needs is decided by applications.services.completeness, not by the model.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import EDITABLE_STATUSES, AdvancementLevel, ApplicationStatus

NARRATIVE_LIMITS = {
    "org_intro": 2000,
    "background": 3000,
    "objectives": 3000,
    "quality_level": 3000,
    "innovation": 3000,
    "effect_direct": 2000,
    "effect_indirect": 2000,
    "effect_green": 2000,
    "effect_social": 2000,
}
OPINION_LIMIT = 500

# The economic table, 万元: (row, column) → field. Profit may be negative (a loss before the
# improvement is common); the other columns may not.
ECONOMIC_COLUMNS = [
    ("sales", _("销售额")),
    ("profit", _("利润")),
    ("energy", _("节能降耗")),
    ("forex", _("创汇节汇")),
    ("other", _("其他")),
]
ECONOMIC_ROWS = [("before", _("攻关前 12月")), ("after", _("攻关后 12月"))]
ECONOMIC_FIELDS = [f"{col}_{row}" for row, _label in ECONOMIC_ROWS for col, _l in ECONOMIC_COLUMNS]
NON_NEGATIVE_ECONOMIC_FIELDS = [f for f in ECONOMIC_FIELDS if not f.startswith("profit_")]

_non_negative = MinValueValidator(Decimal("0"), message=_("不能为负数。"))


def _narrative(label, name):
    return models.TextField(label, blank=True, max_length=NARRATIVE_LIMITS[name])


def _money(label, *, signed=False):
    return models.DecimalField(
        label, max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[] if signed else [_non_negative],
    )


def _opinion(label):
    return models.TextField(label, max_length=OPINION_LIMIT, blank=True)


def _signer(label):
    return models.CharField(label, max_length=64, blank=True)


def _sign_date(label):
    return models.DateField(label, null=True, blank=True)


class Application(models.Model):
    programme = models.ForeignKey(
        "portal.Programme", verbose_name=_("申报批次"), on_delete=models.PROTECT, related_name="applications"
    )
    organisation = models.ForeignKey(
        "portal.Organisation", verbose_name=_("申报单位"), on_delete=models.PROTECT, related_name="applications"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    # --- header (Table A.1 first rows) --------------------------------------------------------
    project_name = models.CharField(_("项目名称"), max_length=200)
    category = models.ForeignKey(
        "portal.ProjectCategory", verbose_name=_("项目类别"), null=True, blank=True, on_delete=models.PROTECT
    )
    advancement_level = models.CharField(
        _("项目先进水平"), max_length=16, choices=AdvancementLevel.choices, blank=True
    )
    completion_date = models.DateField(_("完成时间"), null=True, blank=True)
    recommender = models.ForeignKey(
        "portal.RecommendingUnit", verbose_name=_("推荐单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="applications",
    )
    self_declared = models.BooleanField(_("自行申报"), default=False)
    joint_applicants = models.ManyToManyField(
        "portal.Organisation", verbose_name=_("联合申报单位"), blank=True, related_name="joint_applications"
    )

    # --- narrative sections -------------------------------------------------------------------
    org_intro = _narrative(_("组织及攻关产品基本情况介绍"), "org_intro")
    background = _narrative(_("项目背景意义"), "background")
    objectives = _narrative(_("质量攻关目标"), "objectives")
    investment = _money(_("项目投资（万元）"))
    quality_level = _narrative(_("产品质量水平"), "quality_level")
    innovation = _narrative(_("质量创新程度（含技术路线）"), "innovation")
    effect_direct = _narrative(_("直接经济效益"), "effect_direct")
    effect_indirect = _narrative(_("间接经济效益"), "effect_indirect")
    effect_green = _narrative(_("绿色指标"), "effect_green")
    effect_social = _narrative(_("社会效益"), "effect_social")

    # --- economic table (万元) ------------------------------------------------------------------
    sales_before = _money(_("销售额（攻关前 12月）"))
    profit_before = _money(_("利润（攻关前 12月）"), signed=True)
    energy_before = _money(_("节能降耗（攻关前 12月）"))
    forex_before = _money(_("创汇节汇（攻关前 12月）"))
    other_before = _money(_("其他（攻关前 12月）"))
    sales_after = _money(_("销售额（攻关后 12月）"))
    profit_after = _money(_("利润（攻关后 12月）"), signed=True)
    energy_after = _money(_("节能降耗（攻关后 12月）"))
    forex_after = _money(_("创汇节汇（攻关后 12月）"))
    other_after = _money(_("其他（攻关后 12月）"))

    # --- optional structured figures for later steps -----------------------------------------
    key_indicator_name = models.CharField(_("关键质量指标"), max_length=100, blank=True)
    key_indicator_before = models.CharField(_("关键质量指标（攻关前）"), max_length=50, blank=True)
    key_indicator_after = models.CharField(_("关键质量指标（攻关后）"), max_length=50, blank=True)
    # Rubric criterion 3.3 (生态效益) bands on a percentage the narrative only describes.
    reduction_percent = models.DecimalField(
        _("资源消耗/排放/碳排放下降比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[_non_negative, MaxValueValidator(Decimal("100"), message=_("不能超过100。"))],
    )
    reduction_basis = models.CharField(_("下降指标说明"), max_length=100, blank=True)
    is_chokepoint = models.BooleanField(_("“卡脖子”产品"), default=False)
    is_digital = models.BooleanField(_("数字技术项目"), default=False)

    # --- sign-off (three opinions, each signed and dated) -------------------------------------
    tech_head_opinion = _opinion(_("单位技术负责人意见"))
    tech_head_name = _signer(_("单位技术负责人（签字）"))
    tech_head_date = _sign_date(_("单位技术负责人签字日期"))
    finance_head_opinion = _opinion(_("单位财务负责人意见"))
    finance_head_name = _signer(_("单位财务负责人（签字）"))
    finance_head_date = _sign_date(_("单位财务负责人签字日期"))
    unit_head_opinion = _opinion(_("单位负责人意见"))
    unit_head_name = _signer(_("单位负责人（签字）"))
    unit_head_date = _sign_date(_("单位负责人签字日期"))

    # --- life ---------------------------------------------------------------------------------
    status = models.CharField(
        _("状态"), max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True
    )
    lock_version = models.PositiveIntegerField(_("修改版本"), default=0, editable=False)
    organisation_snapshot = models.JSONField(_("提交时的单位信息"), default=dict, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("申报项目")
        verbose_name_plural = _("申报项目")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation", "project_name"],
                name="one_application_per_project",
                violation_error_message=_("本单位在该批次已有同名项目。"),
            ),
            models.CheckConstraint(
                condition=Q(
                    *[Q(**{f"{f}__gte": 0}) | Q(**{f"{f}__isnull": True}) for f in NON_NEGATIVE_ECONOMIC_FIELDS]
                ),
                name="economic_figures_non_negative",
                violation_error_message=_(
                    "除利润外，经济效益数据不能为负数。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(investment__gte=0) | Q(investment__isnull=True),
                name="investment_non_negative",
            ),
        ]

    def __str__(self):
        return self.project_name

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def header(self) -> dict:
        """The organisation's Table A.1 header: as submitted, or live while never submitted."""
        return self.organisation_snapshot or organisation_header(self.organisation)

    @property
    def header_rows(self) -> list[tuple[str, str]]:
        header = self.header
        return [(label, _display(header.get(key))) for key, label in HEADER_FIELDS]

    @property
    def organisation_size(self) -> str:
        """组织规模 code (small/micro thresholds of rubric 3.2), snapshot-or-live."""
        return self.header.get("size_code", "")

    @property
    def economic_figures_given(self) -> bool:
        return any(getattr(self, f) is not None for f in ECONOMIC_FIELDS)


# Keys of the organisation snapshot with their Table A.1 labels, in the table's order.
HEADER_FIELDS = [
    ("name", _("单位名称（全称）")),
    ("legal_representative", _("法人代表")),
    ("ownership", _("组织性质")),
    ("size", _("组织规模")),
    ("industry", _("所属行业")),
    ("strategic_emerging", _("是否属于战略性新兴产业")),
    ("address", _("单位地址")),
    ("phone", _("电话")),
    ("contact_person", _("联系人")),
    ("mobile", _("手机")),
    ("email", _("邮箱")),
]


def organisation_header(org) -> dict:
    """The header fields of ``org`` as plain JSON (display labels plus the codes later steps use)."""
    return {
        "name": org.name,
        "credit_code": org.credit_code,
        "legal_representative": org.legal_representative,
        "ownership": str(org.get_ownership_display()),
        "ownership_code": org.ownership,
        "size": str(org.get_size_display()),
        "size_code": org.size,
        "industry": org.industry,
        "strategic_emerging": bool(org.strategic_emerging),
        "address": org.address,
        "phone": org.phone,
        "contact_person": org.contact_person,
        "mobile": org.mobile,
        "email": org.email,
        "district": org.district.name if org.district_id else "",
    }


def _display(value) -> str:
    if value is True:
        return str(_("是"))
    if value is False:
        return str(_("否"))
    return "" if value is None else str(value)
