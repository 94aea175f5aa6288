"""An expert's own navigation never ends in a 404: an expert account without a profile is told whom
to ask; after publication the task list and sheets answer with a read-only "评审已结束" page."""

import pytest
from django.urls import reverse

from portal.models import ProgrammeStatus
from portal.models.users import Role
from scoring.models import (
    AssignmentStatus,
    ConfidentialityPledge,
    ConflictOfInterest,
    ConflictSource,
    Score,
    ScoreStatus,
)
from tests.factories import (
    ApplicantFactory,
    OrganiserFactory,
    ReviewExpertFactory,
    UserFactory,
    b1_programme,
    give_score,
)
from tests.review_setup import reviewable

pytestmark = pytest.mark.django_db


def test_an_expert_account_without_profile_is_told_whom_to_ask(client):
    organiser = OrganiserFactory(name="上海市市场监督管理局")
    UserFactory(role=Role.ADMINISTRATOR, organiser=organiser, full_name="市局管理员", email="admin@scjg.example.cn")
    UserFactory(role=Role.ADMINISTRATOR, organiser=organiser, full_name="停用管理员", is_active=False)
    client.force_login(UserFactory(role=Role.EXPERT))
    response = client.get(reverse("scoring:expert_home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "尚未录入专家库" in page
    assert "上海市市场监督管理局" in page and "市局管理员" in page and "admin@scjg.example.cn" in page
    assert "停用管理员" not in page
    # The other expert pages reached from its navigation or a link say the same, never 404.
    programme = b1_programme(status=ProgrammeStatus.REVIEWING)
    response = client.get(reverse("scoring:expert_programme", args=[programme.pk]))
    assert response.status_code == 200 and "尚未录入专家库" in response.content.decode()


def test_other_roles_still_get_404_on_the_expert_pages(client):
    client.force_login(ApplicantFactory())
    assert client.get(reverse("scoring:expert_home")).status_code == 404


@pytest.fixture
def published():
    """An expert with two submitted sheets and a recused assignment in a published programme."""
    programme = b1_programme(status=ProgrammeStatus.REVIEWING)
    expert = ReviewExpertFactory()
    first, second, recused = (reviewable(programme, project_name=name) for name in ("甲项目", "乙项目", "丙项目"))
    scores = [give_score(first, expert, 81), give_score(second, expert, 67)]
    hidden = give_score(recused, expert, 50, assignment_status=AssignmentStatus.RECUSED)
    ConfidentialityPledge.objects.create(expert=expert, programme=programme, statement="承诺")
    programme.status = ProgrammeStatus.PUBLISHED
    programme.save()
    return programme, expert, scores, hidden


def test_after_publication_the_task_list_and_sheets_say_the_review_has_ended(client, published):
    programme, expert, scores, hidden = published
    client.force_login(expert.user)
    home = client.get(reverse("scoring:expert_home")).content.decode()
    assert "已结束的评审" in home and programme.title in home
    for url in (reverse("scoring:expert_programme", args=[programme.pk]),
                reverse("scoring:score_sheet", args=[scores[0].assignment_id])):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "评审已结束" in page
        assert "甲项目" in page and "乙项目" in page and "81.0" in page
        assert "丙项目" not in page  # recused: never the expert's to see
    # Read-only: a late save is refused and changes nothing.
    response = client.post(reverse("scoring:score_sheet", args=[scores[0].assignment_id]), {"overall_comment": "x"})
    assert response.status_code == 403
    assert Score.objects.get(pk=scores[0].pk).status == ScoreStatus.SUBMITTED
    assert client.get(reverse("scoring:score_sheet", args=[hidden.assignment_id])).status_code == 404


def test_after_publication_others_still_get_404(client, published):
    programme, expert, scores, _hidden = published
    client.force_login(ReviewExpertFactory().user)
    assert client.get(reverse("scoring:expert_programme", args=[programme.pk])).status_code == 404
    assert client.get(reverse("scoring:score_sheet", args=[scores[0].assignment_id])).status_code == 404
    # A conflict found later hides the pair from the expert as well.
    ConflictOfInterest.objects.create(expert=expert, application=scores[1].assignment.application,
                                      source=ConflictSource.ADMINISTRATOR, rule="set", reason="回避")
    client.force_login(expert.user)
    assert client.get(reverse("scoring:score_sheet", args=[scores[1].assignment_id])).status_code == 404
    page = client.get(reverse("scoring:expert_programme", args=[programme.pk])).content.decode()
    assert "甲项目" in page and "乙项目" not in page
    # An expert who never signed the pledge never saw the projects: nothing to show afterwards either.
    unpledged = ReviewExpertFactory()
    give_score(reviewable(programme, project_name="丁项目"), unpledged, 70)
    client.force_login(unpledged.user)
    assert client.get(reverse("scoring:expert_programme", args=[programme.pk])).status_code == 404
    assert "已结束的评审" not in client.get(reverse("scoring:expert_home")).content.decode()


def test_while_determining_the_expert_still_sees_the_sheet(client, published):
    programme, expert, scores, _hidden = published
    programme.status = ProgrammeStatus.DETERMINING
    programme.save()
    client.force_login(expert.user)
    response = client.get(reverse("scoring:score_sheet", args=[scores[0].assignment_id]))
    assert response.status_code == 200
    assert "评审已结束" not in response.content.decode()
