"""The Annex 2 table as plain values, exactly as seed 001 附件2 lays it out.

Title: ``<year>年<area>重点产品质量攻关项目申报汇总表``; area is Programme.area_name (上海市, or the
district of a district programme). For the other project types the type's name replaces
重点产品质量攻关, without a trailing 成果/项目 (e.g. 2025年上海市产业质量提升标志性项目申报汇总表).

Columns and what fills them:
- 序号: 1… in the unit's ranking order;
- 项目名称; 项目单位 (the organisation's name as submitted, then any joint applicants:
  ``甲公司（联合申报：乙公司、丙研究院）``);
- 完成时间: the completion time the recommender confirmed when endorsing (else the form's), as
  ``2025年6月``;
- 项目先进水平: the level Table A.1 claims (国际先进或国内领先 / 高于行业水平 / 一般行业水平);
- 企业性质, 企业规模: from the organisation header as submitted;
- 经济效益（万元）: the increase in sales, 攻关后12个月 minus 攻关前12个月 销售额 (the economic table
  of Table A.1); empty when either figure is missing. Computed in Decimal and rounded to the form's
  0.01 万元 (the database's own arithmetic gives float noise on SQLite: -243.360000000001).
  FIGURE_NOTE says so under the table;
- 备注: the recommender's assessment (leading degree, actual effect); in a district bureau's table
  the street that endorsed first; in the combined table the recommending unit (or 自行申报).
Footer: 填报单位（加盖公章）, 联系人, 联系电话 — the unit's name, contact person and phone; for the
combined table the organiser's name and the requesting administrator.

Everything is Chinese whatever the requester's language: it is an official form.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext_noop

from portal.models.organisations import OrganisationSize, Ownership
from portal.models.programmes import ProjectType
from portal.text import clean_text

from ..models import AdvancementLevel, Application, ApplicationStatus, DecisionKind, RecommendationDecision
from ..models.recommendation import ActualEffect, LeadingDegree
from ..services.recommendation_queries import live_endorsements

HEADERS = ("序号", "项目名称", "项目单位", "完成时间", "项目先进水平", "企业性质", "企业规模",
           "经济效益（万元）", "备注")
MONEY_COLUMN = HEADERS.index("经济效益（万元）")
FIGURE_NOTE = "注：经济效益（万元）为攻关后12个月销售额减去攻关前12个月销售额（新增销售额），数据取自登记表经济效益表。"
FOOTER_LABELS = ("填报单位（加盖公章）：", "联系人：", "联系电话：")
# Marked for the catalogue (gettext_noop keeps the Chinese here): pages name the table in the
# reader's language (page_title); the files always carry the official Chinese title (title_for).
TYPE_STEMS = {
    ProjectType.KEY_PRODUCT: gettext_noop("重点产品质量攻关"),
    ProjectType.FLAGSHIP: gettext_noop("产业质量提升标志性"),
    ProjectType.CHAIN_COLLABORATION: gettext_noop("产业链协同质量提升"),
    ProjectType.COMMON_TECHNOLOGY: gettext_noop("共性质量技术突破"),
    ProjectType.KEY_PERFORMANCE: gettext_noop("产品关键质量性能提升"),
}
LANGUAGE = "zh-hans"


@dataclass
class Annex2Table:
    title: str
    rows: list[tuple]
    unit_name: str
    contact_person: str
    contact_phone: str
    note: str = FIGURE_NOTE

    @property
    def footer(self) -> list[str]:
        values = (self.unit_name, self.contact_person, self.contact_phone)
        return [clean_text(f"{label}{value or ''}") for label, value in zip(FOOTER_LABELS, values, strict=True)]


def title_for(programme) -> str:
    stem = TYPE_STEMS.get(programme.project_type, programme.get_project_type_display())
    return f"{programme.year}年{programme.area_name}{stem}项目申报汇总表"


def page_title(programme) -> str:
    """The title as a page shows it, in the reader's language; in Chinese exactly ``title_for``."""
    stem = TYPE_STEMS.get(programme.project_type)
    return translation.gettext("%(year)s年%(area)s%(stem)s项目申报汇总表") % {
        "year": programme.year, "area": programme.area_label,
        "stem": translation.gettext(stem) if stem else programme.get_project_type_display()}


def month_text(day) -> str:
    return f"{day.year}年{day.month}月" if day else ""


def _labels():
    """Chinese labels of the coded values (built once per table, in Chinese)."""
    with translation.override(LANGUAGE):
        return {name: {value: str(label) for value, label in choices.choices} for name, choices in (
            ("level", AdvancementLevel), ("ownership", Ownership), ("size", OrganisationSize),
            ("effect", ActualEffect), ("degree", LeadingDegree),
        )}


# Alias → key of the organisation header as submitted (Application.organisation_snapshot).
SNAPSHOT_KEYS = {"org": "name", "ownership_code": "ownership_code", "ownership": "ownership",
                 "size_code": "size_code", "size": "size"}
CENT = Decimal("0.01")
JOINT_PREFIX = "联合申报："


