"""Personal API tokens: issued once, stored as a digest, accepted as Bearer, revocable."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klinke.accounts.models import APIToken, User

pytestmark = pytest.mark.django_db

TOKENS = "/me/tokens/"
QUELLCODE = "/api/v1/collectives/quellcode"
SECRET_ON_PAGE = re.compile(r'<code class="secret" id="new-token">(klk_[A-Za-z0-9_-]+)</code>')


def create_token(client: Client, name: str = "calendar sync") -> str:
    response = client.post(TOKENS, {"name": name})
    assert response.status_code == 200
    match = SECRET_ON_PAGE.search(response.content.decode())
    assert match, response.content.decode()
    return match.group(1)


def api_get(path: str, token: str | None = None, *, scheme: str = "Bearer"):
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return Client().get(path, headers=headers)


# --- the tokens page ---------------------------------------------------------------------------


def test_it_shows_a_new_token_once_and_stores_only_its_digest(network):
    client = network.client_for(network.alice)

    secret = create_token(client, "calendar sync")

    token = APIToken.objects.get()
    assert token.user == network.alice
    assert token.name == "calendar sync"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.hint == secret[:8]
    stored = [str(value) for value in APIToken.objects.values().get().values()]
    assert not any(secret in value for value in stored)
    # A reload lists the token by its hint, never its secret again.
    page = client.get(TOKENS).content.decode()
    assert secret not in page
    assert f"{token.hint}…" in page
    assert "calendar sync" in page


def test_it_issues_a_different_secret_each_time(network):
    client = network.client_for(network.alice)

    secrets = {create_token(client, f"token {number}") for number in range(3)}

    assert len(secrets) == 3
    assert APIToken.objects.filter(user=network.alice).count() == 3


def test_it_requires_a_name(network):
    client = network.client_for(network.alice)

    response = client.post(TOKENS, {"name": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not SECRET_ON_PAGE.search(response.content.decode())
    assert not APIToken.objects.exists()


def test_it_lists_only_your_own_tokens(network):
    APIToken.issue(user=network.bob, name="bobs deploy bot")
    client = network.client_for(network.alice)
    create_token(client, "alices sync")

    page = client.get(TOKENS).content.decode()

    assert "alices sync" in page
    assert "bobs deploy bot" not in page


def test_it_sends_anonymous_visitors_to_the_login(client):
    response = client.get(TOKENS)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={TOKENS}"


def test_it_lists_tokens_with_a_constant_number_of_queries(network, django_assert_num_queries):
    client = network.client_for(network.alice)
    APIToken.issue(user=network.alice, name="first")
    with CaptureQueriesContext(connection) as one_token:
        assert client.get(TOKENS).status_code == 200

    for number in range(5):
        APIToken.issue(user=network.alice, name=f"more {number}")
    with django_assert_num_queries(len(one_token.captured_queries)):
        response = client.get(TOKENS)
    assert response.content.decode().count("<tr><td>") == 6


# --- the API with a token ----------------------------------------------------------------------


def test_it_shows_members_only_fields_to_a_member_token(network):
    secret = create_token(network.client_for(network.alice))

    response = api_get(QUELLCODE, secret)

    assert response.status_code == 200
    body = response.json()
    assert body["red_lines"] == "Keine Überwachungstechnik."
    assert body["capacity_person_days_per_month"] == 12
    assert sorted(body["members"]) == ["Alice", "Alina"]


def test_it_shows_members_only_fields_to_members_of_other_collectives(network):
    secret = create_token(network.client_for(network.bob))

    body = api_get(QUELLCODE, secret).json()

    assert body["red_lines"] == "Keine Überwachungstechnik."


def test_it_hides_members_only_fields_from_anonymous_callers(network):
    response = api_get(QUELLCODE)

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Kollektiv Quellcode"
    assert body["red_lines"] is None
    assert body["capacity_person_days_per_month"] is None
    assert body["members"] is None


def test_it_hides_members_only_fields_from_a_token_outside_the_network(network):
    secret = create_token(network.client_for(network.outsider))

    response = api_get(QUELLCODE, secret)

    assert response.status_code == 200
    assert response.json()["red_lines"] is None


def test_it_shows_members_only_collectives_to_a_member_token(network):
    secret = create_token(network.client_for(network.bob))

    assert api_get("/api/v1/collectives/verborgen").status_code == 404
    assert api_get("/api/v1/collectives/verborgen", secret).status_code == 200


def test_it_records_when_a_token_was_last_used_at_most_once_a_minute(network):
    secret = create_token(network.client_for(network.alice))
    assert APIToken.objects.get().last_used_at is None

    api_get(QUELLCODE, secret)
    first_use = APIToken.objects.get().last_used_at
    api_get(QUELLCODE, secret)

    assert first_use is not None
    assert APIToken.objects.get().last_used_at == first_use


@pytest.mark.parametrize(
    ("scheme", "token"),
    [
        ("Bearer", "klk_not-a-real-token"),
        ("Bearer", "garbage"),
        ("Bearer", ""),
        ("Token", "{secret}"),
        ("Basic", "{secret}"),
    ],
)
def test_it_refuses_a_wrong_token_instead_of_serving_anonymously(network, scheme, token):
    secret = create_token(network.client_for(network.alice))

    response = api_get(QUELLCODE, token.format(secret=secret), scheme=scheme)

    assert response.status_code == 401


def test_it_refuses_a_revoked_token(network):
    client = network.client_for(network.alice)
    secret = create_token(client)
    assert api_get(QUELLCODE, secret).status_code == 200

    response = client.post(reverse("accounts:revoke_api_token", args=[APIToken.objects.get().pk]))

    assert response.status_code == 302
    assert response["Location"] == TOKENS
    assert APIToken.objects.get().revoked_at is not None
    assert api_get(QUELLCODE, secret).status_code == 401
    assert "revoked" in client.get(TOKENS, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_it_refuses_the_token_of_a_deactivated_user(network):
    secret = create_token(network.client_for(network.alice))
    User.objects.filter(pk=network.alice.pk).update(is_active=False)

    assert api_get(QUELLCODE, secret).status_code == 401


def test_it_does_not_let_one_person_revoke_anothers_token(network):
    secret = create_token(network.client_for(network.alice))
    token = APIToken.objects.get()

    response = network.client_for(network.bob).post(
        reverse("accounts:revoke_api_token", args=[token.pk])
    )

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active
    assert api_get(QUELLCODE, secret).status_code == 200


def test_it_revokes_only_by_post(network):
    create_token(network.client_for(network.alice))
    token = APIToken.objects.get()

    response = network.client_for(network.alice).get(
        reverse("accounts:revoke_api_token", args=[token.pk])
    )

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.is_active


# --- account settings --------------------------------------------------------------------------


def test_it_saves_the_language_and_sets_the_language_cookie(network):
    client = network.client_for(network.alice)
    assert network.alice.language == "de"

    response = client.post(
        reverse("accounts:settings"), {"name": "Alice B.", "language": "en", "phone": "+49 341 1"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:settings")
    network.alice.refresh_from_db()
    assert (network.alice.name, network.alice.language) == ("Alice B.", "en")
    assert network.alice.phone == "+49 341 1"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) == settings.LANGUAGE_COOKIE_AGE
    # The next page speaks the chosen language.
    page = client.get(reverse("accounts:settings"))
    assert page.headers["Content-Language"] == "en"


def test_it_refuses_an_unknown_language(network):
    client = network.client_for(network.alice)

    response = client.post(reverse("accounts:settings"), {"name": "Alice", "language": "xx"})

    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    network.alice.refresh_from_db()
    assert network.alice.language == "de"


def test_it_sends_anonymous_visitors_from_the_settings_to_the_login(client):
    response = client.get(reverse("accounts:settings"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
