"""An object a person may not see answers 404, so its existence does not leak."""

import pytest
from django.urls import reverse

from portal.models import ProgrammeStatus
from portal.models.users import Role
from tests.factories import ApplicantFactory, OrganiserFactory, ProgrammeFactory, UserFactory


@pytest.mark.django_db
def test_applicant_cannot_read_another_organisations_data(client):
    mine, theirs = ApplicantFactory(), ApplicantFactory()
    client.force_login(mine)
    own = client.get(reverse("organisation_detail", args=[mine.membership.organisation_id]))
    other = client.get(reverse("organisation_detail", args=[theirs.membership.organisation_id]))
    assert own.status_code == 200
    assert other.status_code == 404
    assert theirs.membership.organisation.name not in other.content.decode()


@pytest.mark.django_db
def test_applicant_cannot_change_another_organisation(client):
    mine, theirs = ApplicantFactory(), ApplicantFactory()
    client.force_login(mine)
    org = theirs.membership.organisation
    response = client.post(reverse("organisation_detail", args=[org.pk]), {"name": "改掉"})
    assert response.status_code == 404
    org.refresh_from_db()
    assert org.name != "改掉"


@pytest.mark.django_db
def test_draft_programmes_are_visible_to_their_administrators_only(client, applicant):
    organiser = OrganiserFactory()
    draft = ProgrammeFactory(status=ProgrammeStatus.DRAFT, organiser=organiser)
    own_admin = UserFactory(role=Role.ADMINISTRATOR, organiser=organiser)
    other_admin = UserFactory(role=Role.ADMINISTRATOR, organiser=OrganiserFactory())
    url = reverse("programme_detail", args=[draft.pk])
    for user, expected in [(applicant, 404), (other_admin, 404), (own_admin, 200)]:
        client.force_login(user)
        assert client.get(url).status_code == expected, user.username


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.RECOMMENDER, Role.EXPERT])
def test_audit_trail_is_for_administrators_only(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("audit_list")).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    for name in ["dashboard", "programme_list", "audit_list", "notifications"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
