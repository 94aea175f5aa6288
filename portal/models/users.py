"""People and their roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申报单位")
    RECOMMENDER = "recommender", _("推荐单位")
    EXPERT = "expert", _("评审专家")
    ADMINISTRATOR = "administrator", _("主管部门")


class User(AbstractUser):
    """A person. The role decides the dashboard; the links below say for whom they act.

    Applicants belong to an organisation through OrganisationMembership (which may await approval);
    recommenders to a recommending unit; administrators to an organiser (主管部门).
    """

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.APPLICANT)
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机"), max_length=32, blank=True)
    recommending_unit = models.ForeignKey(
        "portal.RecommendingUnit",
        verbose_name=_("推荐单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    organiser = models.ForeignKey(
        "portal.Organiser",
        verbose_name=_("主管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="administrators",
    )
    # The language last chosen with the language switch (portal.views.language): e-mails are
    # written in it. Blank: never chosen, the portal's default (Simplified Chinese).
    language = models.CharField(_("语言"), max_length=16, blank=True, choices=settings.LANGUAGES)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username
