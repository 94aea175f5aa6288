"""The bad-input suite (issue 11, "Proof"): every text field of every form gets the malicious corpus
(tests/fixtures/malicious_inputs.yaml: formula starts, control characters, 10,000-character text,
emoji, RTL marks, HTML/JS), and every date field impossible dates. Each input is either refused with
a clear (Chinese) message or accepted safely (normalised: no control character left, within the
length). Then the text goes in through the pages themselves, every page that shows it is checked
for escaping, and every file that shows it (PDF, Word, XLSX, CSV) is generated and checked.

The figures (inputs tried, refused with a message, accepted safely) are printed in the test output.
"""

import datetime
import importlib
import pkgutil
import re
from collections import Counter

import pytest
from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Application
from portal.form_text import CleanInputMixin, is_password
from portal.models import Organisation, Programme
from portal.models.users import Role
from portal.text import clean_text
from tests.factories import (
    MINIMAL_PDF,
    EvidenceFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    b1_programme,
    complete_application,
)
from tests.fixtures import assert_csv_neutralised, assert_no_formulas, malicious_inputs

CORPUS = malicious_inputs()
BAD_DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"]
# What may remain in accepted text: TAB and LF; never another C0/C1 control, a CR or a bidi override.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CJK = re.compile("[\u4e00-\u9fff]")
RAW_HTML = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>")
APPS = ("portal", "applications", "scoring", "awards")
# Forms in files this work does not own; their owners add CleanInputMixin (see the closing note).
PENDING_ELSEWHERE = {"scoring.admin.ExpertProfileForm"}

SKIP_MODULES = {"migrations", "management", "settings", "wsgi", "asgi"}  # no forms; settings modules refuse to load
FIGURES = Counter()


def _report(capsys, title):
    with capsys.disabled():
        print(f"\n[bad input] {title}: " + ", ".join(f"{k} {v}" for k, v in sorted(FIGURES.items())))


# --- every form of the project normalises ---------------------------------------------------------


