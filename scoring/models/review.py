"""Expert review (专家评价, DB31/T 1368—2022 §5.2, §6.3): conflicts of interest, the
confidentiality pledge, panels, assignments, scores and defence sessions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConflictSource(models.TextChoices):
    AUTOMATIC = "automatic", _("系统识别")
    EXPERT = "expert", _("专家声明")
    APPLICANT = "applicant", _("申报单位申请")
    ADMINISTRATOR = "administrator", _("主管部门设定")


class ConflictStatus(models.TextChoices):
    ACTIVE = "active", _("回避")  # in force; automatic ones start here until an administrator decides
    CONFIRMED = "confirmed", _("已确认回避")
    DISMISSED = "dismissed", _("已排除")


BLOCKING_CONFLICT_STATUSES = (ConflictStatus.ACTIVE, ConflictStatus.CONFIRMED)


class ConflictOfInterest(models.Model):
    """回避: one reason why an expert must stay away from an application, with where it came from.
    ``rule`` names the automatic rule (credit_code, name, group_company, team_member, email_domain,
    applicant_declared, …) so that re-detection does not duplicate rows."""

    expert = models.ForeignKey("scoring.ExpertProfile", verbose_name=_("专家"), on_delete=models.CASCADE,
                               related_name="conflicts")
    application = models.ForeignKey("applications.Application", verbose_name=_("申报项目"),
                                    on_delete=models.CASCADE, related_name="expert_conflicts")
    source = models.CharField(_("来源"), max_length=16, choices=ConflictSource.choices)
    rule = models.CharField(_("规则"), max_length=32, blank=True)
    reason = models.CharField(_("理由"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=ConflictStatus.choices, default=ConflictStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["application", "expert", "id"]
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        constraints = [
            models.UniqueConstraint(fields=["expert", "application", "source", "rule"], name="one_conflict_per_rule")
        ]

    def __str__(self):
        return f"{self.expert} × {self.application}: {self.reason}"

    @property
    def blocks(self) -> bool:
        return self.status in BLOCKING_CONFLICT_STATUSES


class ConfidentialityPledge(models.Model):
    """保密及回避承诺: accepted by an expert once per programme before seeing any application."""

    expert = models.ForeignKey("scoring.ExpertProfile", verbose_name=_("专家"), on_delete=models.CASCADE,
                               related_name="pledges")
    programme = models.ForeignKey("portal.Programme", verbose_name=_("申报批次"), on_delete=models.CASCADE,
                                  related_name="pledges")
    statement = models.TextField(_("承诺内容"))
    accepted_at = models.DateTimeField(_("承诺时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("保密承诺")
        verbose_name_plural = _("保密承诺")
        constraints = [models.UniqueConstraint(fields=["expert", "programme"], name="one_pledge_per_programme")]

    def __str__(self):
        return f"{self.expert} — {self.programme}"


class Panel(models.Model):
    """评审组: experts for a set of categories within a programme."""

    programme = models.ForeignKey("portal.Programme", verbose_name=_("申报批次"), on_delete=models.CASCADE,
                                  related_name="panels")
    name = models.CharField(_("名称"), max_length=100)
    categories = models.ManyToManyField("portal.ProjectCategory", verbose_name=_("项目类别"), blank=True)
    experts = models.ManyToManyField("scoring.ExpertProfile", verbose_name=_("专家"), blank=True,
                                     related_name="panels")

    class Meta:
        ordering = ["programme", "name"]
        verbose_name = _("评审组")
        verbose_name_plural = _("评审组")
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="unique_panel_name")]

    def __str__(self):
        return self.name


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("评审中")
    RECUSED = "recused", _("已回避")
    REMOVED = "removed", _("已撤销")


class Assignment(models.Model):
    """An expert assigned to score an application (分配)."""

    application = models.ForeignKey("applications.Application", verbose_name=_("申报项目"),
                                    on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey("scoring.ExpertProfile", verbose_name=_("专家"), on_delete=models.CASCADE,
                               related_name="assignments")
    status = models.CharField(_("状态"), max_length=16, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.ACTIVE, db_index=True)
    automatic = models.BooleanField(_("自动分配"), default=False)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("分配人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("回避/撤销时间"), null=True, blank=True)
    end_reason = models.CharField(_("回避/撤销理由"), max_length=300, blank=True)

    class Meta:
        ordering = ["application", "expert"]
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="one_assignment_per_pair")]

    def __str__(self):
        return f"{self.expert} → {self.application}"


class AssignmentProposal(models.Model):
    """The result of an automatic assignment run, for the administrator to review and apply."""

    programme = models.ForeignKey("portal.Programme", verbose_name=_("申报批次"), on_delete=models.CASCADE,
                                  related_name="assignment_proposals")
    seed = models.PositiveIntegerField(_("随机种子"), default=0)
    parameters = models.JSONField(_("参数"), default=dict)
    pairs = models.JSONField(_("分配方案"), default=list, help_text=_("[[application_id, expert_id], …]"))
    unstaffed = models.JSONField(_("无法配齐的项目"), default=list, help_text=_("[{application, missing, reason}]"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("应用时间"), null=True, blank=True)
    seconds = models.FloatField(_("用时（秒）"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("自动分配方案")
        verbose_name_plural = _("自动分配方案")

    def __str__(self):
        return f"{self.programme} @ {self.created_at:%Y-%m-%d %H:%M}"


class ScoreStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class Score(models.Model):
    """One expert's score sheet for one assigned application. The total is computed by the
    service from the criterion scores (never typed)."""

    assignment = models.OneToOneField(Assignment, verbose_name=_("评审分配"), on_delete=models.CASCADE,
                                      related_name="score")
    status = models.CharField(_("状态"), max_length=16, choices=ScoreStatus.choices, default=ScoreStatus.DRAFT)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=1, default=0)
    overall_comment = models.TextField(_("总体评价"), blank=True, max_length=2000)
    lock_version = models.PositiveIntegerField(_("修改版本"), default=0)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")

    def __str__(self):
        return f"{self.assignment}: {self.total}"


class CriterionScore(models.Model):
    score = models.ForeignKey(Score, verbose_name=_("评分"), on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey("scoring.Criterion", verbose_name=_("评价内容"), on_delete=models.PROTECT)
    band = models.ForeignKey("scoring.Band", verbose_name=_("分档"), null=True, blank=True,
                             on_delete=models.PROTECT)
    bonus_level = models.ForeignKey("scoring.BonusLevel", verbose_name=_("加分等级"), null=True, blank=True,
                                    on_delete=models.PROTECT)
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    comment = models.TextField(_("评语"), blank=True, max_length=1000)

    class Meta:
        ordering = ["score", "criterion__section__order", "criterion__order"]
        verbose_name = _("单项得分")
        verbose_name_plural = _("单项得分")
        constraints = [models.UniqueConstraint(fields=["score", "criterion"], name="one_item_per_criterion")]

    def __str__(self):
        return f"{self.criterion}: {self.points}"


class DefenceSession(models.Model):
    """现场答辩 (§6.3.2): a sitting of a panel where applicants present, in order."""

    programme = models.ForeignKey("portal.Programme", verbose_name=_("申报批次"), on_delete=models.CASCADE,
                                  related_name="defence_sessions")
    panel = models.ForeignKey(Panel, verbose_name=_("评审组"), null=True, blank=True, on_delete=models.SET_NULL)
    title = models.CharField(_("名称"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    meeting_link = models.URLField(_("会议链接"), blank=True)
    experts = models.ManyToManyField("scoring.ExpertProfile", verbose_name=_("出席专家"), blank=True,
                                     related_name="defence_sessions")

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("现场答辩")
        verbose_name_plural = _("现场答辩")

    def __str__(self):
        return self.title


class DefenceSlot(models.Model):
    session = models.ForeignKey(DefenceSession, verbose_name=_("答辩场次"), on_delete=models.CASCADE,
                                related_name="slots")
    application = models.ForeignKey("applications.Application", verbose_name=_("申报项目"),
                                    on_delete=models.CASCADE, related_name="defence_slots")
    order = models.PositiveSmallIntegerField(_("顺序"))
    starts_at = models.DateTimeField(_("开始时间"))
    minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), default=15)
    attended = models.BooleanField(_("出席"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["session", "order"]
        verbose_name = _("答辩安排")
        verbose_name_plural = _("答辩安排")
        constraints = [models.UniqueConstraint(fields=["session", "application"], name="one_slot_per_application")]

    def __str__(self):
        return f"{self.session} #{self.order}: {self.application}"
