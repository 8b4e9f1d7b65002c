"""Failed logins are throttled per address, and per account without locking the owner out.

Per address (allauth's `login_failed` rate): five failures in five minutes and that address may
not try again. Per account (klinke.accounts.throttle): after five failures from anywhere, the
password alone no longer logs in, but the password plus a TOTP code, a sign-in code sent by
email, or a password reset still do. The address is decided by klinke.core.client_address, which
believes X-Forwarded-For only from TRUSTED_PROXIES.
"""

from __future__ import annotations

import re
import time as real_time
from types import SimpleNamespace

import pytest
from allauth.core.internal import ratelimit
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from django.core import mail
from django.test import Client
from django.urls import reverse

from klinke.accounts.models import User

pytestmark = [pytest.mark.django_db]

RIGHT = "correct horse battery"  # the personas' password
WRONG_PASSWORD = "The email address and/or password you specified are not correct."
THROTTLED = "Too many failed login attempts. Try again later."
UNDER_ATTACK = "There have been too many failed logins for this account."
PROXY = "10.0.0.5"


def attempt(client: Client, email: str, password: str, *, ip: str = "192.0.2.10", **headers):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="en",
        **headers,
    )


def fail(client: Client, email: str, times: int, *, ip: str = "192.0.2.10") -> None:
    for _ in range(times):
        response = attempt(client, email, "not the password", ip=ip)
        assert response.status_code == 200
        assert WRONG_PASSWORD in response.content.decode()


def hammer(email: str, times: int) -> None:
    """An attacker guesses from a fresh address each time, so no address is throttled."""
    for number in range(times):
        attempt(Client(), email, f"guess {number}", ip=f"198.51.100.{number + 1}")


def logged_in_as(client: Client, user: User) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def shifted(seconds: float) -> SimpleNamespace:
    return SimpleNamespace(
        time=lambda: real_time.time() + seconds,
        monotonic=real_time.monotonic,
        sleep=real_time.sleep,
    )


def test_it_lets_the_right_password_in_after_four_failures(client, network):
    fail(client, "alice@example.org", 4)

    response = attempt(client, "alice@example.org", RIGHT)

    assert response.status_code == 302
    assert logged_in_as(client, network.alice)


def test_it_throttles_the_address_after_five_failures(client, network):
    fail(client, "alice@example.org", 5)

    response = attempt(client, "alice@example.org", RIGHT)

    assert THROTTLED in response.content.decode()
    assert not logged_in_as(client, network.alice)


def test_it_does_not_count_successful_logins_as_attempts(client, network):
    fail(client, "alice@example.org", 4)
    for _ in range(3):
        assert attempt(client, "alice@example.org", RIGHT).status_code == 302
        client.logout()

    fail(client, "alice@example.org", 1)
    response = attempt(client, "alice@example.org", RIGHT)

    assert THROTTLED in response.content.decode()
    assert not logged_in_as(client, network.alice)


def test_it_asks_for_more_than_the_password_once_an_account_is_under_attack(network):
    hammer("alice@example.org", 5)
    owner = Client()

    response = attempt(owner, "alice@example.org", RIGHT, ip="203.0.113.7")

    assert UNDER_ATTACK in response.content.decode()
    assert not logged_in_as(owner, network.alice)


def test_it_answers_right_and_wrong_passwords_alike_while_under_attack(network):
    hammer("alice@example.org", 5)

    right = attempt(Client(), "alice@example.org", RIGHT, ip="203.0.113.7").content.decode()
    wrong = attempt(Client(), "alice@example.org", "guess", ip="203.0.113.8").content.decode()

    assert UNDER_ATTACK in right
    assert UNDER_ATTACK in wrong
    assert WRONG_PASSWORD not in right + wrong


