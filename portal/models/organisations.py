"""Applicant organisations (申报组织) and recommending units (推荐单位)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.credit_code import validate_credit_code


class RecommendingUnitKind(models.TextChoices):
    DISTRICT_BUREAU = "district_bureau", _("区市场监管局")
    STREET_TOWN = "street_town", _("街镇")
    GROUP_COMPANY = "group_company", _("集团公司")
    INDUSTRY_ASSOCIATION = "industry_association", _("行业协会")


class RecommendingUnit(models.Model):
    """推荐单位: checks applications, endorses or returns them, compiles the Annex 2 summary table.

    A street or town (街镇) sits under its district bureau (``parent``); its contact person and
    phone fill the Annex 2 footer.
    """

    name = models.CharField(_("名称"), max_length=128, unique=True)
    kind = models.CharField(_("类型"), max_length=32, choices=RecommendingUnitKind.choices)
    district = models.ForeignKey(
        "portal.District", verbose_name=_("所在区"), null=True, blank=True, on_delete=models.PROTECT
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级推荐单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("街镇所属的区市场监管局"),
    )
    contact_person = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["kind", "district__order", "name"]
        verbose_name = _("推荐单位")
        verbose_name_plural = _("推荐单位")

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind in (RecommendingUnitKind.DISTRICT_BUREAU, RecommendingUnitKind.STREET_TOWN):
            if not self.district_id:
                raise ValidationError({"district": _("区市场监管局和街镇必须指定所在区。")})
        if self.kind == RecommendingUnitKind.STREET_TOWN:
            if not self.parent_id or self.parent.kind != RecommendingUnitKind.DISTRICT_BUREAU:
                raise ValidationError({"parent": _("街镇的上级必须是区市场监管局。")})
        elif self.parent_id:
            raise ValidationError({"parent": _("只有街镇有上级推荐单位。")})


class OrganisationSize(models.TextChoices):
    """组织规模, as Table A.1 offers it; 小微 uses the lower thresholds of rubric criterion 3.2."""

    LARGE = "large", _("大型及以上")
    MEDIUM = "medium", _("中型")
    SMALL_MICRO = "small_micro", _("小微")


class Ownership(models.TextChoices):
    """组织性质."""

    STATE_OWNED = "state_owned", _("国有企业")
    PRIVATE = "private", _("民营企业")
    FOREIGN = "foreign", _("外商投资企业")
    HMT = "hmt", _("港澳台投资企业")
    JOINT_VENTURE = "joint_venture", _("中外合资企业")
    INSTITUTION = "institution", _("事业单位")
    OTHER = "other", _("其他")


class Organisation(models.Model):
    """申报组织: an enterprise or institution, unique by its unified social credit code.

    Holds the Table A.1 header fields that belong to the organisation; an application takes a
    snapshot of them when it is submitted.
    """

    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    name = models.CharField(_("单位名称（全称）"), max_length=128)
    legal_representative = models.CharField(_("法人代表"), max_length=64)
    ownership = models.CharField(_("组织性质"), max_length=16, choices=Ownership.choices)
    size = models.CharField(_("组织规模"), max_length=16, choices=OrganisationSize.choices)
    industry = models.CharField(_("所属行业"), max_length=64)
    strategic_emerging = models.BooleanField(_("是否属于战略性新兴产业"), default=False)
    address = models.CharField(_("单位地址"), max_length=200)
    phone = models.CharField(_("电话"), max_length=32)
    contact_person = models.CharField(_("联系人"), max_length=64)
    mobile = models.CharField(_("手机"), max_length=32)
    email = models.EmailField(_("邮箱"))
    district = models.ForeignKey(
        "portal.District", verbose_name=_("所在区"), on_delete=models.PROTECT, related_name="organisations"
    )
    group_company = models.ForeignKey(
        RecommendingUnit,
        verbose_name=_("所属集团公司"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        limit_choices_to={"kind": RecommendingUnitKind.GROUP_COMPANY},
        related_name="member_organisations",
    )
    is_specialised = models.BooleanField(_("专精特新企业"), default=False)
    is_little_giant = models.BooleanField(_("科技小巨人企业"), default=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("申报单位")
        verbose_name_plural = _("申报单位")

    def __str__(self):
        return self.name

    @property
    def is_private(self) -> bool:
        """民营企业, for the annual report."""
        return self.ownership == Ownership.PRIVATE

    @property
    def is_sme(self) -> bool:
        """中小企业: medium, small and micro."""
        return self.size in (OrganisationSize.MEDIUM, OrganisationSize.SMALL_MICRO)


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("待批准")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已拒绝")


class OrganisationMembership(models.Model):
    """An applicant's link to its organisation. The first person is approved at once; later ones
    wait for the organisation's first user or an administrator."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="memberships"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["requested_at"]
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")

    def __str__(self):
        return f"{self.user} @ {self.organisation}"
