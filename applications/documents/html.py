"""The registration form (Table A.1) as plain values, and as the print HTML the PDF is made from.

One context feeds both renderers (pdf.py via the HTML template, docx.py directly), so the PDF
and the Word file hold the same content in the same order. The content comes from the submitted
version (ApplicationVersion.data: fields, the organisation header as snapshotted at submission,
the team) or, for version 0, from the application as it stands now, in the same JSON shape.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.models.organisations import OrganisationSize
from portal.models.programmes import Level
from portal.text import clean_text

from ..models import AdvancementLevel, DecisionKind
from ..models.choices import Education, Gender
from ..models.documents import DRAFT_VERSION
from ..models.people import MAX_TEAM_MEMBERS
from ..services.recommendation_queries import live_statuses, live_verdict
from ..services.versions import application_data

TEMPLATE = "applications/documents/form.html"
LANGUAGE = "zh-hans"  # the official form is Chinese whatever the requester's language

# Table A.1's twelve categories, in the paper form's order: all are printed, the chosen one ticked
# (a category the reference data added later is printed after them).
CATEGORIES = ["集成电路", "生物医药", "人工智能", "电子信息", "生命健康", "汽车",
              "高端装备", "先进材料", "时尚消费品", "现代农业", "交通", "其他"]

HEADER_LABELS = {
    "name": "单位名称（全称）",
    "legal_representative": "法人代表",
    "ownership": "组织性质",
    "size": "组织规模",
    "industry": "所属行业",
    "strategic_emerging": "是否属于战略性新兴产业",
    "address": "单位地址",
    "phone": "电话",
    "contact_person": "联系人",
    "mobile": "手机",
    "email": "邮箱",
}
INTRO_SECTIONS = [("org_intro", "组织及攻关产品基本情况介绍"), ("background", "项目背景意义"),
                  ("objectives", "质量攻关目标")]
QUALITY_SECTIONS = [("quality_level", "产品质量水平"), ("innovation", "质量创新程度（含技术路线）")]
EFFECT_HEADING = "质量攻关成效"
EFFECT_SECTIONS = [("effect_direct", "直接经济效益"), ("effect_indirect", "间接经济效益"),
                   ("effect_green", "绿色指标"), ("effect_social", "社会效益")]
ECONOMIC_UNIT = "（万元）"
ECONOMIC_COLUMNS = [("sales", "销售额"), ("profit", "利润"), ("energy", "节能降耗"), ("forex", "创汇节汇"),
                    ("other", "其他")]
ECONOMIC_ROWS = [("before", "攻关前 12月"), ("after", "攻关后 12月")]
TEAM_HEADING = "攻关项目组成员"
TEAM_COLUMNS = [("name", "姓名"), ("gender", "性别"), ("title", "职务/职称"), ("education", "学历"),
                ("work_unit", "工作单位（部门）")]
# The Jiading form (seed 001 附件1) heads the same columns 职务（职称） and 工作单位（部门）.
DISTRICT_TEAM_LABELS = {"title": "职务（职称）", "work_unit": "工作单位（部门）"}
SIGNOFFS = [("tech_head", "单位技术负责人意见"), ("finance_head", "单位财务负责人意见"),
            ("unit_head", "单位负责人意见")]
SIGNATURE_LABEL = "负责人（签字）："
DATE_LINE = "年　　月　　日"
CONTINUED = "表A.1（续）"  # heads every page of the municipal form after the first (a margin box)
DRAFT_MARK = "草稿"  # on every page of a draft's PDF, and in the Word file's page header
JOINT_LABEL = "联合申报单位"
CITY_PREFIX = "上海市"
INSTRUCTIONS_HEADING = "填表说明"
RECOMMENDER_OPINION = "推荐单位意见"
SEAL = "（盖章）"
REMARKS = "备注"

# 填表说明 of DB31/T 1368—2022 Annex A (seed 000) …
MUNICIPAL_INSTRUCTIONS = [
    "项目投资，是指与提高产品质量有直接关系的攻关费用。",
    "质量创新程度应具体说明质量攻关的主要问题及其技术路线、质量攻关的成果及创新点。",
    "相关经济效益数据填写攻关前12个月和攻关完成后12个月的数据，月份可以跨年度。如果是新产品开发，"
    "应提供组织之前生产近似产品12个月数据和攻关完成后新产品12个月的数据，月份可以跨年度。"
    "可提供具体计算说明作为证实材料。",
    "创汇节汇金额折算成人民币金额填写。",
    "主要攻关人员应按贡献大小次序填写，最多不超过8名。",
    "请随表一并提供相关证实性材料。",
]
# … and of the district form (seed 001, 附件1).
DISTRICT_INSTRUCTIONS = [
    "项目投资，是指与提高产品质量有直接关系的攻关费用。",
    "技术评价，需有权威部门的检测报告、鉴定报告或者检索报告。说明技术达到何年代国际先进水平"
    "（国际大公司先进水平）、一般水平（国际标准水平）。",
    "指攻关前12个月和攻关完成后12个月的经济效益数据对比，月份可以跨年度。",
    "创汇节汇金额折算成人民币金额填写。",
    "主要攻关人员应按贡献大小次序填写，最多不超过8名。",
    "推荐单位包括主管部门以及各街镇。",
    "请随表一并提供产品质量提高情况、技术评价、攻关成效等方面的证实性材料。",
]


def _clean(value):
    """Every string the writers print passes through clean_text (\\r\\n → \\n, control characters
    dropped), so no stored value can stop or distort a render."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_clean(item) for item in value)
    return value


