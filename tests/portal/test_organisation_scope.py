"""Which organisations an administrator keeps (least privilege).

The municipal bureau keeps the whole register; a district organiser keeps the organisations in its
district and those that applied to its programmes; anything else answers 404 to its administrators
(page, edit, requests to join), and the predicates the services ask refuse it as well.
"""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from portal.forms import ORGANISATION_FIELDS
from portal.models import AuditEntry, OrganisationMembership
from portal.models.organisations import MembershipStatus
from portal.models.programmes import Level
from portal.models.users import Role
from portal.permissions import administers_organisation, may_decide_membership, may_edit_organisation
from portal.services import accounts
from portal.services.errors import PermissionDenied
from portal.visibility import audit_entries_for, membership_requests_for, organisations_for
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    DistrictFactory,
    OrganisationFactory,
    OrganiserFactory,
    ProgrammeFactory,
    UserFactory,
)


class Cast:
    pass


@pytest.fixture
def cast(db):
    c = Cast()
    jiading = DistrictFactory(code="jiading", name="嘉定区")
    pudong = DistrictFactory(code="pudong", name="浦东新区")
    c.municipal_admin = UserFactory(role=Role.ADMINISTRATOR,
                                    organiser=OrganiserFactory(name="上海市市场监督管理局", level=Level.MUNICIPAL))
    c.jiading_organiser = OrganiserFactory(name="上海市嘉定区市场监督管理局", level=Level.DISTRICT, district=jiading)
    c.jiading_admin = UserFactory(role=Role.ADMINISTRATOR, organiser=c.jiading_organiser)
    c.jiading_programme = ProgrammeFactory(organiser=c.jiading_organiser, level=Level.DISTRICT, district=jiading)
    # Pudong enterprises: one with nothing to do with Jiading, one that applied to Jiading's
    # programme, one that is a joint applicant there. And a Jiading enterprise.
    c.pudong = OrganisationFactory(name="上海浦东无关制造有限公司", district=pudong)
    c.pudong_first = ApplicantFactory(organisation=c.pudong)
    c.pudong_applied = OrganisationFactory(name="上海浦东跨区申报有限公司", district=pudong)
    ApplicationFactory(programme=c.jiading_programme, organisation=c.pudong_applied)
    c.pudong_joint = OrganisationFactory(name="上海浦东联合申报有限公司", district=pudong)
    ApplicationFactory(programme=c.jiading_programme, organisation=OrganisationFactory(district=jiading)) \
        .joint_applicants.add(c.pudong_joint)
    c.jiading = OrganisationFactory(name="上海嘉定本区制造有限公司", district=jiading)
    # A Pudong application to another (municipal) programme does not bring it into Jiading's scope.
    ApplicationFactory(programme=ProgrammeFactory(organiser=c.municipal_admin.organiser), organisation=c.pudong)
    c.request = OrganisationMembership.objects.create(user=UserFactory(full_name="浦东新来的人"),
                                                      organisation=c.pudong, status=MembershipStatus.PENDING)
    return c


def edit_data(organisation, **changes):
    data = {k: v for k, v in model_to_dict(organisation, fields=ORGANISATION_FIELDS).items() if v is not None}
    data.update(changes)
    return data


def test_district_administrator_keeps_own_district_and_own_applicants(cast):
    kept = set(organisations_for(cast.jiading_admin))
    assert cast.jiading in kept
    assert cast.pudong_applied in kept
    assert cast.pudong_joint in kept
    assert cast.pudong not in kept
    # The predicate and the queryset agree on every organisation.
    for organisation in (cast.jiading, cast.pudong_applied, cast.pudong_joint, cast.pudong):
        assert bool(administers_organisation(cast.jiading_admin, organisation)) == (organisation in kept)


def test_municipal_administrator_and_superuser_keep_everything(cast, superuser):
    for user in (cast.municipal_admin, superuser):
        kept = set(organisations_for(user))
        assert {cast.jiading, cast.pudong, cast.pudong_applied, cast.pudong_joint} <= kept
        assert administers_organisation(user, cast.pudong)
        assert cast.request in membership_requests_for(user)


def test_administrator_without_organiser_keeps_nothing(cast):
    stray = UserFactory(role=Role.ADMINISTRATOR)
    assert not organisations_for(stray).exists()
    assert not membership_requests_for(stray).exists()
    assert not may_edit_organisation(stray, cast.jiading)
    assert not may_decide_membership(stray, cast.request)


