"""The registration form (Table A.1) as plain values, and as the print HTML the PDF is made from.

One context feeds both renderers (pdf.py via the HTML template, docx.py directly), so the PDF
and the Word file hold the same content in the same order. The content comes from the submitted
version (ApplicationVersion.data: fields, the organisation header as snapshotted at submission,
the team) or, for version 0, from the application as it stands now, in the same JSON shape.
"""

from decimal import Decimal, InvalidOperation

from django.template.loader import render_to_string
from django.utils import translation

from portal.models.organisations import OrganisationSize
from portal.models.programmes import Level

from ..models import AdvancementLevel
from ..models.choices import Education, Gender
from ..models.documents import DRAFT_VERSION
from ..models.people import MAX_TEAM_MEMBERS
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
SIGNOFFS = [("tech_head", "单位技术负责人意见"), ("finance_head", "单位财务负责人意见"),
            ("unit_head", "单位负责人意见")]
SIGNATURE_LABEL = "负责人（签字）："
DATE_LINE = "年　　月　　日"
CONTINUED = "表A.1(续)"
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
        return _build(application, version, form_data(application, version))


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

    return {
        "title": title,
        "area": area,
        "is_district": is_district,
        "version": version,
        "version_label": "草稿" if version == DRAFT_VERSION else f"第{version}版",
        "project_name": project_name,
        "cover": {
            "title": title,
            "rows": [("推荐单位", recommender), ("项目名称", project_name), ("填报单位（盖章）", unit_name)],
            "date_label": "填报日期",
            "organisers": programme.organiser_name_list,
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
        "team_columns": [label for _c, label in TEAM_COLUMNS],
        "team": team,
        "signoffs": [{"label": label, "opinion": _text(fields.get(f"{role}_opinion"))} for role, label in SIGNOFFS],
        "signature_label": SIGNATURE_LABEL,
        "date_line": DATE_LINE,
        "recommender_opinion": RECOMMENDER_OPINION,
        "seal": SEAL,
        "remarks": REMARKS,
    }


def render_html(context: dict) -> str:
    """The print HTML (its CSS is inline: WeasyPrint is not subject to the web pages' CSP)."""
    return render_to_string(TEMPLATE, context)


def section_headings(context: dict) -> list[str]:
    """The form's labels in print order (the tests check both files against it)."""
    district = context["is_district"]
    continued = [] if district else [CONTINUED]
    headings = []
    if district:
        headings += [row[0] for row in context["cover"]["rows"]] + [context["cover"]["date_label"],
                                                                   *context["cover"]["organisers"],
                                                                   context["cover"]["printed"],
                                                                   context["instructions_heading"]]
    headings += [context["title"], *([] if district else ["表 A.1"])]
    headings += ["项目名称", "项目类别", *HEADER_LABELS.values(), "项目先进水平"]
    headings += [label for label, _t in context["intro_sections"]] + ["项目投资（万元）", *continued]
    headings += [label for label, _t in context["quality_sections"]] + [EFFECT_HEADING]
    headings += [label for label, _t in context["effects"]]
    headings += [ECONOMIC_UNIT, *context["economic_columns"], *(row["label"] for row in context["economic_rows"])]
    headings += [*([TEAM_HEADING] if district else []), *context["team_columns"], *continued]
    for signoff in context["signoffs"]:
        headings += [signoff["label"], SIGNATURE_LABEL, DATE_LINE]
    if district:
        headings += [RECOMMENDER_OPINION, SEAL, DATE_LINE, REMARKS]
    else:
        headings += [INSTRUCTIONS_HEADING]
    return headings
