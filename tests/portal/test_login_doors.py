"""Every door that takes a password is throttled by account and real client address (django-axes),
and the real address comes from X-Forwarded-For only through the configured trusted proxies."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from portal import throttle
from portal.models import AuditEntry
from tests.factories import PASSWORD, ApplicantFactory, UserFactory

PROXY = "10.0.0.2"  # the reverse proxy's address, as Django sees it behind nginx


def post_login(client, url, username, password, *, remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(url, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.mark.django_db
def test_forty_wrong_admin_passwords_lock_the_admin_login(client, admin_user):
    url = "/admin/login/"
    for _ in range(40):
        post_login(client, url, "admin", "wrong", remote="198.51.100.7")
    response = post_login(client, url, "admin", PASSWORD, remote="198.51.100.7")
    assert response.status_code == 429
    assert not signed_in(client)


@pytest.mark.django_db
def test_the_admin_and_the_portal_login_share_one_count(client, admin_user):
    for _ in range(5):
        post_login(client, reverse("login"), "admin", "wrong", remote="198.51.100.7")
    assert post_login(client, "/admin/login/", "admin", PASSWORD, remote="198.51.100.7").status_code == 429
    assert not signed_in(client)


@pytest.mark.django_db
def test_behind_the_proxy_thirty_people_failing_do_not_lock_out_the_thirty_first(client, settings, applicant):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    others = [ApplicantFactory() for _ in range(3)]
    for i in range(30):
        username = [applicant, *others][i % 4].username  # the same accounts, and others, fail
        response = post_login(client, reverse("login"), username, "wrong", forwarded=f"203.0.113.{i + 1}")
        assert response.status_code == 200
    response = post_login(client, reverse("login"), applicant.username, PASSWORD, forwarded="203.0.113.200")
    assert response.status_code == 302 and signed_in(client)
    # and the throttle saw the people, not the proxy
    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert PROXY not in addresses and len(addresses) == 30


@pytest.mark.django_db
def test_six_failures_lock_that_account_from_that_address_only(client, settings, applicant):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    other = ApplicantFactory()
    for _ in range(6):
        post_login(client, reverse("login"), applicant.username, "wrong", forwarded="203.0.113.9")
    locked = post_login(client, reverse("login"), applicant.username, PASSWORD, forwarded="203.0.113.9")
    assert locked.status_code == 429 and not signed_in(client)
    # the same account from elsewhere, and another account from the same address, still sign in
    elsewhere = post_login(client, reverse("login"), applicant.username, PASSWORD, forwarded="203.0.113.10")
    assert elsewhere.status_code == 302
    client.logout()
    assert post_login(client, reverse("login"), other.username, PASSWORD, forwarded="203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(client, settings, applicant):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 0
    for i in range(5):  # a new forged address each time: it must not buy new attempts
        post_login(client, reverse("login"), applicant.username, "wrong", remote="198.51.100.7",
                   forwarded=f"203.0.113.{i + 1}")
    locked = post_login(client, reverse("login"), applicant.username, PASSWORD, remote="198.51.100.7",
                        forwarded="203.0.113.99")
    assert locked.status_code == 429 and not signed_in(client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


@pytest.mark.django_db
def test_behind_one_proxy_only_the_address_it_appended_counts(client, settings, applicant):
    """A client that writes its own X-Forwarded-For gets it prefixed to what nginx appends: the
    throttle keys on nginx's entry, so forged entries buy no fresh attempts."""
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    for i in range(5):
        post_login(client, reverse("login"), applicant.username, "wrong", forwarded=f"1.2.3.{i}, 203.0.113.5")
    locked = post_login(client, reverse("login"), applicant.username, PASSWORD, forwarded="9.9.9.9, 203.0.113.5")
    assert locked.status_code == 429


def test_client_address_rule(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 192.0.2.1")
    settings.PORTAL_TRUSTED_PROXY_COUNT = 0
    assert throttle.client_address(request) == PROXY
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    assert throttle.client_address(request) == "192.0.2.1"
    settings.PORTAL_TRUSTED_PROXY_COUNT = 2
    assert throttle.client_address(request) == "203.0.113.5"
    # a request that bypassed the proxies (no header, or a header too short): the peer itself
    assert throttle.client_address(factory.get("/", REMOTE_ADDR="192.0.2.9")) == "192.0.2.9"
    settings.PORTAL_TRUSTED_PROXY_COUNT = 4
    assert throttle.client_address(request) == PROXY


@pytest.mark.django_db
def test_the_lock_out_page_is_chinese_with_status_429(client, applicant):
    for _ in range(5):
        post_login(client, reverse("login"), applicant.username, "wrong")
    response = post_login(client, reverse("login"), applicant.username, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "尝试次数过多，请15分钟后再试。" in html
    assert "Too many" not in html and "Account locked" not in html


@pytest.mark.django_db
def test_a_superuser_unlocks_an_account_in_the_admin_and_it_is_audited(client, applicant, superuser):
    for _ in range(5):
        post_login(client, reverse("login"), applicant.username, "wrong")
    attempt = AccessAttempt.objects.get(username=applicant.username)
    staff = client.__class__()
    staff.force_login(superuser)
    assert staff.get("/admin/axes/accessattempt/").status_code == 200
    response = staff.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert AuditEntry.objects.filter(action="accessattempt.delete", actor=superuser, via="admin").exists()
    assert post_login(client, reverse("login"), applicant.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_wrong_current_passwords_on_the_password_change_page_are_throttled(client):
    """The page checks the current password itself (not through authenticate()): five wrong ones lock
    it for that account and address, even for the right password."""
    from django.urls import reverse

    from tests.factories import UserFactory

    user = UserFactory()
    user.set_password("Right-pass-2026")
    user.save()
    client.force_login(user)
    url = reverse("password_change")
    for _ in range(5):
        response = client.post(url, {"old_password": "wrong", "new_password1": "New-pass-2026x",
                                     "new_password2": "New-pass-2026x"})
        assert response.status_code == 200
    response = client.post(url, {"old_password": "Right-pass-2026", "new_password1": "New-pass-2026x",
                                 "new_password2": "New-pass-2026x"})
    assert response.status_code == 429 and "尝试次数过多" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("Right-pass-2026")
