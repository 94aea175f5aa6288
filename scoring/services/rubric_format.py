"""The rubric file format (fixtures/rubrics/README.md): reading and checking, with no database.

``parse_rubric`` turns a YAML file, text or a dict into the canonical form below, or raises
InvalidRubric listing every fault it found, each naming where it is (Chinese, with a short English
gloss). ``scoring.services.rubrics`` writes only what passed.

Canonical form: {code, name, project_type, total_points, bonus_points, allows_half_points, source,
tie_break_sections: [section code], sections: [{code, name, points, note, criteria: [{code, name, description,
max_points, kind, bands: [{min, max, descriptor}], levels: [{value, label, description}]}]}]}
"""

from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from portal.models.programmes import ProjectType
from portal.services.errors import DomainError

RUBRIC_KEYS = {"code", "name", "project_type", "total_points", "bonus_points", "allows_half_points", "source",
               "tie_break_sections", "sections"}
SECTION_KEYS = {"code", "name", "points", "note", "criteria"}
CRITERION_KEYS = {"code", "name", "description", "max_points", "kind", "bands", "levels"}
BAND_KEYS = {"min", "max", "descriptor"}
LEVEL_KEYS = {"value", "label", "description"}
KINDS = ("normal", "bonus")


class InvalidRubric(DomainError):
    """The rubric was refused; ``faults`` lists every reason, ``str()`` joins them."""

    def __init__(self, faults: list[str]):
        self.faults = list(faults)
        super().__init__("\n".join(self.faults))


def band_label(low, high) -> str:
    return str(low) if low == high else f"{low}–{high}"


class _Checker:
    """Collects faults; small readers that fault and go on instead of stopping at the first."""

    def __init__(self, data):
        self.faults: list[str] = []
        code = data.get("code") if isinstance(data, dict) else None
        self.rubric = _("评分细则“%(code)s”") % {"code": code or "?"}

    def fault(self, template: str, **params):
        self.faults.append(template % params)

    def mapping(self, value, keys: set, required: tuple, where: str) -> dict | None:
        if not isinstance(value, dict):
            self.fault(_("%(where)s应为键值对，当前为“%(value)s” (expected a mapping)"), where=where, value=value)
            return None
        for key in sorted(set(value) - keys, key=str):
            self.fault(_("%(where)s含未知字段“%(key)s” (unknown field)"), where=where, key=key)
        for key in required:
            if value.get(key) in (None, ""):
                self.fault(_("%(where)s缺少字段“%(key)s” (missing field)"), where=where, key=key)
        return value

    def whole(self, value, where: str, field: str, *, positive=False) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < (1 if positive else 0):
            if value is not None:
                template = (_("%(where)s的“%(field)s”须为正整数，当前为“%(value)s” (must be a whole number > 0)")
                            if positive else
                            _("%(where)s的“%(field)s”须为非负整数，当前为“%(value)s” (must be a whole number ≥ 0)"))
                self.fault(template, where=where, field=field, value=value)
            return 0
        return value

    @staticmethod
    def text(value) -> str:
        return "" if value is None else str(value).strip()

    def items(self, value, where: str, what: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fault(_("%(where)s的“%(what)s”应为列表 (expected a list)"), where=where, what=what)
            return []
        return value


def load_data(source) -> dict:
    """A dict as is; a Path, a *.yaml path string, YAML text, bytes or an uploaded file read as YAML."""
    if isinstance(source, dict):
        return source
    try:
        if isinstance(source, Path):
            raw = source.read_text(encoding="utf-8")
        elif hasattr(source, "read"):
            raw = source.read()
        elif isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml")):
            raw = Path(source).read_text(encoding="utf-8")
        else:
            raw = source
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        data = yaml.safe_load(raw)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InvalidRubric([_("无法读取评分细则文件：%(error)s (not a readable YAML file)") % {"error": error}]) \
            from error
    if not isinstance(data, dict):
        raise InvalidRubric([_("评分细则文件的顶层应为键值对 (the file must hold one mapping)")])
    return data


def parse_rubric(source) -> dict:
    """The canonical form of a valid rubric, or InvalidRubric with every fault."""
    data = load_data(source)
    check = _Checker(data)
    R = check.rubric
    check.mapping(data, RUBRIC_KEYS, ("code", "name", "project_type", "total_points", "sections"), R)
    code = check.text(data.get("code"))
    if code and not all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in code):
        check.fault(_("%(where)s的代码只能包含字母、数字、下划线和连字符 (invalid code)"), where=R)
    project_type = check.text(data.get("project_type"))
    if project_type and project_type not in ProjectType.values:
        check.fault(_("%(where)s的项目类型“%(value)s”无效，可选：%(choices)s (unknown project type)"),
                    where=R, value=project_type, choices="、".join(ProjectType.values))
    rubric = {
        "code": code,
        "name": check.text(data.get("name")),
        "project_type": project_type,
        "total_points": check.whole(data.get("total_points"), R, "total_points", positive=True),
        "bonus_points": check.whole(data.get("bonus_points", 0), R, "bonus_points"),
        "allows_half_points": data.get("allows_half_points", False),
        "source": check.text(data.get("source")),
        "sections": [],
    }
    if not isinstance(rubric["allows_half_points"], bool):
        check.fault(_("%(where)s的“allows_half_points”须为 true 或 false (must be true or false)"), where=R)
    sections = check.items(data.get("sections"), R, "sections")
    if not sections and "sections" in data:
        check.fault(_("%(where)s没有评价要点 (no sections)"), where=R)
    section_codes, criterion_codes = set(), set()
    for raw_section in sections:
        section = _section(check, raw_section, section_codes, criterion_codes)
        if section is not None:
            rubric["sections"].append(section)
    _totals(check, rubric)
    rubric["tie_break_sections"] = _tie_break(check, data.get("tie_break_sections"), rubric["sections"])
    if check.faults:
        raise InvalidRubric(check.faults)
    return rubric


