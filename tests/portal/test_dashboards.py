"""After login each role lands on its own dashboard with what it has to do next."""

import pytest
from django.http import HttpRequest
from django.urls import reverse

from portal.demo import DEMO_PASSWORD, seed_demo
from portal.models import OrganisationMembership
from portal.models.users import Role
from tests.factories import ApplicantFactory, OrganisationFactory, ProgrammeFactory, UserFactory


@pytest.mark.django_db
def test_login_lands_on_the_dashboard(client, applicant):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": applicant.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


@pytest.mark.django_db
def test_applicant_dashboard_shows_organisation_and_open_programmes(client, applicant):
    programme = ProgrammeFactory(title="2026年上海市重点产品质量攻关成果申报")
    client.force_login(applicant)
    response = client.get(reverse("dashboard"))
    assert [t.name for t in response.templates][0] == "portal/dashboard/applicant.html"
    html = response.content.decode()
    assert applicant.membership.organisation.name in html
    assert programme.title in html


@pytest.mark.django_db
def test_pending_applicant_is_told_to_wait(client):
    org = OrganisationFactory()
    ApplicantFactory(organisation=org)
    newcomer = UserFactory(role=Role.APPLICANT)
    OrganisationMembership.objects.create(user=newcomer, organisation=org)
    client.force_login(newcomer)
    response = client.get(reverse("dashboard"))
    assert response.context["membership"].status == "pending"
    assert response.context["organisation"] is None


@pytest.mark.django_db
def test_first_member_sees_join_requests_on_the_dashboard(client):
    org = OrganisationFactory()
    first = ApplicantFactory(organisation=org)
    OrganisationMembership.objects.create(user=UserFactory(full_name="新来的人"), organisation=org)
    client.force_login(first)
    response = client.get(reverse("dashboard"))
    assert len(response.context["join_requests"]) == 1


@pytest.mark.django_db
def test_recommender_dashboard_shows_its_unit_and_programmes(client, recommender):
    programme = ProgrammeFactory()
    programme.accepted_units.add(recommender.recommending_unit)
    hidden = ProgrammeFactory(title="不受理本单位的批次")
    client.force_login(recommender)
    response = client.get(reverse("dashboard"))
    assert [t.name for t in response.templates][0] == "portal/dashboard/recommender.html"
    assert recommender.recommending_unit.name in response.content.decode()
    assert list(response.context["active_programmes"]) == [programme]
    assert hidden.title not in response.content.decode()


@pytest.mark.django_db
def test_expert_dashboard(client, expert):
    programme = ProgrammeFactory(status="reviewing")
    client.force_login(expert)
    response = client.get(reverse("dashboard"))
    assert [t.name for t in response.templates][0] == "portal/dashboard/expert.html"
    assert list(response.context["reviewing_programmes"]) == [programme]


@pytest.mark.django_db
def test_administrator_dashboard_offers_the_next_step(client, administrator):
    programme = ProgrammeFactory(status="draft", organiser=administrator.organiser)
    client.force_login(administrator)
    response = client.get(reverse("dashboard"))
    assert [t.name for t in response.templates][0] == "portal/dashboard/administrator.html"
    row = response.context["programme_rows"][0]
    assert row["programme"] == programme
    assert [t.name for t in row["transitions"]] == ["open"]
    assert reverse("programme_transition", args=[programme.pk, "open"]) in response.content.decode()


@pytest.mark.django_db
def test_demo_accounts_log_in_to_their_dashboards(client):
    seed_demo()
    seed_demo()  # idempotent
    expected = {
        "admin": "administrator",
        "city_admin": "administrator",
        "jiading_bureau": "recommender",
        "nanxiang": "recommender",
        "expert1": "expert",
        "applicant": "applicant",
    }
    for username, role in expected.items():
        client.logout()
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD), username
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        assert [t.name for t in response.templates][0] == f"portal/dashboard/{role}.html"
