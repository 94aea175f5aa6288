"""The project team (攻关项目组成员) and the applicant's declared conflicts of interest."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Education, Gender

# The columns' labels by stored value, read once: get_FOO_display builds a dict of the field's
# choices at every call, and the score sheet, version snapshots and autosave call as_text per member.
# The labels stay lazy (translated when the line is written).
GENDER_LABELS = dict(Gender.choices)
EDUCATION_LABELS = dict(Education.choices)
MAX_TEAM_MEMBERS = 8  # Table A.1 填表说明 5: 最多不超过 8 名
MAX_CONFLICTS = 5


class TeamMember(models.Model):
    """One row of the team table, in order of contribution (``order`` 1 = largest)."""

    application = models.ForeignKey(
        "applications.Application", verbose_name=_("申报项目"), on_delete=models.CASCADE, related_name="team_members"
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=1)
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    title = models.CharField(_("职务/职称"), max_length=64, blank=True)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    work_unit = models.CharField(_("工作单位（部门）"), max_length=128, blank=True)

    # Columns of the team table, in Table A.1 order; completeness wants all of them filled.
    COLUMNS = ("name", "gender", "title", "education", "work_unit")

    class Meta:
        ordering = ["application", "order", "id"]
        verbose_name = _("攻关项目组成员")
        verbose_name_plural = _("攻关项目组成员")

    def __str__(self):
        return self.name

    def as_text(self) -> str:
        """One line for version diffs: 张三（男，高级工程师，大学本科，质量部）."""
        parts = [str(GENDER_LABELS.get(self.gender, self.gender)), self.title,
                 str(EDUCATION_LABELS.get(self.education, self.education)), self.work_unit]
        return f"{self.name}（{'，'.join(str(p) for p in parts if p)}）"


class ConflictDeclaration(models.Model):
    """An expert the applicant asks to be kept away from this project (回避), used when experts
    are assigned: by name, by work unit, or both."""

    application = models.ForeignKey(
        "applications.Application", verbose_name=_("申报项目"), on_delete=models.CASCADE, related_name="conflicts"
    )
    expert_name = models.CharField(_("专家姓名"), max_length=64, blank=True)
    work_unit = models.CharField(_("工作单位"), max_length=128, blank=True)
    reason = models.CharField(_("回避理由"), max_length=200, blank=True)

    COLUMNS = ("expert_name", "work_unit", "reason")

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("申请回避")
        verbose_name_plural = _("申请回避")

    def __str__(self):
        return self.expert_name or self.work_unit

    def as_text(self) -> str:
        who = " / ".join(p for p in (self.expert_name, self.work_unit) if p)
        return f"{who}：{self.reason}" if self.reason else who