def test_district_administrator_gets_404_on_another_districts_organisation(client, cast):
    client.force_login(cast.jiading_admin)
    url = reverse("organisation_detail", args=[cast.pudong.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, edit_data(cast.pudong, name="嘉定改的名字")).status_code == 404
    cast.pudong.refresh_from_db()
    assert cast.pudong.name == "上海浦东无关制造有限公司"
    # The service refuses too, whatever path calls it.
    cast.pudong.name = "嘉定改的名字"
    with pytest.raises(PermissionDenied):
        accounts.update_organisation(cast.jiading_admin, cast.pudong)
    # Nor can its history be read.
    history = reverse("audit_for_object", args=["portal", "organisation", cast.pudong.pk])
    assert client.get(history).status_code == 404


def test_district_administrator_neither_sees_nor_decides_another_districts_request(client, cast):
    client.force_login(cast.jiading_admin)
    listing = client.get(reverse("membership_requests"))
    assert listing.status_code == 200
    assert "浦东新来的人" not in listing.content.decode()
    assert cast.request not in membership_requests_for(cast.jiading_admin)
    response = client.post(reverse("decide_membership", args=[cast.request.pk]), {"decision": "approve"})
    assert response.status_code == 404
    cast.request.refresh_from_db()
    assert cast.request.status == MembershipStatus.PENDING and cast.request.decided_by is None
    assert not may_decide_membership(cast.jiading_admin, cast.request)
    with pytest.raises(PermissionDenied):
        accounts.decide_membership(cast.jiading_admin, cast.request, approve=True)
    cast.request.refresh_from_db()
    assert cast.request.status == MembershipStatus.PENDING
    # The dashboard neither counts it nor counts Pudong's unrelated enterprise.
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.context["join_requests"].count() == 0
    assert dashboard.context["counts"]["organisations"] == organisations_for(cast.jiading_admin).count()


def test_municipal_administrator_sees_edits_and_decides(client, cast):
    client.force_login(cast.municipal_admin)
    url = reverse("organisation_detail", args=[cast.pudong.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, edit_data(cast.pudong, contact_person="市局核对"))
    assert response.status_code == 302
    cast.pudong.refresh_from_db()
    assert cast.pudong.contact_person == "市局核对"
    assert "浦东新来的人" in client.get(reverse("membership_requests")).content.decode()
    client.post(reverse("decide_membership", args=[cast.request.pk]), {"decision": "approve"})
    cast.request.refresh_from_db()
    assert cast.request.status == MembershipStatus.APPROVED
    assert cast.request.decided_by == cast.municipal_admin


def test_district_administrator_sees_organisations_it_keeps(client, cast):
    client.force_login(cast.jiading_admin)
    for organisation in (cast.jiading, cast.pudong_applied, cast.pudong_joint):
        assert client.get(reverse("organisation_detail", args=[organisation.pk])).status_code == 200
    # …and decides requests to join them.
    request = OrganisationMembership.objects.create(user=UserFactory(), organisation=cast.pudong_applied)
    assert request in membership_requests_for(cast.jiading_admin)
    client.post(reverse("decide_membership", args=[request.pk]), {"decision": "reject"})
    request.refresh_from_db()
    assert request.status == MembershipStatus.REJECTED


def test_applicants_are_unchanged(client, cast):
    client.force_login(cast.pudong_first)
    assert list(organisations_for(cast.pudong_first)) == [cast.pudong]
    assert cast.request in membership_requests_for(cast.pudong_first)
    assert client.get(reverse("organisation_detail", args=[cast.jiading.pk])).status_code == 404
    client.post(reverse("decide_membership", args=[cast.request.pk]), {"decision": "approve"})
    cast.request.refresh_from_db()
    assert cast.request.status == MembershipStatus.APPROVED


def test_a_request_to_join_is_announced_only_to_administrators_who_keep_the_organisation(client, cast):
    code = cast.pudong.credit_code
    client.post(reverse("register"), {
        "username": "pudong2", "full_name": "浦东第二人", "email": "p2@example.cn", "phone": "13900000000",
        "password1": "Quality-2026-pass", "password2": "Quality-2026-pass", "credit_code": code,
    })
    assert OrganisationMembership.objects.filter(user__username="pudong2", organisation=cast.pudong).exists()
    assert cast.municipal_admin.notifications.filter(subject__contains="加入申请").exists()
    assert cast.pudong_first.notifications.filter(subject__contains="加入申请").exists()
    assert not cast.jiading_admin.notifications.filter(subject__contains="加入申请").exists()


def test_audit_trail_of_an_organisation_follows_the_scope(cast):
    for organisation in (cast.pudong, cast.jiading):
        accounts.update_organisation(cast.municipal_admin, organisation)
    entries = audit_entries_for(cast.jiading_admin).filter(action="organisation.update")
    assert {e.object_id for e in entries} == {str(cast.jiading.pk)}
    everything = audit_entries_for(cast.municipal_admin).filter(action="organisation.update")
    assert {e.object_id for e in everything} == {str(cast.pudong.pk), str(cast.jiading.pk)}
    assert AuditEntry.objects.filter(action="organisation.update").count() == 2


def test_applicant_accounts_of_organisations_not_kept_stay_out_of_the_audit_trail(cast):
    """A registration names the person and, through them, the enterprise."""
    from portal.services import audit

    for user in (cast.pudong_first, cast.request.user):
        audit.record(user, "account.register", user, changes={"username": [None, user.username]})
    jiading_member = ApplicantFactory(organisation=cast.jiading)
    audit.record(jiading_member, "account.register", jiading_member, changes={})
    expert = UserFactory(role=Role.EXPERT)
    audit.record(cast.municipal_admin, "account.create", expert, changes={})  # a shared object: visible

    seen = {e.object_id for e in audit_entries_for(cast.jiading_admin).filter(action__startswith="account.")}
    assert seen == {str(jiading_member.pk), str(expert.pk)}
    everything = {e.object_id for e in audit_entries_for(cast.municipal_admin).filter(action__startswith="account.")}
    assert everything == {str(cast.pudong_first.pk), str(cast.request.user.pk), str(jiading_member.pk), str(expert.pk)}
