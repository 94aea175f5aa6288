"""Every aria-describedby on the form page names an element that is there, also when the page comes
back with errors (a screen reader reads the error or help text through it)."""

import re

import pytest
from django.urls import reverse

from tests.applications.test_applications_views import form_data
from tests.factories import ApplicantFactory, complete_application


def dangling_references(html: str) -> list[str]:
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    refs = [ref for value in re.findall(r'aria-describedby="([^"]*)"', html) for ref in value.split()]
    return [ref for ref in refs if ref not in ids]


@pytest.mark.django_db
def test_the_form_page_has_no_dangling_aria_references_with_or_without_errors(client):
    app = complete_application()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    url = reverse("applications:edit", args=[app.pk])
    html = client.get(url).content.decode()
    assert 'aria-describedby="' in html
    assert dangling_references(html) == []

    team = [{c: getattr(m, c) for c in m.COLUMNS} for m in app.team_members.all()]
    team[0]["gender"] = "not-a-gender"
    response = client.post(url, form_data(app, team=team, sales_before="-5", project_name=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    for field in ("id_team-0-gender", "id_sales_before", "id_project_name"):
        assert f'id="{field}_error"' in html, field
    assert dangling_references(html) == []


def test_the_report_charts_have_a_name_and_ids_of_their_own():
    """role="img" needs an accessible name (WCAG 1.1.1); two charts on one page must not share
    matplotlib's ids ("patch_1", "axes_1"…), and every internal reference follows its id."""
    from awards.services.charts import bar_chart

    first = str(bar_chart("ch7", "图1　2026年申报项目推荐分布情况", ["区市场监管局", "集团公司"], [3, 1]))
    second = str(bar_chart("ca7", "图2　2026年申报项目产业分布情况", ["高端装备"], [2]))
    assert 'aria-label="图1　2026年申报项目推荐分布情况：区市场监管局 3（75.0%），集团公司 1（25.0%）"' in first
    assert re.search(r'role="img"[^>]*>\s*<title>图1　2026年申报项目推荐分布情况：', first)
    ids = {chart: re.findall(r'\sid="([^"]+)"', chart) for chart in (first, second)}
    assert ids[first] and ids[second]
    assert len(set(ids[first])) == len(ids[first])
    assert not set(ids[first]) & set(ids[second])
    references = re.findall(r'(?:href="#|url\(#)([^")]+)', first)
    assert references and set(references) <= set(ids[first])
