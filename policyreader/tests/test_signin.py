"""Sign-in throttling (django-axes): a username is locked from an address after N failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

LOGIN = "/accounts/login/"
PASSWORD = "rita-secret-pw-1"


@pytest.fixture
def rita(db):
    return User.objects.create_user("rita", password=PASSWORD)


def sign_in(client, password, username="rita", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(rita):
    client = Client()
    statuses = [sign_in(client, f"wrong-{i}").status_code for i in range(30)]
    limit = settings.LOGIN_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form, with its error
    assert set(statuses[limit:]) == {429}
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    assert response["Retry-After"] == str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    html = response.content.decode()
    assert "登录失败次数过多" in html and f"{settings.LOGIN_LOCKOUT_MINUTES} 分钟" in html
    assert 'name="username"' in html  # the sign-in page itself, not a bare refusal


def test_the_message_is_in_the_users_language(rita):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, f"wrong-{i}")
    html = sign_in(client, PASSWORD).content.decode()
    assert "Too many failed sign-in attempts" in html
    assert f"{settings.LOGIN_LOCKOUT_MINUTES} minutes" in html


def test_fewer_failures_than_the_limit_still_sign_in_and_start_again(rita):
    client = Client()
    for _round in range(2):
        for i in range(settings.LOGIN_FAILURE_LIMIT - 1):
            assert sign_in(client, f"wrong-{i}").status_code == 200
        assert sign_in(client, PASSWORD).status_code == 302
        assert signed_in(client)
        client.logout()


def test_the_lock_is_for_that_username_from_that_address(rita):
    User.objects.create_user("otto", password="otto-secret-pw-1")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(settings.LOGIN_FAILURE_LIMIT + 3):
        sign_in(attacker, f"wrong-{i}")
    assert sign_in(attacker, PASSWORD).status_code == 429
    # Rita, elsewhere, still signs in; Otto, from the attacker's address, too.
    rita_client = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(rita_client, PASSWORD).status_code == 302
    assert sign_in(attacker, "otto-secret-pw-1", username="otto").status_code == 302


def test_the_lock_ends_after_the_cool_off(rita):
    client = Client()
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, f"wrong-{i}")
    assert sign_in(client, PASSWORD).status_code == 429
    later = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - later
        )
    assert sign_in(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_limit_is_a_setting(rita, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    sign_in(client, "wrong-1")
    assert sign_in(client, "wrong-2").status_code == 429
    assert sign_in(client, PASSWORD).status_code == 429


def test_client_login_without_a_request_still_works(rita):
    # Tests and scripts sign in with Client.login(), which passes no request.
    client = Client()
    assert client.login(username="rita", password=PASSWORD)
