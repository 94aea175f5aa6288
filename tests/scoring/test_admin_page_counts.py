"""The administrators' progress and assignment counts, computed per row by subqueries (issue 16):
the same figures as a grouped count, and a page query that no longer groups the whole programme."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application
from scoring.models import AssignmentStatus, Score, ScoreStatus
from scoring.services.assignment_problem import active_count
from scoring.services.score_progress import scoring_progress
from tests.factories import ApplicationFactory, ExpertProfileFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    programme = ProgrammeFactory()
    experts = ExpertProfileFactory.create_batch(4)
    busy = ApplicationFactory(programme=programme, status="endorsed", project_name="忙")
    quiet = ApplicationFactory(programme=programme, status="endorsed", project_name="闲")
    ApplicationFactory(programme=programme, status="endorsed", project_name="未分配")
    done = busy.assignments.create(expert=experts[0])
    Score.objects.create(assignment=done, status=ScoreStatus.SUBMITTED, total=80)
    draft = busy.assignments.create(expert=experts[1])
    Score.objects.create(assignment=draft, status=ScoreStatus.DRAFT, total=10)
    busy.assignments.create(expert=experts[2], status=AssignmentStatus.RECUSED)
    busy.assignments.create(expert=experts[3], status=AssignmentStatus.REMOVED)
    quiet.assignments.create(expert=experts[0], status=AssignmentStatus.RECUSED)
    return programme


def test_active_count_counts_the_active_assignments_of_each_application(programme):
    counts = dict(Application.objects.filter(programme=programme).annotate(n=active_count())
                  .values_list("project_name", "n"))
    assert counts == {"忙": 2, "闲": 0, "未分配": 0}


def test_progress_counts_per_application_without_grouping_the_programme(programme):
    rows = scoring_progress(programme)["applications"]
    with CaptureQueriesContext(connection) as ctx:
        found = {a.project_name: (a.submitted, a.assigned, a.recused) for a in rows[:50]}
    assert found == {"忙": (1, 2, 1), "闲": (0, 0, 1)}  # an application without assignments is not listed
    page_query = ctx.captured_queries[0]["sql"]
    assert 'GROUP BY "applications_application"' not in page_query and "DISTINCT" not in page_query