def date_text(value) -> str:
    """2025-07-01 (a date or its ISO text) → 2025年7月1日; blank when missing or unreadable."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str) and value:
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return ""
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return ""


def cover_organisers(programme) -> list[str]:
    """The organisers as the district cover prints them (seed 001: 嘉定区市场监督管理局, without the
    上海市 the call's letterhead carries)."""
    names = programme.organiser_name_list
    if programme.level == Level.DISTRICT:
        names = [name.removeprefix(CITY_PREFIX) or name for name in names]
    return names


def filing_date(application, version: int) -> str:
    """填报日期: the day the printed version was submitted (blank on a draft)."""
    if version == DRAFT_VERSION:
        return ""
    submitted = application.versions.filter(number=version).values_list("created_at", flat=True).first()
    return date_text(submitted)


def recommendation(application, version: int) -> dict | None:
    """The recommender's opinion, unit and date for the 推荐单位意见 box: the live endorsement by
    the unit the application names, printed on the latest submitted version once that unit has
    endorsed it (before, and on a draft or an older version, the box stays empty)."""
    unit = application.recommender
    if unit is None or version == DRAFT_VERSION or application.status not in live_statuses(unit):
        return None
    latest = application.versions.order_by("-number").values_list("number", flat=True).first()
    if latest != version:
        return None
    verdict = live_verdict(application, unit)
    if verdict is None or verdict.kind != DecisionKind.ENDORSE:
        return None
    return {"opinion": _text(verdict.opinion), "unit": unit.name, "date": date_text(verdict.decided_at)}


def form_data(application, version: int) -> dict:
    """What the form shows: the submitted version's record, or the current state for version 0."""
    if version == DRAFT_VERSION:
        return application_data(application)
    return application.versions.get(number=version).data


def _money(value) -> str:
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(str(value)):.2f}"
    except InvalidOperation:
        return str(value)


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value).strip()


def _choices(options, chosen) -> list[dict]:
    return [{"label": str(label), "checked": value == chosen} for value, label in options]


def _size_code(header: dict) -> str:
    code = header.get("size_code") or ""
    if not code:  # an older snapshot with the label only
        code = {str(label): value for value, label in OrganisationSize.choices}.get(header.get("size"), "")
    return code


def build_context(application, version: int) -> dict:
    """Everything the form shows, as plain strings and flags, in Table A.1's order."""
    with translation.override(LANGUAGE):
        return _clean(_build(application, version, form_data(application, version)))


