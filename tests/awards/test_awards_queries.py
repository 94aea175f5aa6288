"""List pages and the aggregation run in a constant number of queries, whatever the size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.services import determination, publication, ranking
from awards.views import determination as determination_views
from tests.factories import b1_programme, scored_programme

pytestmark = pytest.mark.django_db


def _programme(organiser, administrator, size, year):
    programme, apps, _e = scored_programme([[90 - i, 80 - i, 85 - i] for i in range(size)],
                                           programme=b1_programme(organiser=organiser, year=year))
    determination.override_tier(administrator, apps[-1], "third", "调整")
    return programme, apps


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_pages_query_counts_do_not_grow_with_the_programme(client, organiser, administrator):
    small, _ = _programme(organiser, administrator, 2, 2020)
    large, apps = _programme(organiser, administrator, 9, 2022)
    client.force_login(administrator)
    for name in ("awards:ranking", "awards:report"):
        _count(client, reverse(name, args=[small.pk]))  # warm caches (content types, session)
        counts = {}
        for programme in (small, large):  # computed (nothing kept yet), then kept
            ranking._KEPT.clear()
            determination_views._TABLES.clear()
            counts[programme] = (_count(client, reverse(name, args=[programme.pk])),
                                 _count(client, reverse(name, args=[programme.pk])))
        assert counts[small] == counts[large], name
        assert counts[small][1] < counts[small][0], name  # kept: the figures are not read again
    ranking.build(small)  # both kept
    one = _count(client, reverse("awards:application_scores", args=[small.pk, small.applications.first().pk]))
    assert one == _count(client, reverse("awards:application_scores", args=[large.pk, apps[0].pk]))
    for programme in (small, large):
        determination.approve(administrator, programme)
        publication.publish(administrator, programme)
    client.logout()
    assert _count(client, reverse("awards:public_list"), year=2020) == _count(client, reverse("awards:public_list"),
                                                                             year=2022)