def project_form_classes() -> list[type]:
    for label in APPS:
        package = importlib.import_module(label)
        for info in pkgutil.walk_packages(package.__path__, f"{label}."):
            if not SKIP_MODULES.intersection(info.name.split(".")):
                importlib.import_module(info.name)
    found, stack = set(), [forms.BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                found.add(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_every_form_of_the_project_normalises_text_and_checks_dates():
    classes = project_form_classes()
    assert len(classes) > 40
    missing = {f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, CleanInputMixin)}
    assert missing <= PENDING_ELSEWHERE, f"forms without CleanInputMixin (portal.form_text): {sorted(missing)}"


def test_admin_forms_normalise_once_their_base_is_clean_model_form(capsys):
    """The admin's forms are made by ModelAdmin.get_form from ``ModelAdmin.form``: with
    ``AuditedAdmin.form = CleanModelForm`` (portal/admin.py, another owner) every one normalises.
    Here: a form made the admin's way from CleanModelForm does; the admins still lacking it are printed."""
    from django.forms import modelform_factory

    from portal.form_text import CleanModelForm

    form_class = modelform_factory(Organisation, form=CleanModelForm, fields=["name", "address"])
    form = form_class({"name": "甲\x0b乙\x07", "address": "上海\r\n嘉定"})
    form.is_valid()
    assert form.cleaned_data["name"] == "甲\n乙" and form.cleaned_data["address"] == "上海\n嘉定"
    lacking = sorted(type(a).__name__ for m, a in admin.site._registry.items()
                     if m._meta.app_label in APPS and not issubclass(a.form, CleanInputMixin))
    with capsys.disabled():
        print(f"\n[bad input] admin pages whose form lacks CleanModelForm: {len(lacking)} {lacking}")


# --- the form matrix: every text field × the corpus, every date field × impossible dates ----------


def _data_of(form) -> dict:
    """What the browser would post back for an unbound form: each field's initial value as text."""
    data = {}
    for bf in form:
        value = bf.value()
        if value is None or value is False:
            continue
        if value is True:
            data[bf.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bf.html_name] = [str(v) for v in value]
        elif isinstance(value, (datetime.date, datetime.time)):
            data[bf.html_name] = value.isoformat()[:5] if isinstance(value, datetime.time) else value.isoformat()
        else:
            data[bf.html_name] = str(value)
    return data


@pytest.fixture
def world(db, organiser, administrator):
    """Enough of a programme for every form to be built and validly filled in."""
    from scoring.models import Criterion, ExpertProfile

    programme = b1_programme(organiser=organiser)
    app = complete_application(programme=programme)
    open_programme = ProgrammeFactory()
    expert = ExpertProfile.objects.create(user=UserFactory(role=Role.EXPERT), work_unit="上海测试研究院")
    criteria = list(Criterion.objects.filter(section__rubric__programme_links__programme=programme)
                    .select_related("section").prefetch_related("bands", "bonus_levels").order_by("pk"))
    return {"programme": programme, "app": app, "open": open_programme, "expert": expert, "criteria": criteria}


def builders(w) -> dict:
    """Form class → (kwargs, data to add to the form's initial values, files)."""
    from applications import forms as a
    from applications import forms_duplicates as duplicates
    from applications import forms_recommendation as r
    from applications.views import unit
    from awards import forms as aw
    from portal import forms as p
    from scoring import forms as s
    from scoring import forms_defence as d
    from scoring import forms_scores as sc
    from scoring import review_forms as rv

    org = w["app"].organisation
    apps = Application.objects.filter(programme=w["programme"])
    today = timezone.localdate().isoformat()
    org_data = {"name": "上海测试单位", "legal_representative": "陈立新", "ownership": org.ownership, "size": org.size,
                "industry": "制造业", "address": "上海市", "phone": "021-1", "contact_person": "张三",
                "mobile": "13800000000", "email": "a@example.cn", "district": str(org.district_id)}
    section = {"instance": w["app"]}
    return {
        p.OrganisationForm: ({}, org_data, None),
        p.RegistrationForm: ({}, {"username": "newcomer", "full_name": "张三", "email": "new@example.cn",
                                  "phone": "13800000000", "password1": "Pass-for-tests-2026!",
                                  "password2": "Pass-for-tests-2026!", "credit_code": org.credit_code}, None),
        p.AuditFilterForm: ({}, {}, None),
        a.BasicForm: (section, {}, None), a.IntroForm: (section, {}, None), a.QualityForm: (section, {}, None),
        a.EffectForm: (section, {}, None), a.SignoffForm: (section, {}, None),
        a.TeamMemberForm: ({}, {}, None), a.ConflictForm: ({}, {}, None),
        a.NewApplicationForm: ({"programmes": Programme.objects.filter(pk=w["open"].pk)},
                               {"programme": str(w["open"].pk), "project_name": "新项目"}, None),
        a.EvidenceForm: ({}, {"kind": "calculation"},
                         lambda: {"file": SimpleUploadedFile("a.pdf", MINIMAL_PDF, "application/pdf")}),
        a.ReturnForm: ({}, {}, None),
        r.EndorseForm: ({}, {"opinion": "同意推荐。", "actual_effect": "significant", "leading_degree": "domestic",
                             "completion_date": "2025-06-30"}, None),
        r.DeclineForm: ({}, {"reason": "不符合条件。"}, None),
        r.RecommenderReturnForm: ({}, {"comment": "请补充。"}, None),
        r.ReturnToStreetForm: ({}, {"comment": "请复核。"}, None),
        r.WorkspaceFilterForm: ({}, {}, None),
        unit.UnitContactForm: ({}, {}, None),
        duplicates.DismissDuplicateForm: ({}, {"reason": "两个项目的产品不同。"}, None),
        s.ExpertFilterForm: ({}, {}, None),
        sc.ScoreForm: ({"criteria": w["criteria"]}, {"lock_version": "0"}, None),
        sc.ReopenForm: ({}, {"reason": "请复核。"}, None),
        d.DefenceSessionForm: ({"programme": w["programme"]}, {"title": "第一场", "date": today, "start_time": "09:00",
                                                               "end_time": "12:00", "default_minutes": "20"}, None),
        rv.ReasonForm: ({}, {"reason": "理由"}, None),
        rv.DeclareUnitForm: ({}, {"unit_name": "上海某单位", "reason": "曾任职"}, None),
        rv.ConflictFilterForm: ({}, {}, None),
        rv.ConflictAddForm: ({"applications": apps}, {"expert": str(w["expert"].pk),
                                                     "application": str(w["app"].pk), "reason": "理由"}, None),
        rv.ReassignForm: ({}, {"expert": str(w["expert"].pk), "reason": "理由"}, None),
        rv.PanelForm: ({}, {"name": "第一组"}, None),
        aw.ReasonForm: ({}, {"reason": "理由"}, None),
        aw.OverrideForm: ({}, {"reason": "理由", "tier": "first"}, None),
        aw.PublicFilterForm: ({"years": [2024], "categories": ["高端装备"]}, {}, None),
    }


def _build(cls, kwargs, extra, files, data=None):
    base = _data_of(cls(**kwargs)) | extra
    return cls(data=base if data is None else data, files=files() if files else None, **kwargs), base


def _text_fields(form) -> list[str]:
    return [name for name, field in form.fields.items() if isinstance(field, forms.CharField)
            and not is_password(field) and not field.disabled and not isinstance(field.widget, forms.HiddenInput)]


def _date_fields(form) -> list[str]:
    return [name for name, field in form.fields.items() if isinstance(field, forms.DateField) and not field.disabled]


def _clear(messages) -> bool:
    return bool(messages) and all(CJK.search(str(m)) for m in messages)


def _check(form, name, value, kind):
    """Validates one input; counts it and fails unless refused clearly or accepted safely."""
    FIGURES["tried"] += 1
    form.is_valid()
    if name in form.errors:
        assert _clear(form.errors[name]), f"{type(form).__name__}.{name} ← {value[:30]!r}: {form.errors[name]}"
        FIGURES["refused with a clear message"] += 1
        return False
    assert kind == "text", f"{type(form).__name__}.{name} accepted the date {value}"
    cleaned = form.cleaned_data[name]
    text = "\n".join(str(v) for v in cleaned) if isinstance(cleaned, (list, tuple)) else str(cleaned or "")
    assert not CONTROL.search(text), f"{type(form).__name__}.{name} kept a control character: {text[:30]!r}"
    limit = form.fields[name].max_length
    assert limit is None or len(text) <= limit
    FIGURES["accepted safely"] += 1
    return True


def test_every_text_and_date_field_of_every_form_takes_the_corpus(world, capsys):
    table = builders(world)
    covered = set(table)
    # The admin's own forms (portal/admin.py …) are held to CleanInputMixin above; the matrix takes the site's.
    with_text = [c for c in project_form_classes() if c not in covered and issubclass(c, CleanInputMixin)
                 and not c.__module__.endswith(".admin")
                 and any(isinstance(f, (forms.CharField, forms.DateField)) for f in c.base_fields.values())]
    assert not with_text, f"add these forms to builders(): {with_text}"
    FIGURES.clear()
    fields = 0
    with translation.override("zh-hans"):
        for cls, (kwargs, extra, files) in table.items():
            form, base = _build(cls, kwargs, extra, files)
            assert form.is_valid(), f"{cls.__name__} base data: {form.errors.as_data()}"
            for name in _text_fields(form):
                fields += 1
                for _label, value in CORPUS:
                    _check(_build(cls, kwargs, extra, files, base | {form[name].html_name: value})[0], name, value,
                           "text")
            for name in _date_fields(form):
                fields += 1
                for value in BAD_DATES:
                    _check(_build(cls, kwargs, extra, files, base | {form[name].html_name: value})[0], name, value,
                           "date")
    FIGURES["fields"] = fields
    _report(capsys, "forms")
    assert FIGURES["tried"] == FIGURES["refused with a clear message"] + FIGURES["accepted safely"]
    assert fields > 80


def test_a_line_break_counts_as_one_character_in_the_length_check(world):
    from applications.forms import IntroForm

    # 2,988 characters and 12 line breaks, as a browser sends them (\r\n): 3,012 raw, 3,000 as typed.
    text = "\r\n".join(["质" * 230] * 12 + ["质" * 228])
    assert len(text) == 3012 and len(text.replace("\r\n", "\n")) == 3000
    base = _data_of(IntroForm(instance=world["app"]))
    form = IntroForm(base | {"background": text}, instance=world["app"])
    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["background"]) == 3000 and "\r" not in form.cleaned_data["background"]
    too_long = IntroForm(base | {"background": text + "质"}, instance=world["app"])
    assert not too_long.is_valid() and "background" in too_long.errors


