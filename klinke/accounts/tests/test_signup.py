"""Signing up with email and password, verifying the address, and resetting a password."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from post_office.models import STATUS, Email

from klinke.accounts.models import User
from klinke.conftest import deliver_mail, text_body

PASSWORD = "Zebra-Laterne-91"
# Links point at SITE_URL, not at whatever host the request named.
CONFIRM_LINK = re.compile(r"http://127\.0\.0\.1:8000(/accounts/confirm-email/[^\s/]+/)")
RESET_LINK = re.compile(r"http://127\.0\.0\.1:8000(/accounts/password/reset/key/[^\s/]+/)")


def sign_up(client, email: str, *, password: str = PASSWORD, language: str | None = None):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return client.post(
        reverse("account_signup"),
        {"name": "Neu Person", "email": email, "password1": password, "password2": password},
        **headers,
    )


def log_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def is_logged_in_as(client, user: User) -> bool:
    return bool(client.session.get("_auth_user_id") == str(user.pk))


def link_in(message, pattern: re.Pattern[str]) -> str:
    match = pattern.search(text_body(message))
    assert match, text_body(message)
    return match.group(1)


@pytest.mark.django_db
def test_it_queues_the_verification_email_and_sends_it_over_smtp(client, smtp_server):
    response = sign_up(client, "neu@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="neu@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert not is_logged_in_as(client, user)
    # Stored in the outbox first; nothing reaches SMTP until the worker runs.
    assert Email.objects.get().status == STATUS.queued
    assert smtp_server.messages == []

    assert deliver_mail() == 1

    [message] = smtp_server.to("neu@example.org")
    assert "/accounts/confirm-email/" in text_body(message)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        (None, "[klinke] Bitte bestätige deine E-Mail-Adresse", "dass sie dir gehört"),
        ("de", "[klinke] Bitte bestätige deine E-Mail-Adresse", "dass sie dir gehört"),
        ("en", "[klinke] Please confirm your email address", "confirm that it is yours"),
    ],
)
def test_it_writes_the_verification_email_in_the_sign_up_language(
    client, smtp_server, settings, language, subject, phrase
):
    # Without a language choice the site's own default applies, which is German.
    settings.LANGUAGE_CODE = "de"
    sign_up(client, "neu@example.org", language=language)
    deliver_mail()

    [message] = smtp_server.to("neu@example.org")
    assert message["Subject"] == subject
    assert phrase in text_body(message)
    # Later notifications follow the same language.
    assert User.objects.get(email="neu@example.org").language == (language or "de")


@pytest.mark.django_db
def test_it_stores_the_password_as_an_argon2_hash(client):
    sign_up(client, "neu@example.org")

    user = User.objects.get(email="neu@example.org")
    assert user.password.startswith("argon2$")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_it_does_not_log_in_before_the_address_is_verified(client, smtp_server):
    sign_up(client, "neu@example.org")
    user = User.objects.get(email="neu@example.org")
    client.logout()

    response = log_in(client, "neu@example.org", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in_as(client, user)
    assert client.get(reverse("accounts:settings"))["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_it_confirms_the_address_by_post_and_logs_in(client, smtp_server):
    sign_up(client, "neu@example.org", language="en")
    deliver_mail()
    path = link_in(smtp_server.to("neu@example.org")[0], CONFIRM_LINK)
    user = User.objects.get(email="neu@example.org")

    page = client.get(path)

    # GET only shows a form: mail scanners that follow links must not confirm addresses.
    assert page.status_code == 200
    assert b'method="post"' in page.content
    assert "neu@example.org" in page.content.decode()
    assert not EmailAddress.objects.get(user=user).verified
    assert not is_logged_in_as(client, user)

    response = client.post(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert EmailAddress.objects.get(user=user).verified
    assert is_logged_in_as(client, user)
    assert client.get(reverse("accounts:settings")).status_code == 200


@pytest.mark.django_db
def test_it_asks_for_the_password_when_the_link_opens_in_another_browser(client, smtp_server):
    sign_up(client, "neu@example.org")
    deliver_mail()
    path = link_in(smtp_server.to("neu@example.org")[0], CONFIRM_LINK)
    user = User.objects.get(email="neu@example.org")
    other_browser = client.__class__()

    response = other_browser.post(path)

    # Confirmed, but whoever holds only the link is not logged in as the new account.
    assert EmailAddress.objects.get(user=user).verified
    assert response["Location"] == reverse("account_login")
    assert not is_logged_in_as(other_browser, user)
    log_in(other_browser, "neu@example.org", PASSWORD)
    assert is_logged_in_as(other_browser, user)


@pytest.mark.django_db
def test_it_refuses_a_forged_confirmation_link(client, smtp_server):
    sign_up(client, "neu@example.org")
    deliver_mail()
    path = link_in(smtp_server.to("neu@example.org")[0], CONFIRM_LINK)
    forged = path[:-3] + ("AAA/" if not path.endswith("AAA/") else "BBB/")

    response = client.post(forged)

    assert response.status_code == 404
    assert not EmailAddress.objects.get(email="neu@example.org").verified


@pytest.mark.django_db
def test_it_logs_in_with_the_password_once_verified(client, smtp_server):
    sign_up(client, "neu@example.org")
    deliver_mail()
    client.post(link_in(smtp_server.to("neu@example.org")[0], CONFIRM_LINK))
    client.logout()
    user = User.objects.get(email="neu@example.org")

    response = log_in(client, "NEU@example.org", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_logged_in_as(client, user)


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["alice@example.org", "ALICE@Example.org"])
def test_it_refuses_a_second_account_for_a_known_address(client, smtp_server, network, address):
    users_before = User.objects.count()
    addresses_before = EmailAddress.objects.count()
    alice_hash = network.alice.password

    response = sign_up(client, address, password="Another-Secret-77", language="en")

    # The page looks the same as for a new address (no account enumeration) ...
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    # ... but nothing is written and nobody is logged in.
    assert User.objects.count() == users_before
    assert EmailAddress.objects.count() == addresses_before
    network.alice.refresh_from_db()
    assert network.alice.password == alice_hash
    assert "_auth_user_id" not in client.session
    # The owner of the address is told plainly, by email, how to get back in.
    deliver_mail()
    [message] = smtp_server.to("alice@example.org")
    assert message["Subject"] == "[klinke] You already have an account"
    assert "There already is an account with this address" in " ".join(text_body(message).split())
    assert "/accounts/password/reset/" in text_body(message)
    assert "/accounts/confirm-email/" not in text_body(message)


@pytest.mark.django_db
def test_it_refuses_a_common_password_with_an_error(client):
    response = client.post(
        reverse("account_signup"),
        {
            "name": "Neu Person",
            "email": "neu@example.org",
            "password1": "password",
            "password2": "password",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not User.objects.filter(email="neu@example.org").exists()
    assert not Email.objects.exists()


@pytest.mark.django_db
def test_it_resets_a_forgotten_password_through_the_emailed_link(client, smtp_server, network):
    response = client.post(
        reverse("account_reset_password"), {"email": "alice@example.org"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    assert smtp_server.messages == []

    assert deliver_mail() == 1

    [message] = smtp_server.to("alice@example.org")
    assert message["Subject"] == "[klinke] Choose a new password"
    key_path = link_in(message, RESET_LINK)

    # allauth moves the key out of the URL into the session before showing the form.
    redirect = client.get(key_path)
    assert redirect.status_code == 302
    form_path = redirect["Location"]
    assert client.get(form_path).status_code == 200
    done = client.post(
        form_path, {"password1": "Neues-Passwort-42", "password2": "Neues-Passwort-42"}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("account_reset_password_from_key_done")

    network.alice.refresh_from_db()
    assert network.alice.check_password("Neues-Passwort-42")
    assert network.alice.password.startswith("argon2$")
    fresh = client.__class__()
    assert log_in(fresh, "alice@example.org", "correct horse battery").status_code == 200
    assert not is_logged_in_as(fresh, network.alice)
    log_in(fresh, "alice@example.org", "Neues-Passwort-42")
    assert is_logged_in_as(fresh, network.alice)


@pytest.mark.django_db
def test_it_uses_a_reset_link_only_once(client, smtp_server, network):
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    deliver_mail()
    key_path = link_in(smtp_server.to("alice@example.org")[0], RESET_LINK)
    form_path = client.get(key_path)["Location"]
    client.post(form_path, {"password1": "Neues-Passwort-42", "password2": "Neues-Passwort-42"})
    attacker = client.__class__()

    page = attacker.get(key_path)
    attacker.post(
        key_path, {"password1": "Drittes-Passwort-13", "password2": "Drittes-Passwort-13"}
    )

    assert page.status_code == 200
    assert page.context["token_fail"] is True
    network.alice.refresh_from_db()
    assert network.alice.check_password("Neues-Passwort-42")


@pytest.mark.django_db
def test_it_sends_no_reset_link_for_an_unknown_address(client, smtp_server):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert response.status_code == 302  # the same answer as for a known address
    deliver_mail()
    for message in smtp_server.to("nobody@example.org"):
        assert "/accounts/password/reset/key/" not in text_body(message)


@pytest.mark.django_db
def test_it_asks_for_the_name_first_and_stores_it(client):
    page = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert page.index('name="name"') < page.index('name="email"')
    assert "Dein Name" in page

    sign_up(client, "mira.schneider@example.org")

    user = User.objects.get(email="mira.schneider@example.org")
    assert user.name == "Neu Person"
    assert user.display_name == "Neu Person"


@pytest.mark.django_db
def test_it_refuses_a_sign_up_without_a_name(client):
    response = client.post(
        reverse("account_signup"),
        {"name": "   ", "email": "neu@example.org", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not User.objects.filter(email="neu@example.org").exists()