def gain(before, after) -> Decimal | None:
    """攻关后 − 攻关前 销售额 in Decimal, to 0.01 万元; None when either figure is missing."""
    if before is None or after is None:
        return None
    return (Decimal(str(after)) - Decimal(str(before))).quantize(CENT, ROUND_HALF_UP)


def joint_names(programme) -> dict[int, list[str]]:
    """Application id → its joint applicants' names, for the whole programme (one query)."""
    through = Application.joint_applicants.through
    names = defaultdict(list)
    rows = through.objects.filter(application__programme=programme).order_by("organisation__name", "pk")
    for application_id, name in rows.values_list("application_id", "organisation__name"):
        names[application_id].append(name)
    return names


def unit_text(name, joint) -> str:
    """项目单位: the applicant, then its joint applicants."""
    name = name or ""
    return f"{name}（{JOINT_PREFIX}{'、'.join(joint)}）" if joint else name


def _values(root: str = "", decision: bool = False) -> dict:
    """The row's columns as query expressions, from Application (``root`` "") or from a
    RecommendationDecision (``root`` "application__"). The figure is computed by the database:
    sales after − before, computed in Python (``gain``)."""
    values = {
        "project": F(f"{root}project_name"),
        **{alias: KeyTextTransform(key, f"{root}organisation_snapshot") for alias, key in SNAPSHOT_KEYS.items()},
        "level": F(f"{root}advancement_level"),
        "app_id": F(f"{root}id"),
        "before": F(f"{root}sales_before"),
        "after": F(f"{root}sales_after"),
    }
    if decision:  # the completion time the recommender confirmed, else the form's
        values.update(completion=Coalesce(F("completion_date"), F(f"{root}completion_date")),
                      degree=F("leading_degree"), effect=F("actual_effect"), unit_name=F("unit__name"),
                      recommender_id=F(f"{root}recommender_id"), recommender_name=F(f"{root}recommender__name"))
    else:
        values["completion"] = F(f"{root}completion_date")
    return values


def _row(n, r, labels, remark, joint=()) -> tuple:
    return tuple(clean_text(value) for value in (
        n, r["project"], unit_text(r["org"], joint), month_text(r["completion"]),
        labels["level"].get(r["level"], ""),
        labels["ownership"].get(r["ownership_code"]) or r["ownership"] or "",
        labels["size"].get(r["size_code"]) or r["size"] or "", gain(r["before"], r["after"]), remark,
    ))


def _assessment(r, labels) -> str:
    parts = []
    if r["degree"]:
        parts.append(f"领先程度：{labels['degree'].get(r['degree'], '')}")
    if r["effect"]:
        parts.append(f"实际效果：{labels['effect'].get(r['effect'], '')}")
    return "；".join(parts)


def _decision_rows(queryset):
    return queryset.values(**_values("application__", decision=True))


def unit_table(programme, unit) -> Annex2Table:
    """One unit's live endorsements in its ranking order (two queries)."""
    labels, joint = _labels(), joint_names(programme)
    rows = []
    for n, r in enumerate(_decision_rows(live_endorsements(programme, unit)).iterator(chunk_size=2000), start=1):
        remark = _assessment(r, labels)
        if r["recommender_id"] != unit.pk and r["recommender_name"]:
            remark = "；".join(filter(None, [f"{r['recommender_name']}推荐", remark]))
        rows.append(_row(n, r, labels, remark, joint.get(r["app_id"], ())))
    return Annex2Table(title_for(programme), rows, unit.name, unit.contact_person, unit.contact_phone)


def combined_table(programme, requester) -> Annex2Table:
    """Every application that reached the organiser: endorsed (by recommending unit, in each
    unit's order) then self-declared (by submission time). Three queries."""
    labels, joint = _labels(), joint_names(programme)
    final = (
        RecommendationDecision.objects.filter(
            application__programme=programme, application__status=ApplicationStatus.ENDORSED,
            kind=DecisionKind.ENDORSE, superseded_at__isnull=True,
        )
        .exclude(unit__kind="street_town", unit__parent__isnull=False)
        .order_by("unit__kind", "unit__district__order", "unit__name", "rank", "decided_at", "pk")
    )
    rows = []
    for r in _decision_rows(final).iterator(chunk_size=2000):
        remark = f"{r['unit_name']}推荐"
        if r["recommender_name"] and r["recommender_name"] != r["unit_name"]:
            remark += f"（{r['recommender_name']}初审）"
        rows.append(_row(len(rows) + 1, r, labels, remark, joint.get(r["app_id"], ())))
    own = Application.objects.filter(
        programme=programme, self_declared=True, status=ApplicationStatus.SUBMITTED
    ).order_by("submitted_at", "pk")
    for r in own.values(**_values()):
        rows.append(_row(len(rows) + 1, r, labels, "自行申报", joint.get(r["app_id"], ())))
    organiser = programme.organiser
    name = organiser.name if organiser else ""
    return Annex2Table(title_for(programme), rows, name, requester.display_name if requester else "",
                       getattr(requester, "phone", "") if requester else "")


def table_for(programme, unit=None, requester=None) -> Annex2Table:
    return unit_table(programme, unit) if unit is not None else combined_table(programme, requester)