def test_word_line_breaks_and_control_characters_are_normalised_at_input(world):
    from applications.forms import IntroForm

    form = IntroForm(_data_of(IntroForm(instance=world["app"])) | {"org_intro": "甲\x0b乙\r\n丙\x07丁\x00\t戊"},
                     instance=world["app"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["org_intro"] == "甲\n乙\n丙丁\t戊"
    form = IntroForm(_data_of(IntroForm(instance=world["app"])) | {"org_intro": "\u202egpj.exe\u202c 项目\u200f"},
                     instance=world["app"])
    assert form.is_valid() and form.cleaned_data["org_intro"] == "gpj.exe 项目\u200f"  # the override is gone


@pytest.mark.parametrize("value", BAD_DATES)
def test_impossible_dates_are_refused_with_a_clear_message(world, value):
    from applications.forms import BasicForm
    from applications.forms_recommendation import EndorseForm

    base = _data_of(BasicForm(instance=world["app"]))
    form = BasicForm(base | {"completion_date": value}, instance=world["app"])
    with translation.override("zh-hans"):
        assert not form.is_valid()
        assert "1900-01-01" in str(form.errors["completion_date"]) and "日期" in str(form.errors["completion_date"])
    endorse = EndorseForm({"opinion": "同意", "actual_effect": "significant", "leading_degree": "domestic",
                           "completion_date": value})
    assert not endorse.is_valid() and "completion_date" in endorse.errors


def test_a_completion_or_signing_date_in_the_future_is_refused(world):
    from applications.forms import BasicForm, SignoffForm

    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    basic = BasicForm(_data_of(BasicForm(instance=world["app"])) | {"completion_date": tomorrow}, instance=world["app"])
    signoff = SignoffForm(_data_of(SignoffForm(instance=world["app"])) | {"unit_head_date": tomorrow},
                          instance=world["app"])
    assert not basic.is_valid() and "completion_date" in basic.errors
    assert not signoff.is_valid() and "unit_head_date" in signoff.errors
    ok = BasicForm(_data_of(BasicForm(instance=world["app"])) | {"completion_date": timezone.localdate().isoformat()},
                   instance=world["app"])
    assert ok.is_valid(), ok.errors


# --- through the pages: the text goes in, every page and file that shows it is checked -----------


def _escaped(response) -> str:
    body = response.content.decode()
    for raw in RAW_HTML:
        assert raw not in body, f"{response.request['PATH_INFO']} shows raw HTML {raw}"
    return body


def _table_a1_post(app, values: dict, team: list[dict], conflicts: list[dict]) -> dict:
    from applications.views.context import build_forms

    sections, _team, _conflicts = build_forms(app, readonly=False)
    data = {}
    for form in sections:
        data |= _data_of(form)
    data |= values
    for prefix, rows in (("team", team), ("conflicts", conflicts)):
        data |= {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
                 f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
        for i, row in enumerate(rows):
            data |= {f"{prefix}-{i}-{k}": v for k, v in row.items()}
            if prefix == "team":
                data[f"{prefix}-{i}-ORDER"] = str(i + 1)
    data["lock_version"] = str(app.lock_version)
    return data


def _fit(field, value: str) -> str:
    """What a person does after the refusal: shortens the text, fills in a required name."""
    text = clean_text(value).strip()
    if field.max_length:
        text = text[:field.max_length].strip()
    return text or ("项目" if field.required else "")


def test_table_a1_takes_the_corpus_through_the_page_and_every_page_and_file_shows_it_safely(
        client, organiser, administrator, capsys, django_capture_on_commit_callbacks):
    from applications.annex2.pdf import build_pdf
    from applications.annex2.rows import table_for
    from applications.annex2.xlsx import build_xlsx
    from applications.documents.service import render_documents
    from applications.forms import ConflictForm, TeamMemberForm
    from applications.models.documents import DRAFT_VERSION
    from applications.views.context import build_forms
    from portal import jobs
    from portal.models import AuditEntry, JobStatus
    from tests.applications.test_recommendation_helpers import district_setup, submitted

    FIGURES.clear()
    programme, bureau, street, bureau_user, street_user = district_setup()
    programme.organiser = administrator.organiser
    programme.save()
    # Registration through its page: the organisation's name is the hyperlink formula with a Word line break.
    org = OrganisationFactory.build()
    page = client.post(reverse("register"), {
        "username": "attacker", "full_name": "=1+1\x0b<script>alert(1)</script>", "email": "attacker@example.cn",
        "phone": "13800000000", "password1": "Pass-for-tests-2026!", "password2": "Pass-for-tests-2026!",
        "credit_code": org.credit_code, "org-name": '=HYPERLINK("http://x","点我")\x07',
        "org-legal_representative": "<img src=x onerror=alert(1)>", "org-ownership": org.ownership,
        "org-size": org.size, "org-industry": "制造业\r\n", "org-address": "上海", "org-phone": "021-1",
        "org-contact_person": "\u202e张三", "org-mobile": "13800000000", "org-email": "o@example.cn",
        "org-district": str(street.district_id),
    })
    assert page.status_code == 302, page.content.decode()[:2000]
    organisation = Organisation.objects.get(credit_code=org.credit_code)
    assert organisation.name == '=HYPERLINK("http://x","点我")'
    applicant = organisation.memberships.get().user
    app = complete_application(programme=programme, recommender=street, organisation=organisation,
                               project_name="项目")
    sections, _t, _c = build_forms(app, readonly=False)
    fields = {name: f.fields[name] for f in sections for name in _text_fields(f) if name != "joint_applicant_codes"}
    columns = [("team", name, TeamMemberForm.base_fields[name]) for name in ("name", "title", "work_unit")] + [
        ("conflicts", name, ConflictForm.base_fields[name]) for name in ConflictForm.base_fields]

    for shift in range(len(CORPUS)):
        def value(i, shift=shift):
            return CORPUS[(i + shift) % len(CORPUS)][1]

        values = {name: value(i) for i, name in enumerate(fields)}
        team = [{name: value(i + 7) for i, (_p, name, _f) in enumerate(columns) if _p == "team"} | {"gender": "male"}]
        conflicts = [{name: value(i + 11) for i, (_p, name, _f) in enumerate(columns) if _p == "conflicts"}]
        app.refresh_from_db()
        client.force_login(applicant)
        response = client.post(reverse("applications:edit", args=[app.pk]), _table_a1_post(app, values, team,
                                                                                              conflicts))
        FIGURES["page saves tried"] += 1
        if response.status_code == 400:
            body = _escaped(response)
            assert "有内容填写有误" in body  # the page says what is wrong, field by field
            FIGURES["page saves refused with a message"] += 1
            values = {name: _fit(fields[name], v) for name, v in values.items()}
            team = [{k: _fit(TeamMemberForm.base_fields[k], v) if k != "gender" else v for k, v in team[0].items()}]
            conflicts = [{k: _fit(ConflictForm.base_fields[k], v) for k, v in conflicts[0].items()}]
            app.refresh_from_db()
            response = client.post(reverse("applications:edit", args=[app.pk]),
                                   _table_a1_post(app, values, team, conflicts))
        assert response.status_code == 302, response.content.decode()[:3000]
        FIGURES["page saves accepted"] += 1
        app.refresh_from_db()
        stored = [getattr(app, name) or "" for name in fields] + [
            getattr(row, c) for row in [*app.team_members.all(), *app.conflicts.all()] for c in row.COLUMNS]
        assert not any(CONTROL.search(str(v)) for v in stored)
        _escaped(client.get(reverse("applications:edit", args=[app.pk])))

    # The background save (autosave) of the same page: each corpus value in one narrative.
    for _label, text in CORPUS:
        app.refresh_from_db()
        response = client.post(reverse("applications:autosave", args=[app.pk]),
                               {"background": text, "lock_version": str(app.lock_version)})
        FIGURES["autosaves tried"] += 1
        answer = response.json()
        app.refresh_from_db()
        if response.status_code == 200 and not answer.get("errors"):
            assert app.background == clean_text(text).strip()
            FIGURES["autosaves accepted safely"] += 1
        else:
            messages = [m for field_errors in answer.get("errors", {}).values() for m in field_errors]
            assert _clear(messages), answer
            FIGURES["autosaves refused with a clear message"] += 1
        assert not CONTROL.search(app.background)

    # The project that goes on: a formula as its name, the corpus in its narratives.
    values = {name: _fit(fields[name], CORPUS[i % len(CORPUS)][1]) or "王工" for i, name in enumerate(fields)}
    values["project_name"] = '=HYPERLINK("http://x","点我")'
    member = {"name": "=1+1", "gender": "male", "title": "<script>alert(1)</script>", "education": "bachelor",
              "work_unit": "@SUM(A1)\x0b质量部"}
    app.refresh_from_db()
    assert client.post(reverse("applications:edit", args=[app.pk]),
                       _table_a1_post(app, values, [member], [])).status_code == 302
    for url in (reverse("applications:list"), reverse("applications:edit", args=[app.pk]),
                reverse("applications:checklist", args=[app.pk]), reverse("dashboard")):
        assert client.get(url).status_code == 200
        _escaped(client.get(url))
    FIGURES["pages checked"] += 4
    pdf, docx = render_documents(Application.objects.get(pk=app.pk), DRAFT_VERSION)
    assert pdf.startswith(b"%PDF") and docx.startswith(b"PK")
    FIGURES["files checked"] += 2

    # The street and the bureau endorse through their pages with opinions from the corpus.
    from applications.services.completeness import completeness_check

    EvidenceFactory(application=app, kind="calculation", original_name="经济效益计算说明.pdf")
    missing = completeness_check(Application.objects.get(pk=app.pk))
    assert not missing, missing
    app = submitted(Application.objects.get(pk=app.pk))
    for user in (street_user, bureau_user):
        client.force_login(user)
        opinion = "=1+1\r\n<script>alert(1)</script>\x0b" + "质" * 400
        response = client.post(reverse("applications:endorse", args=[app.pk]), {
            "opinion": opinion, "actual_effect": "significant", "leading_degree": "domestic",
            "completion_date": "2025-06-30"})
        assert response.status_code == 302
        for url in (reverse("applications:recommend_workspace"), reverse("applications:review", args=[app.pk]),
                    reverse("applications:recommend_ranking", args=[programme.pk])):
            _escaped(client.get(url))
            FIGURES["pages checked"] += 1
    tables = [table_for(programme, street), table_for(programme, bureau), table_for(programme, None, administrator)]
    for table in tables:
        texts = assert_no_formulas(build_xlsx(table))
        assert '=HYPERLINK("http://x","点我")' in texts
        assert build_pdf(table).startswith(b"%PDF")
        FIGURES["files checked"] += 2

    # The administrator reads the audit trail (which holds every value saved above) as a page and as a file.
    client.force_login(administrator)
    _escaped(client.get(reverse("audit_list")))
    FIGURES["pages checked"] += 1
    assert AuditEntry.objects.filter(action="application.save_draft").count() >= len(CORPUS)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(administrator, "portal.audit_export", {})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert_no_formulas(job.result.read())
    FIGURES["files checked"] += 1
    _report(capsys, "Table A.1 page")


def test_awards_pages_and_files_show_the_corpus_safely(client, organiser, administrator, capsys,
                                                        django_capture_on_commit_callbacks):
    from awards.models import Award, TierOverride
    from awards.services import determination, exports
    from portal import jobs
    from portal.models import JobStatus
    from scoring.job_handlers import proposal_csv
    from scoring.models import AssignmentProposal
    from tests.factories import ExpertProfileFactory, scored_programme

    FIGURES.clear()
    names = [clean_text(v)[:200].strip() or f"项目{n}" for n, (_l, v) in enumerate(CORPUS)]
    experts = [ExpertProfileFactory(user__full_name=clean_text(v)[:64], work_unit=clean_text(v)[:128])
               for _l, v in CORPUS[:3]]
    programme, apps, _e = scored_programme([[90, 80, 70]] * len(names), experts=experts,
                                           programme=b1_programme(organiser=organiser))
    for app, name in zip(apps, names, strict=True):
        Application.objects.filter(pk=app.pk).update(project_name=name)
    determination.update_settings(administrator, programme, {"first_value": 1, "second_value": 1, "third_value": 1})
    client.force_login(administrator)
    override = reverse("awards:override", args=[programme.pk, apps[0].pk])
    for _label, value in CORPUS:  # the override reason through its page, every corpus value
        FIGURES["tried"] += 1
        page = client.post(override, {"tier": "first", "reason": value}, follow=True)
        reason = TierOverride.objects.filter(application=apps[0]).values_list("reason", flat=True).first()
        if reason == clean_text(value).strip():
            FIGURES["accepted safely"] += 1
        else:
            shown = [str(m) for m in page.context["messages"]]
            assert any(CJK.search(m) for m in shown), shown
            # The form's own message: 请填写理由 only when none was given, the length limit otherwise.
            empty = clean_text(value).strip() == ""
            clear = any(("请填写理由" in m) if empty else ("1000" in m) for m in shown)
            FIGURES[f"refused with a message, {'clear' if clear else 'unclear'}"] += 1
            assert clear, shown
        assert reason is None or not CONTROL.search(reason)
    assert client.post(override, {"tier": "first", "reason": '=HYPERLINK("http://x","点我")'}).status_code == 302
    for url in (reverse("awards:ranking", args=[programme.pk]),
                reverse("awards:application_scores", args=[programme.pk, apps[0].pk]),
                reverse("scoring:expert_list"), reverse("scoring:assign_overview", args=[programme.pk]),
                reverse("scoring:conflict_list", args=[programme.pk]),
                reverse("scoring:panel_list", args=[programme.pk]),
                reverse("scoring:scoring_progress", args=[programme.pk]), reverse("audit_list")):
        response = client.get(url)
        assert response.status_code == 200, url
        _escaped(response)
        FIGURES["pages checked"] += 1
    client.force_login(experts[0].user)  # the expert's own pages list the projects by name
    assignment = experts[0].assignments.first()
    for url in (reverse("scoring:expert_home"), reverse("scoring:expert_programme", args=[programme.pk]),
                reverse("scoring:score_sheet", args=[assignment.pk]), reverse("dashboard")):
        response = client.get(url)
        if response.status_code == 200:
            _escaped(response)
            FIGURES["pages checked"] += 1
    client.force_login(administrator)
    for anonymise in (False, True):
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.start_job(administrator, "awards.score_sheet", {"programme_id": programme.pk,
                                                                     "anonymise": anonymise})
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        texts = assert_no_formulas(job.result.read())
        assert "=1+1" in texts and '=HYPERLINK("http://x","点我")' in texts
        FIGURES["files checked"] += 1
    assert exports.ranking_pdf(programme).startswith(b"%PDF")
    FIGURES["files checked"] += 1
    proposal = AssignmentProposal.objects.create(programme=programme, pairs=[[a.pk, experts[0].pk] for a in apps])
    values = assert_csv_neutralised(proposal_csv(proposal))
    assert "'-2+3+cmd|' /C calc'!A0" in values
    FIGURES["files checked"] += 1

    # Approval and publication through their pages, with notes no form parses (kept in the audit trail).
    note = "=1+1\x0b<script>alert(1)</script>\x07"
    assert client.post(reverse("awards:approve", args=[programme.pk]),
                       {"note": note, "confirm_under_scored": "1"}).status_code == 302
    assert client.post(reverse("awards:publish", args=[programme.pk]), {"note": note}).status_code == 302
    programme.refresh_from_db()
    assert programme.status == "published"
    _escaped(client.get(reverse("audit_list")))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(administrator, "portal.audit_export", {})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert "=1+1\n<script>alert(1)</script>" in assert_no_formulas(job.result.read())
    FIGURES["pages checked"] += 1
    FIGURES["files checked"] += 1
    client.logout()  # the public pages, anonymously
    for url in (reverse("awards:public_list"), reverse("awards:report", args=[programme.pk])):
        _escaped(client.get(url))
        FIGURES["pages checked"] += 1
    award = Award.objects.filter(programme=programme).exclude(verification_code="").first()
    if award is not None:
        _escaped(client.get(reverse("awards:verify", args=[award.verification_code])))
        FIGURES["pages checked"] += 1
    response = client.get(reverse("awards:published_xlsx", args=[programme.pk]))
    assert response.status_code == 200
    assert_no_formulas(b"".join(response.streaming_content) if response.streaming else response.content)
    FIGURES["files checked"] += 1
    _report(capsys, "awards pages")


def test_the_corpus_module_is_what_the_suite_feeds():
    names = {name for name, _v in CORPUS}
    assert {"formula_hyperlink", "dde_minus", "vertical_tab_from_word", "bell", "ten_thousand_chars", "emoji",
            "rtl_override", "script_tag"} <= names
    assert any(len(v) == 10000 for _n, v in CORPUS)


# --- the data migration: rows stored before input was normalised ---------------------------------


def test_the_data_migration_cleans_stored_text_but_never_the_audit_trail(world):
    from django.apps import apps as django_apps

    from applications.models import ApplicationVersion, TeamMember
    from portal.models import AuditEntry

    migration = importlib.import_module("applications.migrations.0004_clean_control_characters")
    app = world["app"]
    Application.objects.filter(pk=app.pk).update(project_name="项目\x0b名称\x07", background="甲\r\n乙\x1b",
                                                 organisation_snapshot={"name": "单位\x07", "list": ["\x0b"]})
    Organisation.objects.filter(pk=app.organisation_id).update(name="单位\x1f名称")
    TeamMember.objects.filter(application=app).update(work_unit="质量\x0b部")
    version = ApplicationVersion.objects.create(application=app, number=99, data={"background": "A\x0bB"})
    entry = AuditEntry.objects.create(action="application.save_draft", object_id=str(app.pk), object_repr="旧\x0b",
                                      content_type=ContentType.objects.get_for_model(Application),
                                      note="旧\x07记录")  # immutable: the writers sanitise instead
    migration.clean_rows(django_apps, None)
    app.refresh_from_db()
    assert (app.project_name, app.background) == ("项目\n名称", "甲\n乙")
    assert app.organisation_snapshot == {"name": "单位", "list": ["\n"]}
    assert Organisation.objects.get(pk=app.organisation_id).name == "单位名称"
    assert set(TeamMember.objects.filter(application=app).values_list("work_unit", flat=True)) == {"质量\n部"}
    version.refresh_from_db()
    assert version.data == {"background": "A\nB"}
    entry.refresh_from_db()
    assert (entry.note, entry.object_repr) == ("旧\x07记录", "旧\x0b")


def test_the_expert_import_reads_cells_as_normalised_text():
    from scoring.services.expert_sheet import _text

    assert _text("  张\x0b伟\x07 ") == "张\n伟" and _text(13800000000.0) == "13800000000" and _text(None) == ""
