"""The checklist before submission (提交前检查). The 2020 report says projects failed for missing
evidence, so the check names every missing item and where to fix it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import Application, EvidenceKind, Section
from ..models.choices import LEADING_EVIDENCE_KINDS, AdvancementLevel
from ..models.people import MAX_TEAM_MEMBERS, TeamMember
from ..sections import FIELD_SECTION, REQUIRED_FIELDS


@dataclass(frozen=True)
class Missing:
    section: str  # the tab (Section value)
    anchor: str  # the element id inside the tab
    message: str

    def __str__(self):
        return self.message


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def completeness_check(application: Application) -> list[Missing]:
    """Every missing item, in form order; empty means the application may be submitted."""
    missing = [
        Missing(FIELD_SECTION[name], f"id_{name}", _("请填写“%(label)s”。") % {"label": _label(name)})
        for name in REQUIRED_FIELDS
        if _is_blank(getattr(application, name if name != "category" else "category_id"))
    ]
    missing += _recommender(application)
    missing += _team(application)
    missing += _evidence(application)
    # Keep the tab order of the form, whatever order the checks above ran in.
    order = list(Section.values)
    return sorted(missing, key=lambda m: order.index(m.section))


def _label(name: str) -> str:
    return str(Application._meta.get_field(name).verbose_name)


def _recommender(app: Application) -> list[Missing]:
    programme = app.programme
    here = (Section.BASIC, "id_recommender")
    if app.self_declared:
        if not programme.allow_self_declared:
            return [Missing(*here, _("该批次不接受自行申报，请选择推荐单位。"))]
        return []
    if app.recommender_id is None:
        if programme.allow_self_declared:
            return [Missing(*here, _("请选择推荐单位，或勾选“自行申报”。"))]
        return [Missing(*here, _("请选择推荐单位。"))]
    if not programme.accepted_units.filter(pk=app.recommender_id).exists():
        return [Missing(*here, _("所选推荐单位“%(unit)s”不受理该批次，请重新选择。") % {"unit": app.recommender})]
    return []


def _team(app: Application) -> list[Missing]:
    members = list(app.team_members.all())
    here = (Section.TEAM, "team-formset")
    if not members:
        return [Missing(*here, _("请至少填写1名攻关项目组成员。"))]
    found = []
    if len(members) > MAX_TEAM_MEMBERS:
        found.append(Missing(*here, _("攻关项目组成员最多%(max)d名，当前%(n)d名。")
                             % {"max": MAX_TEAM_MEMBERS, "n": len(members)}))
    for position, member in enumerate(members, start=1):
        blanks = [str(TeamMember._meta.get_field(c).verbose_name) for c in TeamMember.COLUMNS
                  if _is_blank(getattr(member, c))]
        if blanks:
            found.append(Missing(*here, _("攻关项目组成员第%(n)d位缺少：%(fields)s。")
                                 % {"n": position, "fields": "、".join(blanks)}))
    return found


def _evidence(app: Application) -> list[Missing]:
    kinds = {e.kind for e in app.evidence.all()}
    here = (Section.EVIDENCE, "evidence-upload")
    found = []
    if EvidenceKind.SIGNATURE_PAGE not in kinds:
        found.append(Missing(*here, _("请上传“签章页”：三位负责人签字并加盖单位公章的意见页。")))
    if app.advancement_level == AdvancementLevel.LEADING and not kinds & set(LEADING_EVIDENCE_KINDS):
        found.append(Missing(*here, _("项目先进水平为“国际先进或国内领先”，请上传检测报告、鉴定报告或检索报告之一。")))
    if app.economic_figures_given and EvidenceKind.CALCULATION not in kinds:
        found.append(Missing(*here, _("已填写经济效益数据，请上传“经济效益计算说明”。")))
    return found
