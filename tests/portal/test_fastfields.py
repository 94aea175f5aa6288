"""portal.templatetags.fastfields renders what crispy-bootstrap5 and Django's widget templates render
(the same tags, attributes and text; only runs of white space may be shorter)."""

import copy
import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_errors, as_crispy_field

from applications import forms as application_forms
from applications.views.context import build_forms
from portal.templatetags.fastfields import crispy_field_html, fast_errors, fast_hidden, fast_hidden_form, render_widget
from tests.factories import ApplicationFactory, OrganisationFactory, complete_application


def _squeeze(html) -> str:
    return re.sub(r"\s+", " ", str(html)).replace(" >", ">").strip()


def _crispy(form, name) -> str:
    application_forms.DATE.attrs = {}  # crispy writes its classes into the (shared) widget
    html = as_crispy_field(copy.deepcopy(form)[name])
    application_forms.DATE.attrs = {}
    return html


def _check(form, *, crispy=True):
    for name in form.fields:
        assert render_widget(form[name]) == str(form[name]), name  # byte for byte
        if crispy:
            assert _squeeze(crispy_field_html(form[name])) == _squeeze(_crispy(form, name)), name
    if crispy:
        assert _squeeze(fast_errors(form)) == _squeeze(as_crispy_errors(form))


def _check_all(sections, team, conflicts):
    for form in sections:
        _check(form)
    for formset in (team, conflicts):
        assert fast_hidden_form(formset.management_form) == str(formset.management_form)
        for row in [*formset, formset.empty_form]:
            _check(row, crispy=False)
            if "ORDER" in row.fields:
                assert fast_hidden(row["ORDER"]) == row["ORDER"].as_hidden()


@pytest.mark.django_db
@pytest.mark.parametrize("readonly", [False, True])
def test_the_form_page_fields_render_as_crispy_renders_them(readonly):
    app = complete_application()
    app.joint_applicants.add(OrganisationFactory())
    app.conflicts.create(expert_name="李四", work_unit="某研究院", reason="同事")
    _check_all(*build_forms(app, readonly=readonly))


@pytest.mark.django_db
def test_errors_render_as_crispy_renders_them():
    app = ApplicationFactory()
    data = {
        "project_name": "", "investment": "abc", "sales_before": "-1", "tech_head_date": "2025-13-45",
        "advancement_level": "nope", "category": "999", "joint_applicant_codes": "91310000XXXXXXXXXX",
        "team-TOTAL_FORMS": "2", "team-INITIAL_FORMS": "0", "team-0-name": "x" * 80, "team-1-gender": "zz",
        "conflicts-TOTAL_FORMS": "1", "conflicts-INITIAL_FORMS": "0", "conflicts-0-reason": "y" * 250,
    }
    sections, team, conflicts = build_forms(app, data, readonly=False)
    assert not all(form.is_valid() for form in sections) and not team.is_valid() and not conflicts.is_valid()
    sections[0].add_error(None, "整体<错误>")
    _check_all(sections, team, conflicts)


@pytest.mark.django_db
def test_a_shared_widget_does_not_keep_another_forms_error_class():
    """crispy wrote "is-invalid" into the module-level DateInput; fast_field leaves widgets alone."""
    app = ApplicationFactory()
    bad = build_forms(app, {"tech_head_date": "2025-13-45", "team-TOTAL_FORMS": "0", "team-INITIAL_FORMS": "0",
                            "conflicts-TOTAL_FORMS": "0", "conflicts-INITIAL_FORMS": "0"}, readonly=False)[0][-1]
    assert not bad.is_valid()
    assert "is-invalid" in crispy_field_html(bad["tech_head_date"])
    fresh = build_forms(app, readonly=False)[0][-1]
    assert "is-invalid" not in crispy_field_html(fresh["finance_head_date"])
