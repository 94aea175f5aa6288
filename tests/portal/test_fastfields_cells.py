"""portal.templatetags.fastfields.fast_cells writes a table's cells (a widget and its errors in a <td>)
byte for byte as the template loop it replaced in _formset_row.html and _tab_effect.html."""

import pytest
from django.template import Context, Template

from applications.views.context import build_forms
from portal.templatetags.fastfields import fast_cells
from tests.factories import ApplicationFactory, complete_application

# The loop the templates had, with its indentation.
ROW_LOOP = Template(
    "{% load fastfields %}"
    '{% for field in row.visible_fields %}{% if field.name != "ORDER" and field.name != "DELETE" %}\n'
    "  <td>\n"
    "    {{ field|fast_widget }}\n"
    '    {% if field.errors %}<div id="{{ field.auto_id }}_error" class="invalid-feedback d-block">'
    "{% for error in field.errors %}<div>{{ error }}</div>{% endfor %}</div>{% endif %}\n"
    "  </td>\n"
    "  {% endif %}{% endfor %}")
GRID_LOOP = Template(
    "{% load fastfields %}"
    "{% for field in cells %}\n"
    "          <td>\n"
    "            {{ field|fast_widget }}\n"
    '            {% if field.errors %}<div id="{{ field.auto_id }}_error" class="invalid-feedback d-block">'
    "{% for error in field.errors %}<div>{{ error }}</div>{% endfor %}</div>{% endif %}\n"
    "          </td>\n"
    "          {% endfor %}")


def _check(sections, team, conflicts) -> str:
    out = []
    for formset in (team, conflicts):
        for row in [*formset, formset.empty_form]:
            out.append(fast_cells(row))
            assert out[-1] == ROW_LOOP.render(Context({"row": row}))
    effect = next(form for form in sections if form.section == "effect")
    for _label, cells in effect.economic_rows():
        out.append(fast_cells(cells, 10))
        assert out[-1] == GRID_LOOP.render(Context({"cells": cells}))
    return "".join(out)


@pytest.mark.django_db
@pytest.mark.parametrize("readonly", [False, True])
def test_stored_rows_and_grid(readonly):
    app = complete_application(sales_before=120, profit_after=-3)
    app.conflicts.create(expert_name="李四<b>", work_unit="某研究院 & Co", reason="同事")
    _check(*build_forms(app, readonly=readonly))


@pytest.mark.django_db
def test_rows_and_grid_with_errors():
    data = {
        "sales_before": "-1", "profit_after": "abc", "investment": "x",
        "team-TOTAL_FORMS": "3", "team-INITIAL_FORMS": "0", "team-0-name": "x" * 80, "team-1-gender": "zz",
        "team-2-title": "<b>&" * 30, "team-2-ORDER": "q",
        "conflicts-TOTAL_FORMS": "1", "conflicts-INITIAL_FORMS": "0", "conflicts-0-reason": "y" * 250,
    }
    sections, team, conflicts = build_forms(ApplicationFactory(), data, readonly=False)
    assert not team.is_valid() and not conflicts.is_valid() and not all(f.is_valid() for f in sections)
    html = _check(sections, team, conflicts)
    assert html.count('class="invalid-feedback d-block"><div>') == 6
    assert "&lt;b&gt;&amp;" in html
