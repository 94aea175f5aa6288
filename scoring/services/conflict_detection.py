"""Loading what the automatic conflict rules need, in a fixed number of queries for any number of
applications and experts, and finding the (expert, application) pairs the rules fire for.

Indexes from comparison keys (credit code, normalised name, mail domain, person name) to experts
keep the work proportional to applications × parties, not applications × experts.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from applications.models import Application, ConflictDeclaration, TeamMember
from portal.models import Organisation
from scoring.models import ConflictSource, ExpertProfile

from .conflict_rules import (
    RULE_APPLICANT_DECLARED,
    DeclarationRow,
    ExpertFacts,
    Party,
    TeamRow,
    email_domain,
    match_declarations,
    match_rules,
    normalise_org_name,
    normalise_person_name,
)


@dataclass
class Finding:
    expert_id: int
    application_id: int
    source: str
    rule: str
    reason: str


def _group_index():
    """Known organisations in a group company: credit code / name key → group company id."""
    by_code, by_name = {}, {}
    rows = Organisation.objects.filter(group_company__isnull=False).values_list("credit_code", "name",
                                                                              "group_company_id")
    for code, name, group_id in rows:
        by_code[code.upper()] = group_id
        key = normalise_org_name(name)
        if key:
            by_name[key] = group_id
    return by_code, by_name


def expert_facts(experts) -> dict[int, ExpertFacts]:
    by_code, by_name = _group_index()
    facts = {}
    for e in experts:
        groups = set()
        if e.work_unit_credit_code and e.work_unit_credit_code.upper() in by_code:
            groups.add(by_code[e.work_unit_credit_code.upper()])
        for unit in (e.work_unit, *e.past_employer_list):
            key = normalise_org_name(unit)
            if key in by_name:
                groups.add(by_name[key])
        facts[e.pk] = ExpertFacts(
            name=e.user.display_name, work_unit=e.work_unit, work_unit_credit_code=e.work_unit_credit_code,
            past_employers=tuple(e.past_employer_list), email=e.user.email, unit_group_company_ids=frozenset(groups),
        )
    return facts


def application_parties(applications) -> dict[int, list[Party]]:
    """Applicant (snapshot and live names) and joint applicants of each application."""
    apps = list(applications.values("pk", "organisation_id", "organisation_snapshot"))
    joints = defaultdict(list)
    through = Application.joint_applicants.through
    for app_id, org_id in through.objects.filter(application_id__in=[a["pk"] for a in apps]).values_list(
            "application_id", "organisation_id"):
        joints[app_id].append(org_id)
    org_ids = {a["organisation_id"] for a in apps} | {o for ids in joints.values() for o in ids}
    orgs = {o["pk"]: o for o in Organisation.objects.filter(pk__in=org_ids).values(
        "pk", "name", "credit_code", "email", "group_company_id", "group_company__name")}

    def party(role, org, snapshot=None):
        snapshot = snapshot or {}
        names = tuple(dict.fromkeys(n for n in (snapshot.get("name"), org["name"]) if n))
        return Party(role=role, names=names, credit_code=snapshot.get("credit_code") or org["credit_code"],
                     email=snapshot.get("email") or org["email"], group_company=org["group_company__name"] or "",
                     group_company_id=org["group_company_id"])

    result = {}
    for a in apps:
        parties = [party(_("申报单位"), orgs[a["organisation_id"]], a["organisation_snapshot"])]
        parties += [party(_("联合申报单位"), orgs[o]) for o in joints[a["pk"]] if o in orgs]
        result[a["pk"]] = parties
    return result


class ExpertIndex:
    """Which experts a party, a team row or a declaration could concern."""

    def __init__(self, facts: dict[int, ExpertFacts]):
        self.facts = facts
        self.by_code, self.by_org, self.by_domain = defaultdict(set), defaultdict(set), defaultdict(set)
        self.by_group_id, self.by_person = defaultdict(set), defaultdict(set)
        for pk, f in facts.items():
            if f.work_unit_credit_code:
                self.by_code[f.work_unit_credit_code.upper()].add(pk)
            for unit in (f.work_unit, *f.past_employers):
                key = normalise_org_name(unit)
                if key:
                    self.by_org[key].add(pk)
            if email_domain(f.email):
                self.by_domain[email_domain(f.email)].add(pk)
            for group_id in f.unit_group_company_ids:
                self.by_group_id[group_id].add(pk)
            if normalise_person_name(f.name):
                self.by_person[normalise_person_name(f.name)].add(pk)

    def for_parties(self, parties: list[Party]) -> set[int]:
        found = set()
        for p in parties:
            found |= self.by_code.get(p.credit_code.upper(), set())
            for name in (*p.names, p.group_company):
                found |= self.by_org.get(normalise_org_name(name), set())
            found |= self.by_domain.get(email_domain(p.email), set())
            if p.group_company_id is not None:
                found |= self.by_group_id.get(p.group_company_id, set())
        return found

    def for_people(self, names) -> set[int]:
        found = set()
        for name in names:
            found |= self.by_person.get(normalise_person_name(name), set())
        return found

    def for_units(self, units) -> set[int]:
        found = set()
        for unit in units:
            found |= self.by_org.get(normalise_org_name(unit), set())
        return found


def find_conflicts(applications, experts) -> list[Finding]:
    """Every automatic and applicant-declared finding for these applications × experts."""
    facts = expert_facts(experts.select_related("user"))
    index = ExpertIndex(facts)
    parties = application_parties(applications)
    team, declarations = defaultdict(list), defaultdict(list)
    app_ids = list(parties)
    for row in TeamMember.objects.filter(application_id__in=app_ids).values("application_id", "name", "work_unit"):
        if row["name"]:
            team[row["application_id"]].append(TeamRow(row["name"], row["work_unit"]))
    for row in ConflictDeclaration.objects.filter(application_id__in=app_ids).values(
            "application_id", "expert_name", "work_unit", "reason"):
        declarations[row["application_id"]].append(
            DeclarationRow(row["expert_name"], row["work_unit"], row["reason"]))
    findings = []
    for app_id in sorted(app_ids):
        candidates = index.for_parties(parties[app_id]) | index.for_people(r.name for r in team[app_id])
        for expert_id in sorted(candidates):
            for rule, reason in match_rules(facts[expert_id], parties[app_id], team[app_id]):
                findings.append(Finding(expert_id, app_id, ConflictSource.AUTOMATIC, rule, reason))
        rows = declarations[app_id]
        declared = index.for_people(r.expert_name for r in rows if r.expert_name) | index.for_units(
            r.work_unit for r in rows if r.work_unit)
        for expert_id in sorted(declared):
            reasons = match_declarations(facts[expert_id], rows)
            if reasons:
                findings.append(Finding(expert_id, app_id, ConflictSource.APPLICANT, RULE_APPLICANT_DECLARED,
                                        "；".join(reasons)[:300]))
    return findings


def experts_in_scope():
    """Every expert in the pool (inactive ones too: they may still hold assignments)."""
    return ExpertProfile.objects.all()
