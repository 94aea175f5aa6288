"""Choices of Table A.1 and of the application's life."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    """Where an application stands. The moves between them are data in applications.workflow;
    the last three belong to the recommendation step and are declared now so the column never
    needs a data migration."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    ENDORSED_BY_STREET = "endorsed_by_street", _("街镇已推荐")
    ENDORSED = "endorsed", _("已推荐")
    DECLINED = "declined", _("未推荐")


# The applicant may change the form only in these states.
EDITABLE_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)


class AdvancementLevel(models.TextChoices):
    """项目先进水平 (Table A.1)."""

    LEADING = "leading", _("国际先进或国内领先")
    ABOVE_INDUSTRY = "above_industry", _("高于行业水平")
    INDUSTRY = "industry", _("一般行业水平")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    SECONDARY = "secondary", _("中专及以下")


class EvidenceKind(models.TextChoices):
    """证实性材料的类别 (seed 000 §7.4, 001 填表说明 2 and 7)."""

    TEST_REPORT = "test_report", _("检测报告")
    APPRAISAL_REPORT = "appraisal_report", _("鉴定报告")
    ACCEPTANCE_REPORT = "acceptance_report", _("验收报告")
    SEARCH_REPORT = "search_report", _("检索报告")
    PATENT = "patent", _("专利证书")
    EXPERT_OPINION = "expert_opinion", _("专家鉴定意见")
    MEDIA = "media", _("媒体报道")
    CALCULATION = "calculation", _("经济效益计算说明")
    SIGNATURE_PAGE = "signature_page", _("签章页")
    OTHER = "other", _("其他")


# Kinds that back a claim of 国际先进或国内领先 (Jiading 填表说明 2: 检测报告、鉴定报告或者检索报告).
LEADING_EVIDENCE_KINDS = (EvidenceKind.TEST_REPORT, EvidenceKind.APPRAISAL_REPORT, EvidenceKind.SEARCH_REPORT)


class Section(models.TextChoices):
    """The form's tabs; also where a return comment or a missing item points."""

    BASIC = "basic", _("基本信息")
    INTRO = "intro", _("项目介绍")
    QUALITY = "quality", _("质量水平与创新")
    EFFECT = "effect", _("攻关成效与经济效益")
    TEAM = "team", _("攻关项目组成员")
    SIGNOFF = "signoff", _("单位意见")
    EVIDENCE = "evidence", _("证实性材料")
    CHECK = "check", _("提交前检查")
