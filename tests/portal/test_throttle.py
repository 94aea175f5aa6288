"""Login throttling (django-axes; the proxy and admin cases are in test_login_doors.py) and rate
limits on registration and password reset (portal.throttle)."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_five_failed_logins_lock_the_account_even_with_the_right_password(client, applicant):
    for _ in range(4):
        response = client.post(reverse("login"), {"username": applicant.username, "password": "wrong"})
        assert response.status_code == 200
    # the fifth failure is the one that locks: it already answers with the lock-out page
    assert client.post(reverse("login"), {"username": applicant.username, "password": "wrong"}).status_code == 429
    locked = client.post(reverse("login"), {"username": applicant.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "尝试次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(client, applicant):
    for _ in range(4):
        client.post(reverse("login"), {"username": applicant.username, "password": "wrong"})
    assert client.post(reverse("login"), {"username": applicant.username, "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(4):
        assert client.post(reverse("login"), {"username": applicant.username, "password": "x"}).status_code == 200


@pytest.mark.django_db
def test_other_accounts_are_not_locked_by_one_accounts_failures(client, applicant):
    from tests.factories import ApplicantFactory

    other = ApplicantFactory()
    for _ in range(6):
        client.post(reverse("login"), {"username": applicant.username, "password": "wrong"})
    assert client.post(reverse("login"), {"username": other.username, "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_registration_is_rate_limited_per_address(client):
    statuses = [client.post(reverse("register"), {"username": f"u{i}"}).status_code for i in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


@pytest.mark.django_db
def test_password_reset_sends_at_most_three_mails_per_address_an_hour(client, applicant):
    for _ in range(5):
        response = client.post(reverse("password_reset"), {"email": applicant.email})
        assert response.status_code == 302  # the same answer every time: nothing leaks
    assert len(mail.outbox) == 3
    assert client.post(reverse("password_reset"), {"email": applicant.email}).status_code == 429


@pytest.mark.django_db
def test_behind_the_proxy_registration_and_reset_limits_count_each_real_client(client, settings, applicant):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for i in range(12):  # twelve people behind the same proxy, each registering once
        response = client.post(reverse("register"), {"username": f"u{i}"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
                               **proxy)
        assert response.status_code == 200
    statuses = [client.post(reverse("register"), {"username": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.99",
                            **proxy).status_code for _ in range(11)]
    assert statuses[-1] == 429  # one real client over its limit is still stopped
    for i in range(6):
        response = client.post(reverse("password_reset"), {"email": f"n{i}@example.cn"},
                               HTTP_X_FORWARDED_FOR=f"198.51.100.{i}", **proxy)
        assert response.status_code == 302