def _section(check: _Checker, raw, section_codes: set, criterion_codes: set) -> dict | None:
    code = check.text(raw.get("code")) if isinstance(raw, dict) else "?"
    name = check.text(raw.get("name")) if isinstance(raw, dict) else ""
    S = _("%(rubric)s第%(code)s部分“%(name)s”") % {"rubric": check.rubric, "code": code, "name": name}
    if check.mapping(raw, SECTION_KEYS, ("code", "name", "points", "criteria"), S) is None:
        return None
    if code in section_codes:
        check.fault(_("%(where)s的部分序号“%(code)s”重复 (duplicate section code)"), where=check.rubric, code=code)
    section_codes.add(code)
    section = {
        "code": code,
        "name": name,
        "points": check.whole(raw.get("points"), S, "points", positive=True),
        "note": check.text(raw.get("note")),
        "criteria": [],
    }
    for raw_criterion in check.items(raw.get("criteria"), S, "criteria"):
        criterion = _criterion(check, raw_criterion, criterion_codes)
        if criterion is not None:
            section["criteria"].append(criterion)
    total = sum(c["max_points"] for c in section["criteria"])
    if not section["criteria"]:
        check.fault(_("%(where)s没有评价内容 (no criteria)"), where=S)
    elif len({c["kind"] for c in section["criteria"]}) > 1:
        check.fault(_("%(where)s同时含评分项和加分项 (mix of normal and bonus criteria)"), where=S)
    elif total != section["points"]:
        check.fault(_("%(where)s各项满分合计 %(total)s 分，与该部分分值 %(points)s 分不符 "
                      "(criteria do not add up to the section)"), where=S, total=total, points=section["points"])
    return section


def _criterion(check: _Checker, raw, codes: set) -> dict | None:
    code = check.text(raw.get("code")) if isinstance(raw, dict) else "?"
    C = _("%(rubric)s第%(code)s项") % {"rubric": check.rubric, "code": code}
    if check.mapping(raw, CRITERION_KEYS, ("code", "name", "max_points"), C) is None:
        return None
    if code in codes:
        check.fault(_("%(where)s的评价内容编号“%(code)s”重复 (duplicate criterion code)"),
                    where=check.rubric, code=code)
    codes.add(code)
    kind = check.text(raw.get("kind")) or "normal"
    if kind not in KINDS:
        check.fault(_("%(where)s的类型“%(kind)s”无效，可选 normal 或 bonus (unknown kind)"), where=C, kind=kind)
    criterion = {
        "code": code,
        "name": check.text(raw.get("name")),
        "description": check.text(raw.get("description")),
        "max_points": check.whole(raw.get("max_points"), C, "max_points", positive=True),
        "kind": kind,
        "bands": [],
        "levels": [],
    }
    if kind == "bonus":
        if raw.get("bands"):
            check.fault(_("%(where)s是加分项，应使用加分等级而非分档 (bonus criteria use levels, not bands)"), where=C)
        criterion["levels"] = _levels(check, C, criterion["max_points"], check.items(raw.get("levels"), C, "levels"))
    else:
        if raw.get("levels"):
            check.fault(_("%(where)s是评分项，不能设加分等级 (levels belong to bonus criteria)"), where=C)
        criterion["bands"] = _bands(check, C, criterion["max_points"], check.items(raw.get("bands"), C, "bands"))
    return criterion


