"""The moves of the demo year (portal.demo_year), each through the domain service a person's click
would call, so every row the demo holds has its audit trail and its notifications."""

import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from applications.demo import form_data, team_rows
from applications.models import EvidenceKind
from applications.models.choices import AdvancementLevel
from applications.models.recommendation import ActualEffect, LeadingDegree
from applications.services import drafts, evidence, recommendation, submission
from portal.models import ProjectCategory, RecommendingUnit, User
from portal.services import audit
from scoring.models import CriterionKind, ExpertProfile
from scoring.services import assignment, conflicts, pledge, scores

VIA = "demo"
JIADING_BUREAU = "上海市嘉定区市场监督管理局"
NANXIANG = "嘉定区南翔镇"
SAIC = "上海汽车集团股份有限公司"

# Channel → (the recommending unit's name, the demo recommender who acts for it); "self": 自行申报.
CHANNELS = {"bureau": (JIADING_BUREAU, "jiading_bureau"), "street": (NANXIANG, "nanxiang"),
            "group": (SAIC, "saic_group")}


def user(username: str) -> User:
    return User.objects.get(username=username)


def pdf_file(name: str, text: str) -> SimpleUploadedFile:
    """A small valid one-page PDF (ASCII text), as an upload."""
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def pdf_bytes(text: str) -> bytes:
    """A small, valid one-page PDF (ASCII text) with a correct cross-reference table."""
    content = f"BT /F1 14 Tf 20 60 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 120] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


# --- registration ---------------------------------------------------------------------------------


def draft(applicant, programme, name: str, category: str, channel: str, *, seed: int, complete: bool = True,
          level: str = AdvancementLevel.LEADING):
    """create_draft + save_draft (the whole form, or only its first tabs) + the evidence a
    submission needs."""
    rng = random.Random(seed)
    org = applicant.membership.organisation
    unit = RecommendingUnit.objects.get(name=CHANNELS[channel][0]) if channel != "self" else None
    app = drafts.create_draft(applicant, programme, name, via=VIA)
    data = form_data(rng, programme, org, ProjectCategory.objects.get(code=category), name, unit, channel == "self",
                     level=level)
    if not complete:  # a half-filled form: the basic tab and the introduction
        keep = {"project_name", "category", "advancement_level", "recommender", "self_declared", "org_intro",
                "background"}
        data = {k: v for k, v in data.items() if k in keep}
        return drafts.save_draft(applicant, app, data=data, via=VIA)
    app = drafts.save_draft(applicant, app, data=data, team=team_rows(rng, org), via=VIA)
    evidence.add_evidence(applicant, app, pdf_file("signature-page.pdf", "Signature page"),
                          kind=EvidenceKind.SIGNATURE_PAGE, description="三位负责人签字并加盖公章", via=VIA)
    evidence.add_evidence(applicant, app, pdf_file("test-report.pdf", "Test report"), kind=EvidenceKind.TEST_REPORT,
                          description="第三方检测报告", via=VIA)
    evidence.add_evidence(applicant, app, pdf_file("calculation.pdf", "Calculation"), kind=EvidenceKind.CALCULATION,
                          description="经济效益计算说明", via=VIA)
    return app


def submitted(applicant, programme, name, category, channel, *, seed, level=AdvancementLevel.LEADING):
    app = draft(applicant, programme, name, category, channel, seed=seed, level=level)
    return submission.submit(applicant, app, via=VIA)


def endorse(app, *, street_only: bool = False):
    """The recommender's 推荐 (a street's, then its district bureau's unless ``street_only``)."""
    app.refresh_from_db()
    if app.recommender_id is None:  # self-declared: goes to the organiser as submitted
        return app
    actors = ["nanxiang", "jiading_bureau"] if app.recommender.name == NANXIANG else [
        CHANNELS["group" if app.recommender.name == SAIC else "bureau"][1]]
    leading = app.advancement_level == AdvancementLevel.LEADING
    for username in actors[:1] if street_only else actors:
        recommendation.endorse(
            user(username), app, opinion="经核实，项目成效属实，同意推荐。",
            actual_effect=ActualEffect.SIGNIFICANT if leading else ActualEffect.GOOD,
            leading_degree=LeadingDegree.DOMESTIC if leading else LeadingDegree.INDUSTRY,
            completion_date=app.completion_date, via=VIA)
        app.refresh_from_db()
    return app


# --- the expert pool and review ------------------------------------------------------------------


def expert_profile(admin, username: str, work_unit: str, title: str, categories: list[str]) -> ExpertProfile:
    """Enters an expert account in the pool (as the administrator does in the admin), once."""
    account = user(username)
    found = ExpertProfile.objects.filter(user=account).first()
    if found is not None:
        return found
    profile = ExpertProfile.objects.create(user=account, work_unit=work_unit, title=title)
    profile.expertise.set(ProjectCategory.objects.filter(code__in=categories))
    changes = audit.diff({}, {**audit.snapshot(profile), "name": account.full_name, "email": account.email})
    changes.pop("user", None)
    audit.record(admin, "expert.create", profile, changes=changes, via=VIA)
    conflicts.detect_conflicts(profile, actor=admin, via=VIA)
    return profile


def assign(admin, app, profiles):
    return [assignment.assign_expert(admin, app, p, via=VIA) for p in profiles]


def accept_pledge(username, programme):
    return pledge.accept_pledge(user(username), programme, via=VIA)


def _band_answer(criterion, strength: float, rng: random.Random) -> scores.ItemInput:
    """A normal criterion: points around the same place in its range for an application of
    ``strength`` (0–1), a little apart from expert to expert; the band that holds them."""
    bands = sorted(criterion.bands.all(), key=lambda b: b.min_points)
    low, high = bands[0].min_points, criterion.max_points
    points = max(low, min(high, round(low + strength * (high - low)) + rng.choice([-1, 0, 0, 1])))
    band = next((b for b in bands if b.min_points <= points <= b.max_points), bands[-1])
    points = max(band.min_points, min(band.max_points, points))
    comment = "材料翔实，成效明显。" if band is bands[-1] else "依据不足，成效有限。"
    return scores.ItemInput(criterion.pk, band_id=band.pk, points=Decimal(points), comment=comment)


def _no_bonus_answer(criterion, strength: float, rng: random.Random) -> scores.ItemInput:
    """A bonus criterion (加分项): the demo's experts award none."""
    return scores.ItemInput(criterion.pk, no_bonus=True)


# How the demo's experts answer each kind of criterion, keyed like scoring.services.scores.RULES and
# scoring.forms_scores.INPUTS: a new kind is one entry in each and one here.
ANSWERS = {CriterionKind.NORMAL: _band_answer, CriterionKind.BONUS: _no_bonus_answer}


def _items(rubric_criteria, strength: float, rng: random.Random, *, partial: bool = False):
    """A sheet for an application of ``strength`` (0–1); a draft (``partial``) stops after four items."""
    items = []
    for criterion in rubric_criteria:
        items.append(ANSWERS[criterion.kind](criterion, strength, rng))
        if partial and len(items) >= 4:
            break
    return items


def score(assignment_row, strength: float, *, seed: int, submit: bool = True):
    """The expert's sheet: submitted, or a draft of the first criteria only."""
    expert = assignment_row.expert.user
    _rubric, criteria = scores.programme_rubric(assignment_row.application.programme)
    rng = random.Random(seed)
    return scores.save_score(expert, assignment_row, items=_items(criteria, strength, rng, partial=not submit),
                             overall_comment="项目攻关成效显著，材料完整。" if submit else "",
                             lock_version=0, submit=submit, via=VIA)
