"""Failed logins are throttled per account and per address (ACCOUNT_RATE_LIMITS)."""

from __future__ import annotations

import time as real_time
from types import SimpleNamespace

import pytest
from allauth.core.internal import ratelimit
from django.test import Client
from django.urls import reverse

from klinke.accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_hashing")]

RIGHT = "correct horse battery"  # the personas' password
WRONG_PASSWORD = "The email address and/or password you specified are not correct."
THROTTLED = "Too many failed login attempts. Try again later."


def attempt(client: Client, email: str, password: str, *, ip: str = "192.0.2.10"):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def fail(client: Client, email: str, times: int, *, ip: str = "192.0.2.10") -> None:
    for _ in range(times):
        response = attempt(client, email, "not the password", ip=ip)
        assert response.status_code == 200
        assert WRONG_PASSWORD in response.content.decode()


def logged_in_as(client: Client, user: User) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def test_it_refuses_even_the_right_password_after_five_failures(client, network):
    fail(client, "alice@example.org", 5)

    response = attempt(client, "alice@example.org", RIGHT)

    assert response.status_code == 200
    assert THROTTLED in response.content.decode()
    assert not logged_in_as(client, network.alice)


def test_it_lets_the_right_password_in_after_four_failures(client, network):
    fail(client, "alice@example.org", 4)

    response = attempt(client, "alice@example.org", RIGHT)

    assert response.status_code == 302
    assert logged_in_as(client, network.alice)


def test_it_does_not_count_successful_logins_as_attempts(client, network):
    fail(client, "alice@example.org", 4)
    for _ in range(3):
        assert attempt(client, "alice@example.org", RIGHT).status_code == 302
        client.logout()

    fail(client, "alice@example.org", 1)
    response = attempt(client, "alice@example.org", RIGHT)

    assert THROTTLED in response.content.decode()
    assert not logged_in_as(client, network.alice)


def test_it_throttles_the_account_from_every_address(network):
    attacker, owner = Client(), Client()
    for number in range(5):
        fail(attacker, "alice@example.org", 1, ip=f"198.51.100.{number + 1}")

    response = attempt(owner, "alice@example.org", RIGHT, ip="203.0.113.7")

    assert THROTTLED in response.content.decode()
    assert not logged_in_as(owner, network.alice)


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


def test_it_lets_the_account_in_again_after_five_minutes(client, network, monkeypatch):
    fail(client, "alice@example.org", 5)
    assert THROTTLED in attempt(client, "alice@example.org", RIGHT).content.decode()

    def shifted(seconds: float) -> SimpleNamespace:
        return SimpleNamespace(
            time=lambda: real_time.time() + seconds,
            monotonic=real_time.monotonic,
            sleep=real_time.sleep,
        )

    monkeypatch.setattr(ratelimit, "time", shifted(4 * 60))
    assert THROTTLED in attempt(client, "alice@example.org", RIGHT).content.decode()

    monkeypatch.setattr(ratelimit, "time", shifted(5 * 60 + 1))
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


def test_it_keeps_the_throttle_in_the_shared_database_cache(client, network):
    from django.core.cache import cache
    from django.db import connection

    fail(client, "alice@example.org", 5)

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM klinke_cache")
        assert cursor.fetchone()[0] > 0
    # Another app process shares the table; emptying it lifts the throttle for everyone.
    cache.clear()
    assert attempt(client, "alice@example.org", RIGHT).status_code == 302