def _bands(check: _Checker, C: str, maximum: int, raw_bands: list) -> list[dict]:
    where = _("%(criterion)s的分档") % {"criterion": C}
    bands = []
    for raw in raw_bands:
        if check.mapping(raw, BAND_KEYS, ("min", "max", "descriptor"), where) is None:
            continue
        band = {
            "min": check.whole(raw.get("min"), where, "min"),
            "max": check.whole(raw.get("max"), where, "max"),
            "descriptor": check.text(raw.get("descriptor")),
        }
        if band["min"] > band["max"]:
            check.fault(_("%(where)s的分档 %(low)s–%(high)s 下限大于上限 (band minimum above its maximum)"),
                        where=C, low=band["min"], high=band["max"])
        elif band["max"] > maximum:
            check.fault(_("%(where)s的分档 %(band)s 超出该项满分 %(max)s 分 (band above the criterion's maximum)"),
                        where=C, band=band_label(band["min"], band["max"]), max=maximum)
        bands.append(band)
    if not bands:
        check.fault(_("%(where)s没有分档 (no bands)"), where=C)
        return bands
    ordered = sorted((b for b in bands if b["min"] <= b["max"]), key=lambda b: (b["min"], b["max"]))
    for lower, upper in zip(ordered, ordered[1:], strict=False):
        if upper["min"] <= lower["max"]:
            check.fault(_("%(where)s的分档 %(a)s 与 %(b)s 重叠 (bands overlap)"), where=C,
                        a=band_label(lower["min"], lower["max"]), b=band_label(upper["min"], upper["max"]))
    highest = max(bands, key=lambda b: b["max"])
    if highest["max"] < maximum:
        check.fault(_("%(where)s的最高分档为 %(band)s，未达到该项满分 %(max)s 分 "
                      "(top band does not reach the maximum)"),
                    where=C, band=band_label(highest["min"], highest["max"]), max=maximum)
    return bands


def _levels(check: _Checker, C: str, maximum: int, raw_levels: list) -> list[dict]:
    where = _("%(criterion)s的加分等级") % {"criterion": C}
    levels, values, labels = [], set(), set()
    for raw in raw_levels:
        if check.mapping(raw, LEVEL_KEYS, ("value", "label"), where) is None:
            continue
        level = {
            "value": check.whole(raw.get("value"), where, "value"),
            "label": check.text(raw.get("label")),
            "description": check.text(raw.get("description")),
        }
        if level["value"] > maximum:
            check.fault(_("%(where)s“%(label)s” %(value)s 分超出该项满分 %(max)s 分 "
                          "(level above the criterion's maximum)"),
                        where=where, label=level["label"], value=level["value"], max=maximum)
        if level["value"] in values:
            check.fault(_("%(where)s分值 %(value)s 重复 (duplicate level value)"), where=where, value=level["value"])
        if level["label"] in labels:
            check.fault(_("%(where)s“%(label)s”重复 (duplicate level label)"), where=where, label=level["label"])
        values.add(level["value"])
        labels.add(level["label"])
        levels.append(level)
    if not levels:
        check.fault(_("%(where)s没有加分等级 (no bonus levels)"), where=C)
    elif max(values) < maximum:
        check.fault(_("%(where)s最高为 %(value)s 分，未达到该项满分 %(max)s 分 (top level does not reach the maximum)"),
                    where=where, value=max(values), max=maximum)
    return sorted(levels, key=lambda level: -level["value"])  # as stored and shown: highest first


def _tie_break(check: _Checker, raw, sections: list[dict]) -> list[str]:
    """Section codes, in order, whose subtotals break ties in the ranking; each an existing section, once."""
    codes = [check.text(code) for code in check.items(raw, check.rubric, "tie_break_sections")]
    known = {s["code"] for s in sections}
    for code in codes:
        if code not in known:
            check.fault(_("%(where)s的同分比较部分“%(code)s”不是该评分细则的部分序号 (tie_break_sections: unknown "
                          "section)"), where=check.rubric, code=code)
    if len(set(codes)) < len(codes):
        check.fault(_("%(where)s的同分比较部分有重复 (tie_break_sections: a section listed twice)"), where=check.rubric)
    return codes


def _totals(check: _Checker, rubric: dict):
    def is_bonus(section):
        return bool(section["criteria"]) and all(c["kind"] == "bonus" for c in section["criteria"])

    normal = sum(s["points"] for s in rubric["sections"] if not is_bonus(s))
    bonus = sum(s["points"] for s in rubric["sections"] if is_bonus(s))
    if rubric["sections"] and normal != rubric["total_points"]:
        check.fault(_("%(where)s各部分分值合计 %(sum)s 分，与总分 %(total)s 分不符 "
                      "(sections do not add up to the total)"),
                    where=check.rubric, sum=normal, total=rubric["total_points"])
    if bonus != rubric["bonus_points"]:
        check.fault(_("%(where)s加分项合计 %(sum)s 分，与加分 %(bonus)s 分不符 "
                      "(bonus sections do not add up to the bonus points)"),
                    where=check.rubric, sum=bonus, bonus=rubric["bonus_points"])
