"""What the pages keep in the cache is never older than the last change: the unread count in the
navigation bar and the option lists of the application form (portal.services.notify / choices)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.services.notify import notify
from tests.factories import ApplicantFactory, ApplicationFactory, ProjectCategoryFactory, RecommendingUnitFactory


def bell(client) -> str:
    """The navigation bar's notification link, as rendered."""
    html = client.get(reverse("notifications")).content.decode()
    start = html.index('href="/notifications/"')
    return html[start:html.index("</a>", start)]


@pytest.mark.django_db
def test_the_unread_count_follows_new_notifications_and_mark_all_read(client):
    user = ApplicantFactory()
    client.force_login(user)
    assert "badge" not in bell(client)  # cached as 0 now
    notify([user], "第一条")
    notify([user], "第二条")
    assert ">2<" in bell(client)
    client.post(reverse("notifications_read"))
    assert "badge" not in bell(client)


@pytest.mark.django_db
def test_a_cached_unread_count_costs_no_query(client):
    user = ApplicantFactory()
    client.force_login(user)
    notify([user], "一条")
    client.get(reverse("notifications"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("notifications"))
    assert not [q for q in queries if "COUNT(" in q["sql"] and "read_at" in q["sql"]]


def options(client, app, name) -> str:
    html = client.get(reverse("applications:edit", args=[app.pk])).content.decode()
    start = html.index(f'name="{name}"')
    return html[start:html.index("</select>", start)]


@pytest.mark.django_db
def test_the_form_options_follow_changes_to_units_and_categories(client):
    app = ApplicationFactory()
    client.force_login(ApplicantFactory(organisation=app.organisation))
    first = RecommendingUnitFactory(name="甲区市场监督管理局")
    app.programme.accepted_units.add(first)
    assert "甲区市场监督管理局" in options(client, app, "recommender")

    second = RecommendingUnitFactory(name="乙区市场监督管理局")
    app.programme.accepted_units.add(second)  # m2m change
    assert "乙区市场监督管理局" in options(client, app, "recommender")

    second.name = "乙区市场监管局（更名）"
    second.save()  # a rename
    assert "乙区市场监管局（更名）" in options(client, app, "recommender")

    second.is_active = False
    second.save()  # a unit taken out of service leaves the list
    assert "乙区" not in options(client, app, "recommender")

    category = ProjectCategoryFactory(name="新增测试类别")
    assert "新增测试类别" in options(client, app, "category")
    category.delete()
    assert "新增测试类别" not in options(client, app, "category")


@pytest.mark.django_db
def test_the_option_lists_are_per_programme(client):
    app = ApplicationFactory()
    other = ApplicationFactory(organisation=app.organisation)
    client.force_login(ApplicantFactory(organisation=app.organisation))
    app.programme.accepted_units.add(RecommendingUnitFactory(name="只在本批次的推荐单位"))
    assert "只在本批次的推荐单位" in options(client, app, "recommender")
    assert "只在本批次的推荐单位" not in options(client, other, "recommender")
