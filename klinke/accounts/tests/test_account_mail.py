"""Account emails (sign-up, password reset, security notices) are klinke's own, in de and en.

They speak as klinke does (German: "du", never "Sie"), name the site "klinke", and link to
SITE_URL rather than to whatever host the request named.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from klinke.accounts.adapters import AccountAdapter

SITE = "https://klinke.example.org"
FORMAL = re.compile(r"\b(Sie|Ihr|Ihre|Ihnen|Ihren|Ihrem|Ihrer)\b")
STOCK = ("Hello from", "Thank you for using", "You're receiving this", "Sign-In Code")
PASSWORD = "Zebra-Laterne-91"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def public_site(settings: Any) -> None:
    settings.SITE_URL = SITE


def assert_klinke_mail(message: Any, language: str) -> None:
    text = f"{message.subject}\n{message.body}"
    assert message.subject.startswith("[klinke] ")
    assert "klinke" in message.body
    assert "127.0.0.1" not in text
    assert "testserver" not in text
    assert not any(phrase in text for phrase in STOCK)
    assert "&lt;" not in text and "&amp;" not in text
    for url in re.findall(r"https?://\S+", message.body):
        assert url.startswith(SITE), url
    if language == "de":
        assert "Hallo," in message.body
        assert not FORMAL.search(text), FORMAL.search(text)
    else:
        assert "Hello," in message.body


def post(client: Any, name: str, data: dict[str, str], language: str) -> Any:
    return client.post(reverse(name), data, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["de", "en"])
def test_it_sends_klinke_s_confirmation_on_sign_up(client, language):
    data = {"name": "Neu", "email": "neu@example.org", "password1": PASSWORD, "password2": PASSWORD}
    post(client, "account_signup", data, language)

    [message] = mail.outbox
    assert_klinke_mail(message, language)
    assert f"{SITE}/accounts/confirm-email/" in message.body


@pytest.mark.parametrize("language", ["de", "en"])
def test_it_tells_the_owner_when_someone_signs_up_with_their_address(client, network, language):
    data = {
        "name": "Alice",
        "email": network.alice.email,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    post(client, "account_signup", data, language)

    [message] = mail.outbox
    assert_klinke_mail(message, language)
    assert f"{SITE}/accounts/password/reset/" in message.body


@pytest.mark.parametrize("language", ["de", "en"])
def test_it_sends_klinke_s_password_reset_link(client, network, language):
    post(client, "account_reset_password", {"email": network.alice.email}, language)

    [message] = mail.outbox
    assert_klinke_mail(message, language)
    assert f"{SITE}/accounts/password/reset/key/" in message.body


@pytest.mark.parametrize("language", ["de", "en"])
def test_it_answers_a_reset_for_an_unknown_address_in_klinke_s_words(client, language):
    post(client, "account_reset_password", {"email": "nobody@example.org"}, language)

    for message in mail.outbox:
        assert_klinke_mail(message, language)
        assert "/accounts/password/reset/key/" not in message.body


def account_templates() -> list[str]:
    """Every email template of the allauth apps klinke installs (account, mfa), as prefixes."""
    import allauth

    root = Path(allauth.__file__).parent / "templates"
    return sorted(
        str(path.relative_to(root)).removesuffix("_subject.txt")
        for app in ("account", "mfa")
        for path in root.glob(f"{app}/email/*_subject.txt")
    )


def test_it_overrides_every_allauth_email_template():
    ours = Path(django_settings.BASE_DIR) / "klinke" / "templates"
    templates = account_templates()
    assert len(templates) >= 18
    for prefix in templates:
        assert (ours / f"{prefix}_subject.txt").exists(), prefix
        assert (ours / f"{prefix}_message.txt").exists(), prefix


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("prefix", account_templates())
def test_it_renders_every_account_email_in_klinke_s_voice(rf, prefix, language):
    context = {
        "email": "neu@example.org",
        "user": None,
        "activate_url": "http://127.0.0.1:8201/accounts/confirm-email/abc/",
        "password_reset_url": "http://127.0.0.1:8201/accounts/password/reset/key/1-x/",
        "signup_url": "http://127.0.0.1:8201/accounts/signup/",
        "code": "",
        "from_email": "old@example.org",
        "to_email": "new@example.org",
        "deleted_email": "old@example.org",
        "ip": "192.0.2.1",
        "user_agent": "Firefox",
        "timestamp": "2030-05-04 18:30",
    }
    with translation.override(language):
        message = AccountAdapter(rf.get("/")).render_mail(prefix, "neu@example.org", context)
        with translation.override("en" if language == "de" else "de"):
            other = AccountAdapter(rf.get("/")).render_mail(prefix, "neu@example.org", context)

    assert_klinke_mail(message, language)
    # Both languages have their own words, not one text for both.
    assert message.subject != other.subject
    assert message.body != other.body
