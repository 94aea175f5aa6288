"""The admin does not bypass the services: a programme's status and a membership's decision are read-only
there, because their moves carry rules (workflow guards), audit rows and notifications of their own."""

import pytest
from django.urls import reverse

from portal.models import Notification, OrganisationMembership, ProgrammeStatus
from portal.models.organisations import MembershipStatus
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory


def _posted(form, **changes):
    """The admin form as the browser would send it back, with ``changes``."""
    data = {}
    for name, value in form.initial.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            data[name] = value.pk
        else:
            data[name] = value
    data.update(changes)
    return data


@pytest.mark.django_db
def test_a_superuser_cannot_publish_a_programme_by_editing_its_status(client, superuser):
    programme = ProgrammeFactory(status=ProgrammeStatus.DETERMINING)  # no approved determination
    client.force_login(superuser)
    url = reverse("admin:portal_programme_change", args=[programme.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert "status" not in form.fields
    assert "已公布" not in page.content.decode()  # no status choices offered
    response = client.post(url, _posted(form, title="改名后的批次", status=ProgrammeStatus.PUBLISHED))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    programme.refresh_from_db()
    assert programme.title == "改名后的批次"  # the rest of the form still saves
    assert programme.status == ProgrammeStatus.DETERMINING


@pytest.mark.django_db
def test_a_membership_is_not_approved_through_the_organisation_admin(client, superuser):
    organisation = OrganisationFactory()
    person = UserFactory()
    membership = OrganisationMembership.objects.create(user=person, organisation=organisation)
    client.force_login(superuser)
    url = reverse("admin:portal_organisation_change", args=[organisation.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    inline = page.context["inline_admin_formsets"][0].formset
    assert "status" not in inline.forms[0].fields and "decided_by" not in inline.forms[0].fields
    data = _posted(form, **{
        "memberships-TOTAL_FORMS": 1, "memberships-INITIAL_FORMS": 1,
        "memberships-0-id": membership.pk, "memberships-0-organisation": organisation.pk,
        "memberships-0-user": person.pk, "memberships-0-status": MembershipStatus.APPROVED,
        "memberships-0-decided_by": superuser.pk,
    })
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING and membership.decided_by is None
    assert not Notification.objects.filter(recipient=person).exists()
