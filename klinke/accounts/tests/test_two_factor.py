"""Two-factor authentication with TOTP (allauth.mfa): activation, recovery codes and login."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal import auth as totp
from django.test import Client
from django.urls import reverse

from klinke.accounts.models import User

pytestmark = [pytest.mark.django_db]

PASSWORD = "correct horse battery"  # the personas' password
NOW = 1_800_000_015.0  # a fixed moment, so a code cannot expire between computing and posting


@pytest.fixture(autouse=True)
def frozen_totp_clock(monkeypatch):
    monkeypatch.setattr(totp, "time", SimpleNamespace(time=lambda: NOW))


def code_for(secret: str, at: float = NOW) -> str:
    return str(totp.format_hotp_value(totp.hotp_value(secret, int(at) // 30)))


def wrong_code_for(secret: str) -> str:
    return f"{(int(code_for(secret)) + 1) % 1_000_000:06d}"


def log_in(client: Client, user: User):
    return client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def logged_in_as(client: Client, user: User) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def open_activation(client: Client, user: User):
    """Log in, then confirm the password again, as allauth asks before security changes."""
    assert log_in(client, user).status_code == 302
    activate = reverse("mfa_activate_totp")
    ask = client.get(activate)
    assert ask.status_code == 302
    assert ask["Location"].startswith(reverse("account_reauthenticate"))
    confirmed = client.post(ask["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == activate
    return client.get(activate, HTTP_ACCEPT_LANGUAGE="en")


def activate_totp(client: Client, user: User) -> str:
    """Activate TOTP as a person would, and return the secret."""
    page = open_activation(client, user)
    assert page.status_code == 200
    secret = str(client.session[totp.SECRET_SESSION_KEY])
    response = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert response.status_code == 302, response.content.decode()
    return secret


def test_it_shows_the_secret_to_scan_when_activating(client, network):
    page = open_activation(client, network.alice)

    secret = client.session[totp.SECRET_SESSION_KEY]
    assert len(secret) == 32  # base32 of 20 random bytes
    assert secret in page.content.decode()
    assert "otpauth://totp/" in page.context["totp_url"]
    assert "issuer=klinke" in page.context["totp_url"]
    assert not Authenticator.objects.filter(user=network.alice).exists()


def test_it_asks_for_the_password_again_before_activating(client, network):
    log_in(client, network.alice)

    response = client.post(reverse("mfa_activate_totp"), {"code": "123456"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Authenticator.objects.filter(user=network.alice).exists()


def test_it_activates_totp_with_a_valid_code(client, network):
    secret = activate_totp(client, network.alice)

    authenticator = Authenticator.objects.get(user=network.alice, type=Authenticator.Type.TOTP)
    # The secret now lives with the authenticator, not in the session.
    assert authenticator.wrap().validate_code(code_for(secret))
    assert totp.SECRET_SESSION_KEY not in client.session


def test_it_refuses_to_activate_with_a_wrong_code(client, network):
    open_activation(client, network.alice)
    secret = client.session[totp.SECRET_SESSION_KEY]

    response = client.post(
        reverse("mfa_activate_totp"), {"code": wrong_code_for(secret)}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=network.alice).exists()


def test_it_generates_recovery_codes_and_shows_them(client, network):
    activate_totp(client, network.alice)

    recovery = Authenticator.objects.get(user=network.alice, type=Authenticator.Type.RECOVERY_CODES)
    codes = RecoveryCodes(recovery).get_unused_codes()
    page = client.get(reverse("mfa_view_recovery_codes"))

    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert page.status_code == 200
    for code in codes:
        assert code in page.content.decode()


def test_it_wants_a_code_after_the_password(client, network):
    activate_totp(client, network.alice)
    client.logout()

    response = log_in(client, network.alice)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not logged_in_as(client, network.alice)
    assert client.get(reverse("accounts:settings"))["Location"].startswith(reverse("account_login"))


def test_it_completes_the_login_with_a_valid_code(client, network):
    secret = activate_totp(client, network.alice)
    client.logout()
    log_in(client, network.alice)

    response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in_as(client, network.alice)
    assert client.get(reverse("accounts:settings")).status_code == 200


def test_it_refuses_a_wrong_code_at_login(client, network):
    secret = activate_totp(client, network.alice)
    client.logout()
    log_in(client, network.alice)

    response = client.post(
        reverse("mfa_authenticate"), {"code": wrong_code_for(secret)}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not logged_in_as(client, network.alice)


def test_it_refuses_a_code_from_another_time_window(client, network):
    secret = activate_totp(client, network.alice)
    client.logout()
    log_in(client, network.alice)

    response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret, NOW - 60)})

    assert response.status_code == 200
    assert not logged_in_as(client, network.alice)


def test_it_refuses_the_same_code_twice(network):
    first, second = Client(), Client()
    secret = activate_totp(first, network.alice)
    first.logout()
    log_in(first, network.alice)
    first.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert logged_in_as(first, network.alice)

    log_in(second, network.alice)
    response = second.post(reverse("mfa_authenticate"), {"code": code_for(secret)})

    assert response.status_code == 200
    assert not logged_in_as(second, network.alice)


def test_it_accepts_a_recovery_code_once(client, network):
    activate_totp(client, network.alice)
    recovery = Authenticator.objects.get(user=network.alice, type=Authenticator.Type.RECOVERY_CODES)
    code = RecoveryCodes(recovery).get_unused_codes()[0]
    client.logout()

    log_in(client, network.alice)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert logged_in_as(client, network.alice)
    client.logout()

    log_in(client, network.alice)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert not logged_in_as(client, network.alice)


def test_it_leaves_people_without_totp_to_log_in_with_the_password(client, network):
    activate_totp(Client(), network.alice)

    response = log_in(client, network.bob)

    assert response["Location"] == reverse("home")
    assert logged_in_as(client, network.bob)
