"""Applicant self-registration: a new organisation, or a request to join an existing one."""

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import AuditEntry, Organisation, OrganisationMembership, User
from portal.models.organisations import MembershipStatus
from portal.services import accounts
from portal.services.errors import PermissionDenied
from tests.factories import ApplicantFactory, DistrictFactory, OrganisationFactory

CODE = "91310000132149237G"


def form_data(**overrides):
    district = DistrictFactory()
    data = {
        "username": "zhangsan",
        "full_name": "张三",
        "email": "zhangsan@example.cn",
        "phone": "13800000000",
        "password1": "Quality-2026-pass",
        "password2": "Quality-2026-pass",
        "credit_code": CODE.lower(),
        "org-name": "上海示例科技有限公司",
        "org-legal_representative": "李四",
        "org-ownership": "private",
        "org-size": "small_micro",
        "org-industry": "通用设备制造业",
        "org-address": "上海市嘉定区示例路1号",
        "org-phone": "021-59990000",
        "org-contact_person": "张三",
        "org-mobile": "13800000000",
        "org-email": "info@example.cn",
        "org-district": district.pk,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_registration_creates_organisation_and_approved_first_user(client):
    response = client.post(reverse("register"), form_data())
    assert response.status_code == 302
    user = User.objects.get(username="zhangsan")
    org = Organisation.objects.get(credit_code=CODE)  # normalised from lower case
    assert org.name == "上海示例科技有限公司"
    assert user.membership.organisation == org
    assert user.membership.status == MembershipStatus.APPROVED
    assert user.check_password("Quality-2026-pass")
    assert AuditEntry.objects.filter(action="organisation.register", object_id=str(org.pk)).exists()
    # Signed in and sent to the applicant dashboard, which names the organisation.
    page = client.get(reverse("dashboard"))
    assert "上海示例科技有限公司" in page.content.decode()


@pytest.mark.django_db
def test_registration_with_bad_check_digit_shows_error_and_creates_nothing(client):
    response = client.post(reverse("register"), form_data(credit_code="91310000132149237H"))
    assert response.status_code == 200
    assert "校验位" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_new_organisation_needs_its_fields(client):
    response = client.post(reverse("register"), form_data(**{"org-name": "", "org-legal_representative": ""}))
    assert response.status_code == 200
    assert not User.objects.filter(username="zhangsan").exists()


@pytest.mark.django_db
def test_joining_existing_organisation_waits_for_approval(client, django_capture_on_commit_callbacks):
    first = ApplicantFactory(organisation=OrganisationFactory(credit_code=CODE))
    data = form_data(**{"org-name": "", "username": "lisi"})  # org fields not needed for joining
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("register"), data)
    assert response.status_code == 302
    membership = OrganisationMembership.objects.get(user__username="lisi")
    assert membership.status == MembershipStatus.PENDING
    assert membership.organisation == first.membership.organisation
    # The first user is told, in the feed and by e-mail.
    assert first.notifications.filter(subject__contains="加入申请").exists()
    assert any(first.email in m.to for m in mail.outbox)
    # Pending: the newcomer cannot see the organisation yet.
    org = membership.organisation
    assert client.get(reverse("organisation_detail", args=[org.pk])).status_code == 404


@pytest.mark.django_db
def test_first_user_approves_and_then_the_newcomer_sees_the_organisation(client):
    first = ApplicantFactory(organisation=OrganisationFactory(credit_code=CODE))
    client.post(reverse("register"), form_data(username="lisi"))
    membership = OrganisationMembership.objects.get(user__username="lisi")
    client.force_login(first)
    response = client.post(reverse("decide_membership", args=[membership.pk]), {"decision": "approve"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPROVED
    assert membership.decided_by == first
    assert AuditEntry.objects.filter(action="membership.approve", object_id=str(membership.pk)).exists()
    client.force_login(membership.user)
    assert client.get(reverse("organisation_detail", args=[membership.organisation_id])).status_code == 200


@pytest.mark.django_db
def test_a_later_member_cannot_approve_and_gets_404(client):
    org = OrganisationFactory(credit_code=CODE)
    ApplicantFactory(organisation=org)
    second = ApplicantFactory(organisation=org)  # approved, but not the first
    client.post(reverse("register"), form_data(username="wangwu"))
    pending = OrganisationMembership.objects.get(user__username="wangwu")
    client.force_login(second)
    assert client.post(reverse("decide_membership", args=[pending.pk]), {"decision": "approve"}).status_code == 404
    with pytest.raises(PermissionDenied):
        accounts.decide_membership(second, pending, approve=True)
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.PENDING


@pytest.mark.django_db
def test_administrator_may_reject_a_request(client, administrator):
    ApplicantFactory(organisation=OrganisationFactory(credit_code=CODE))
    client.post(reverse("register"), form_data(username="zhaoliu"))
    pending = OrganisationMembership.objects.get(user__username="zhaoliu")
    client.force_login(administrator)
    client.post(reverse("decide_membership", args=[pending.pk]), {"decision": "reject"})
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.REJECTED


@pytest.mark.django_db
def test_duplicate_username_is_refused(client, applicant):
    response = client.post(reverse("register"), form_data(username=applicant.username.upper()))
    assert response.status_code == 200
    assert "该用户名已被使用" in response.content.decode()


@pytest.mark.django_db
def test_organisation_is_unique_by_credit_code():
    from django.db import IntegrityError

    OrganisationFactory(credit_code=CODE)
    with pytest.raises(IntegrityError):
        OrganisationFactory(credit_code=CODE)