def _build(application, version: int, data: dict) -> dict:
    fields = data.get("fields", {})
    header = data.get("organisation", {})
    programme = application.programme
    is_district = programme.level == Level.DISTRICT
    area = programme.area_name
    title = f"{area}重点产品质量攻关项目登记表"

    categories = list(CATEGORIES)
    chosen_category = _text(fields.get("category"))
    if chosen_category and chosen_category not in categories:
        categories.append(chosen_category)

    genders, educations = dict(Gender.choices), dict(Education.choices)
    members = []
    for row in data.get("team", [])[:MAX_TEAM_MEMBERS]:
        members.append({
            "name": _text(row.get("name")),
            "gender": str(genders.get(row.get("gender"), row.get("gender") or "")),
            "title": _text(row.get("title")),
            "education": str(educations.get(row.get("education"), row.get("education") or "")),
            "work_unit": _text(row.get("work_unit")),
        })
    team = members + [{c: "" for c, _l in TEAM_COLUMNS} for _n in range(MAX_TEAM_MEMBERS - len(members))]

    recommender = _text(fields.get("recommender"))
    if not recommender and fields.get("self_declared"):
        recommender = "自行申报"
    unit_name = _text(header.get("name"))
    project_name = _text(fields.get("project_name")) or application.project_name
    joint = [_text(name) for name in fields.get("joint_applicants") or [] if _text(name)]
    team_labels = {**dict(TEAM_COLUMNS), **(DISTRICT_TEAM_LABELS if is_district else {})}
    cover_rows = [("推荐单位", recommender), ("项目名称", project_name), ("填报单位（盖章）", unit_name)]
    if joint:
        cover_rows.append((JOINT_LABEL, "、".join(joint)))

    return {
        "title": title,
        "area": area,
        "is_district": is_district,
        "version": version,
        "version_label": DRAFT_MARK if version == DRAFT_VERSION else f"第{version}版",
        "draft_mark": DRAFT_MARK if version == DRAFT_VERSION else "",
        "project_name": project_name,
        "joint_label": JOINT_LABEL,
        "joint_applicants": "、".join(joint),
        "cover": {
            "title": title,
            "rows": cover_rows,
            "date_label": "填报日期",
            "date": filing_date(application, version),
            "organisers": cover_organisers(programme),
            "printed": "印制",
        } if is_district else None,
        "instructions_heading": INSTRUCTIONS_HEADING,
        "instructions": DISTRICT_INSTRUCTIONS if is_district else MUNICIPAL_INSTRUCTIONS,
        "categories": [{"label": name, "checked": name == chosen_category} for name in categories],
        "header": {key: _text(header.get(key)) for key in HEADER_LABELS},
        "labels": HEADER_LABELS,
        "sizes": _choices(OrganisationSize.choices, _size_code(header)),
        "advancement": _choices(AdvancementLevel.choices, fields.get("advancement_level")),
        "intro_sections": [(label, _text(fields.get(name))) for name, label in INTRO_SECTIONS],
        "investment": _money(fields.get("investment")),
        "continued": CONTINUED,
        "quality_sections": [(label, _text(fields.get(name))) for name, label in QUALITY_SECTIONS],
        "effect_heading": EFFECT_HEADING,
        "effects": [(label, _text(fields.get(name))) for name, label in EFFECT_SECTIONS],
        "economic_unit": ECONOMIC_UNIT,
        "economic_columns": [label for _c, label in ECONOMIC_COLUMNS],
        "economic_rows": [
            {"label": label, "values": [_money(fields.get(f"{col}_{row}")) for col, _l in ECONOMIC_COLUMNS]}
            for row, label in ECONOMIC_ROWS
        ],
        "team_heading": TEAM_HEADING,
        "team_columns": [team_labels[c] for c, _l in TEAM_COLUMNS],
        "team": team,
        "signoffs": [
            {"label": label, "opinion": _text(fields.get(f"{role}_opinion")), "name": _text(fields.get(f"{role}_name")),
             "date": date_text(fields.get(f"{role}_date"))}
            for role, label in SIGNOFFS
        ],
        "recommendation": recommendation(application, version) if is_district else None,
        "signature_label": SIGNATURE_LABEL,
        "date_line": DATE_LINE,
        "recommender_opinion": RECOMMENDER_OPINION,
        "seal": SEAL,
        "remarks": REMARKS,
    }


def render_html(context: dict) -> str:
    """The print HTML (its CSS is inline: WeasyPrint is not subject to the web pages' CSP)."""
    return clean_text(render_to_string(TEMPLATE, _clean(context)))


def section_headings(context: dict) -> list[str]:
    """The form's labels (and the typed signers and dates) in print order (the tests check both
    files against it). 表A.1（续） is left out: the PDF prints it in the page's top margin."""
    district = context["is_district"]
    headings = []
    if district:
        cover = context["cover"]
        headings += [row[0] for row in cover["rows"]] + [cover["date_label"], *cover["organisers"], cover["printed"],
                                                        context["instructions_heading"]]
    headings += [context["title"], *([] if district else ["表 A.1"])]
    headings += ["项目名称", "项目类别", HEADER_LABELS["name"]]
    headings += [JOINT_LABEL] if context["joint_applicants"] else []
    headings += [*list(HEADER_LABELS.values())[1:], "项目先进水平"]
    headings += [label for label, _t in context["intro_sections"]] + ["项目投资（万元）"]
    headings += [label for label, _t in context["quality_sections"]] + [EFFECT_HEADING]
    headings += [label for label, _t in context["effects"]]
    headings += [ECONOMIC_UNIT, *context["economic_columns"], *(row["label"] for row in context["economic_rows"])]
    headings += [*([TEAM_HEADING] if district else []), *context["team_columns"]]
    signoffs = context["signoffs"]
    if district:  # side by side: the three opinions, then the three signature lines, then the dates
        headings += [s["label"] for s in signoffs]
        headings += [part for s in signoffs for part in (SIGNATURE_LABEL, s["name"])]
        headings += [s["date"] or DATE_LINE for s in signoffs]
    else:
        for s in signoffs:
            headings += [s["label"], SIGNATURE_LABEL, s["name"], s["date"] or DATE_LINE]
    if district:
        opinion = context["recommendation"]
        headings += [RECOMMENDER_OPINION]
        headings += [opinion["opinion"], opinion["unit"], SEAL, opinion["date"]] if opinion else [SEAL, DATE_LINE]
        headings += [REMARKS]
    else:
        headings += [INSTRUCTIONS_HEADING]
    return [h for h in headings if h]
