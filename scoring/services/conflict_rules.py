"""The automatic conflict-of-interest rules (回避, DB31/T 1368—2022 §5.2), as pure functions over
plain values so that they can be tested and run for a whole programme without a query per pair.

``Party`` is one applicant organisation (the applicant or a joint applicant); ``ExpertFacts`` what
the pool knows about an expert. ``match_rules`` yields ``(rule, reason)`` for every rule that fires.
Rule codes are stable: detection is idempotent per (expert, application, source, rule).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# Public mail providers: a shared domain there says nothing about an employer.
PUBLIC_MAIL_DOMAINS = frozenset({
    "qq.com", "vip.qq.com", "foxmail.com", "163.com", "vip.163.com", "126.com", "vip.126.com", "yeah.net",
    "188.com", "sina.com", "sina.cn", "vip.sina.com", "sohu.com", "vip.sohu.com", "139.com", "189.cn",
    "wo.cn", "21cn.com", "tom.com", "aliyun.com", "gmail.com", "googlemail.com", "outlook.com", "hotmail.com",
    "live.com", "live.cn", "msn.com", "icloud.com", "me.com", "mac.com", "yahoo.com", "yahoo.com.cn",
    "yandex.com", "protonmail.com", "proton.me", "mail.com", "aol.com", "gmx.com", "zoho.com",
})

RULE_CREDIT_CODE = "credit_code"
RULE_ORG_NAME = "org_name"
RULE_PAST_EMPLOYER = "past_employer"
RULE_GROUP_COMPANY = "group_company"
RULE_TEAM_MEMBER = "team_member"
RULE_EMAIL_DOMAIN = "email_domain"
RULE_APPLICANT_DECLARED = "applicant_declared"
AUTOMATIC_RULES = (RULE_CREDIT_CODE, RULE_ORG_NAME, RULE_PAST_EMPLOYER, RULE_GROUP_COMPANY, RULE_TEAM_MEMBER,
                   RULE_EMAIL_DOMAIN)

# Legal-form and group suffixes, stripped repeatedly from the end (longest first).
_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "总公司", "公司", "股份", "集团", "有限")
_NON_WORD = re.compile(r"[\W_]+")
_SHANGHAI_PREFIX = re.compile(r"^上海市?")
_MAIL_HOST = re.compile(r"^(mail|email|smtp|mx|webmail)\.(?=[^.]+\.[^.]+)")


def normalise_org_name(name: str) -> str:
    """A comparison key for an organisation name: full-width folded to half-width (NFKC), lower
    case, "(上海)" and a leading "上海/上海市" removed, spaces and punctuation removed, and the
    suffixes 有限公司/有限责任公司/股份有限公司/股份/集团/公司 stripped. Fewer than two characters
    left means "no key" (empty string): too short to say two names are the same.

    >>> normalise_org_name("精密机械（上海）有限公司") == normalise_org_name("上海精密机械股份有限公司")
    True
    """
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = text.replace("(上海)", "").replace("[上海]", "")
    text = _NON_WORD.sub("", text)
    text = _SHANGHAI_PREFIX.sub("", text)
    changed = True
    while changed and text:
        changed = False
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
                break
    return text if len(text) >= 2 else ""


def normalise_person_name(name: str) -> str:
    """Names compare without spaces or the middle dot of transliterated names, NFKC-folded."""
    return re.sub(r"[\s·•.]+", "", unicodedata.normalize("NFKC", name or "")).lower()


def email_domain(address: str) -> str:
    """The domain of an e-mail address, lower case, without a leading "mail."-style host label;
    '' for a public mail provider or no address."""
    _local, at, domain = (address or "").strip().lower().rpartition("@")
    domain = _MAIL_HOST.sub("", domain)
    if not at or not domain or domain in PUBLIC_MAIL_DOMAINS or "." not in domain:
        return ""
    return domain


def units_match(a: str, b: str) -> bool:
    key = normalise_org_name(a)
    return bool(key) and key == normalise_org_name(b)


def unit_within(unit: str, text: str) -> bool:
    """``unit`` names the organisation that ``text`` (e.g. "上海某某有限公司质量部") belongs to."""
    key, other = normalise_org_name(unit), normalise_org_name(text)
    if not key or not other:
        return False
    return key == other or (len(key) >= 4 and key in _NON_WORD.sub("", unicodedata.normalize("NFKC", text).lower()))


@dataclass(frozen=True)
class Party:
    """An applicant organisation: ``role`` is 申报单位 or 联合申报单位."""

    role: str
    names: tuple[str, ...]
    credit_code: str = ""
    email: str = ""
    group_company: str = ""
    group_company_id: int | None = None


@dataclass(frozen=True)
class ExpertFacts:
    name: str
    work_unit: str
    work_unit_credit_code: str = ""
    past_employers: tuple[str, ...] = ()
    email: str = ""
    # group company of the expert's own unit, if the unit is a known organisation in a group
    unit_group_company_ids: frozenset = field(default_factory=frozenset)


@dataclass(frozen=True)
class TeamRow:
    name: str
    work_unit: str = ""


@dataclass(frozen=True)
class DeclarationRow:
    expert_name: str = ""
    work_unit: str = ""
    reason: str = ""


def _party_keys(party: Party) -> set[str]:
    return {k for k in (normalise_org_name(n) for n in party.names) if k}


def match_rules(expert: ExpertFacts, parties: list[Party], team: list[TeamRow]):
    """Yields (rule, reason) for each automatic rule that fires, at most once per rule."""
    fired = {}
    unit_key = normalise_org_name(expert.work_unit)
    past = [(p, normalise_org_name(p)) for p in expert.past_employers]
    domain = email_domain(expert.email)
    for party in parties:
        label = f"{party.role}“{party.names[0]}”"
        keys = _party_keys(party)
        if expert.work_unit_credit_code and expert.work_unit_credit_code.upper() == party.credit_code.upper():
            fired.setdefault(RULE_CREDIT_CODE, _("专家工作单位与%(party)s统一社会信用代码相同") % {"party": label})
        if unit_key and unit_key in keys:
            fired.setdefault(RULE_ORG_NAME, _("专家工作单位“%(unit)s”与%(party)s为同一单位")
                             % {"unit": expert.work_unit, "party": label})
        for employer, key in past:
            if key and key in keys:
                fired.setdefault(RULE_PAST_EMPLOYER, _("专家曾任职于%(party)s（“%(employer)s”）")
                                 % {"party": label, "employer": employer})
        group_key = normalise_org_name(party.group_company)
        if group_key:
            own = [expert.work_unit, *expert.past_employers]
            if any(normalise_org_name(u) == group_key for u in own) or (
                party.group_company_id is not None and party.group_company_id in expert.unit_group_company_ids
            ):
                fired.setdefault(RULE_GROUP_COMPANY, _("专家工作单位或曾任职单位与%(party)s同属“%(group)s”")
                                 % {"party": label, "group": party.group_company})
        if domain and domain == email_domain(party.email):
            fired.setdefault(RULE_EMAIL_DOMAIN, _("专家邮箱与%(party)s邮箱同属域名 %(domain)s")
                             % {"party": label, "domain": domain})
    person = normalise_person_name(expert.name)
    for row in team:
        if not person or normalise_person_name(row.name) != person:
            continue
        own_units = [expert.work_unit, *expert.past_employers]
        if row.work_unit and any(unit_within(u, row.work_unit) for u in own_units if u):
            reason = _("专家本人列于攻关项目组成员（%(name)s，%(unit)s）") % {"name": row.name, "unit": row.work_unit}
        elif not row.work_unit or not expert.work_unit:
            reason = _("攻关项目组成员与专家同名（%(name)s），工作单位信息不足，按回避处理") % {"name": row.name}
        else:
            reason = _("攻关项目组成员与专家同名（%(name)s，%(unit)s），工作单位不同，请核实") % {
                "name": row.name, "unit": row.work_unit}
        fired.setdefault(RULE_TEAM_MEMBER, reason)
    yield from fired.items()


def match_declarations(expert: ExpertFacts, declarations: list[DeclarationRow]) -> list[str]:
    """Reasons of the applicant's declarations (申请回避) that name this expert: by name (and the
    unit, when given, matching the expert's unit or a past employer; a different unit is still
    recorded, as 同名), or by work unit alone."""
    reasons = []
    person = normalise_person_name(expert.name)
    own_units = [u for u in (expert.work_unit, *expert.past_employers) if u]
    for row in declarations:
        unit_hit = bool(row.work_unit) and any(units_match(row.work_unit, u) for u in own_units)
        name_hit = bool(row.expert_name) and normalise_person_name(row.expert_name) == person
        if name_hit and (unit_hit or not row.work_unit):
            who = " / ".join(p for p in (row.expert_name, row.work_unit) if p)
            what = _("申报单位申请回避：%(who)s") % {"who": who}
        elif name_hit:
            what = _("申报单位申请回避同名专家：%(name)s（所列单位“%(unit)s”与专家单位不同）") % {
                "name": row.expert_name, "unit": row.work_unit}
        elif unit_hit and not row.expert_name:
            what = _("申报单位申请回避单位：%(unit)s") % {"unit": row.work_unit}
        else:
            continue
        reasons.append(f"{what}；{row.reason}" if row.reason else what)
    return reasons
