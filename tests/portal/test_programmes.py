"""Programme life cycle: draft → open → recommending → reviewing → determining → published → closed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import Determination
from portal.models import AuditEntry, ProgrammeStatus
from portal.models.users import Role
from portal.services.errors import InvalidTransition, PermissionDenied
from portal.services.programmes import transition_programme
from portal.workflow import PROGRAMME_WORKFLOW
from tests.factories import OrganiserFactory, ProgrammeFactory, UserFactory


@pytest.mark.django_db
def test_the_whole_life_cycle_in_order(administrator):
    programme = ProgrammeFactory(status=ProgrammeStatus.DRAFT, organiser=administrator.organiser)
    steps = ["open", "start_recommending", "start_reviewing", "start_determining", "publish", "close"]
    for name in steps:
        if name == "publish":  # awards' guard: only an approved determination is published
            Determination.objects.create(programme=programme, approved_at=timezone.now())
        programme = transition_programme(administrator, programme, name)
    assert programme.status == ProgrammeStatus.CLOSED
    entries = AuditEntry.objects.filter(object_id=str(programme.pk)).order_by("id")
    actions = list(entries.values_list("action", flat=True))
    assert actions == [f"programme.{n}" for n in steps]


@pytest.mark.django_db
def test_a_step_out_of_order_is_refused(administrator):
    programme = ProgrammeFactory(status=ProgrammeStatus.DRAFT, organiser=administrator.organiser)
    with pytest.raises(InvalidTransition):
        transition_programme(administrator, programme, "publish")
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DRAFT


@pytest.mark.django_db
def test_only_the_organisers_administrators_move_a_programme(administrator, applicant):
    programme = ProgrammeFactory(status=ProgrammeStatus.DRAFT, organiser=OrganiserFactory())
    for user in (administrator, applicant):
        with pytest.raises(PermissionDenied):
            transition_programme(user, programme, "open")


@pytest.mark.django_db
def test_transition_through_the_view(client, administrator):
    programme = ProgrammeFactory(status=ProgrammeStatus.DRAFT, organiser=administrator.organiser)
    client.force_login(administrator)
    response = client.post(reverse("programme_transition", args=[programme.pk, "open"]))
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.OPEN


def test_every_status_is_reachable_from_draft():
    reached, frontier = {ProgrammeStatus.DRAFT}, [ProgrammeStatus.DRAFT]
    while frontier:
        state = frontier.pop()
        for t in PROGRAMME_WORKFLOW.available(state):
            if t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(ProgrammeStatus.values)


@pytest.mark.django_db
def test_programme_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    organiser = OrganiserFactory()
    admin = UserFactory(role=Role.ADMINISTRATOR, organiser=organiser)
    client.force_login(admin)
    for n in (2, 25):
        ProgrammeFactory.create_batch(n, organiser=organiser)
        with django_assert_max_num_queries(8):
            assert client.get(reverse("programme_list")).status_code == 200


@pytest.mark.django_db
def test_district_programme_needs_a_district(administrator):
    from django.core.exceptions import ValidationError

    programme = ProgrammeFactory.build(organiser=administrator.organiser, level="district", district=None)
    with pytest.raises(ValidationError):
        programme.full_clean()


@pytest.mark.django_db
def test_publishing_is_not_offered_or_accepted_on_the_generic_programme_page(client, administrator):
    programme = ProgrammeFactory(status=ProgrammeStatus.DETERMINING, organiser=administrator.organiser)
    client.force_login(administrator)
    page = client.get(reverse("programme_detail", args=[programme.pk]))
    assert [t.name for t in page.context["transitions"]] == []
    client.post(reverse("programme_transition", args=[programme.pk, "publish"]))
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DETERMINING  # publication goes through awards.services