def test_it_lets_the_owner_in_with_password_and_totp_while_the_account_is_hammered(
    network, monkeypatch
):
    now = 1_800_000_015.0
    monkeypatch.setattr(totp, "time", SimpleNamespace(time=lambda: now))
    secret = totp.generate_totp_secret()
    Authenticator.objects.create(
        user=network.alice, type=Authenticator.Type.TOTP, data={"secret": totp.encrypt(secret)}
    )
    hammer("alice@example.org", 8)
    owner = Client()

    password_step = attempt(owner, "alice@example.org", RIGHT, ip="203.0.113.7")
    assert password_step.status_code == 302
    assert password_step["Location"] == reverse("mfa_authenticate")
    assert not logged_in_as(owner, network.alice)
    code = str(totp.format_hotp_value(totp.hotp_value(secret, int(now) // 30)))
    response = owner.post(reverse("mfa_authenticate"), {"code": code}, REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    assert logged_in_as(owner, network.alice)


def test_it_lets_the_owner_in_with_an_emailed_sign_in_code_while_under_attack(network):
    hammer("alice@example.org", 8)
    owner = Client()
    mail.outbox.clear()

    asked = owner.post(
        reverse("account_request_login_code"),
        {"email": "alice@example.org"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert asked.status_code == 302
    (message,) = mail.outbox
    code = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]+)*)\s*$", message.body, re.MULTILINE).group(1)
    response = owner.post(
        reverse("account_confirm_login_code"), {"code": code}, REMOTE_ADDR="203.0.113.7"
    )

    assert response.status_code == 302
    assert logged_in_as(owner, network.alice)


def test_it_lifts_the_account_lock_when_the_password_is_reset(network):
    hammer("alice@example.org", 5)
    owner = Client()
    mail.outbox.clear()
    owner.post(
        reverse("account_reset_password"), {"email": "alice@example.org"}, REMOTE_ADDR="203.0.113.7"
    )
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    form = owner.get(link.group(1), REMOTE_ADDR="203.0.113.7")
    owner.post(
        form["Location"],
        {"password1": "a new long passphrase", "password2": "a new long passphrase"},
        REMOTE_ADDR="203.0.113.7",
    )

    response = attempt(Client(), "alice@example.org", "a new long passphrase", ip="203.0.113.7")

    assert response.status_code == 302


def test_it_throttles_the_attackers_address_while_the_owner_gets_in_by_code(network):
    attacker = Client()
    fail(attacker, "alice@example.org", 5, ip="198.51.100.66")

    refused = attempt(attacker, "bob@example.org", RIGHT, ip="198.51.100.66")

    assert THROTTLED in refused.content.decode()
    assert not logged_in_as(attacker, network.bob)


def test_it_throttles_an_address_that_tries_many_accounts(network):
    attacker = Client()
    for email in ["alice@example.org", "alina@example.org", "sam@example.org", "olga@example.org"]:
        fail(attacker, email, 1, ip="198.51.100.66")
    fail(attacker, "nobody@example.org", 1, ip="198.51.100.66")

    refused = attempt(attacker, "bob@example.org", RIGHT, ip="198.51.100.66")
    elsewhere = Client()
    allowed = attempt(elsewhere, "bob@example.org", RIGHT, ip="203.0.113.8")

    assert THROTTLED in refused.content.decode()
    assert not logged_in_as(attacker, network.bob)
    # Bob's own account was never the target, so from his address he gets in.
    assert allowed.status_code == 302
    assert logged_in_as(elsewhere, network.bob)


def test_it_throttles_a_sprayer_by_its_real_address_despite_rotating_forwarded_for(
    network, settings
):
    settings.TRUSTED_PROXIES = [PROXY]
    sprayer = Client()
    for number, email in enumerate(
        [
            "alice@example.org",
            "alina@example.org",
            "sam@example.org",
            "olga@example.org",
            "no@example.org",
        ]
    ):
        forged = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{number + 20}"}
        response = attempt(sprayer, email, "guess", ip="198.51.100.77", **forged)
        assert WRONG_PASSWORD in response.content.decode()

    refused = attempt(
        sprayer, "bob@example.org", RIGHT, ip="198.51.100.77", HTTP_X_FORWARDED_FOR="203.0.113.99"
    )

    assert THROTTLED in refused.content.decode()
    assert not logged_in_as(sprayer, network.bob)


def test_it_counts_the_forwarded_address_behind_a_trusted_proxy(network, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    for _ in range(5):
        attempt(
            Client(), "nobody@example.org", "guess", ip=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.66"
        )

    same_client = attempt(
        Client(), "bob@example.org", RIGHT, ip=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.66"
    )
    other_client = Client()
    other = attempt(
        other_client, "bob@example.org", RIGHT, ip=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.67"
    )

    assert THROTTLED in same_client.content.decode()
    # Everyone else behind the same proxy is not caught by that client's failures.
    assert other.status_code == 302
    assert logged_in_as(other_client, network.bob)


def test_it_lets_the_password_alone_in_again_after_five_minutes(network, monkeypatch):
    hammer("alice@example.org", 5)
    assert UNDER_ATTACK in attempt(Client(), "alice@example.org", RIGHT).content.decode()

    monkeypatch.setattr(ratelimit, "time", shifted(4 * 60))
    assert UNDER_ATTACK in attempt(Client(), "alice@example.org", RIGHT).content.decode()

    monkeypatch.setattr(ratelimit, "time", shifted(5 * 60 + 1))
    client = Client()
    response = attempt(client, "alice@example.org", RIGHT)

    assert response.status_code == 302
    assert logged_in_as(client, network.alice)


def test_it_answers_429_after_thirty_login_posts_a_minute(network):
    client = Client()
    for number in range(30):
        response = attempt(client, f"person{number}@example.org", "whatever", ip="198.51.100.99")
        assert response.status_code == 200

    response = attempt(client, "alice@example.org", RIGHT, ip="198.51.100.99")

    assert response.status_code == 429
    assert not logged_in_as(client, network.alice)
    assert attempt(Client(), "alice@example.org", RIGHT, ip="203.0.113.9").status_code == 302


def test_it_keeps_the_throttle_in_the_shared_database_cache(network):
    from django.core.cache import cache
    from django.db import connection

    hammer("alice@example.org", 5)

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM klinke_cache")
        assert cursor.fetchone()[0] > 0
    # Another app process shares the table; emptying it lifts the throttle for everyone.
    cache.clear()
    assert attempt(Client(), "alice@example.org", RIGHT).status_code == 302
