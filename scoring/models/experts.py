"""The expert pool (专家库). An expert is a portal.User with role expert plus this profile; the
person's name, e-mail and phone live on the user (one place), the rest here."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.credit_code import validate_credit_code
from portal.models.users import Role


class ExpertProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="expert_profile"
    )
    work_unit = models.CharField(_("工作单位"), max_length=128)
    work_unit_credit_code = models.CharField(
        _("工作单位统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    title = models.CharField(_("职称"), max_length=64, blank=True)
    expertise = models.ManyToManyField(
        "portal.ProjectCategory", verbose_name=_("专业领域"), blank=True, related_name="experts"
    )
    keywords = models.TextField(_("关键词"), blank=True)
    past_employers = models.TextField(_("曾任职单位"), blank=True, help_text=_("每行一个单位"))
    is_active = models.BooleanField(_("在库"), default=True, help_text=_("停用的专家不参与分配"))
    created_at = models.DateTimeField(_("入库时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["user__full_name", "pk"]
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")

    def __str__(self):
        return f"{self.name}（{self.work_unit}）"

    @property
    def name(self) -> str:
        return self.user.display_name

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def phone(self) -> str:
        return self.user.phone

    @property
    def past_employer_list(self) -> list[str]:
        return [line.strip() for line in self.past_employers.splitlines() if line.strip()]

    def clean(self):
        if self.user_id and self.user.role != Role.EXPERT:
            raise ValidationError({"user": _("专家档案只能关联角色为“评审专家”的用户。")})
