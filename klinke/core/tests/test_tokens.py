"""Secrets handed out once are stored only as digests, so a leaked row is not the secret."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from klinke.accounts.models import APIToken
from klinke.collectives import actions as collective_actions
from klinke.collectives.models import Invitation
from klinke.conftest import Network
from klinke.core.tokens import hash_token, issue_token, make_token, token_matches
from klinke.estimates import actions as estimate_actions
from klinke.estimates.models import Estimate
from klinke.estimates.tests.conftest import make_estimate
from klinke.inquiries.models import Inquiry
from klinke.inquiries.tests.conftest import submitted
from klinke.workshops import actions as workshop_actions
from klinke.workshops.models import CalendarToken

# Models that hold a secret handed out once, and the column that stands in for it.
SECRET_HOLDERS = {
    APIToken: "digest",
    CalendarToken: "digest",
    Invitation: "digest",
    Estimate: "link_digest",
    Inquiry: "status_digest",
}


def test_it_makes_distinct_url_safe_tokens_with_their_prefix() -> None:
    tokens = {make_token("klk_") for _ in range(100)}
    assert len(tokens) == 100
    assert all(token.startswith("klk_") and len(token) >= 40 for token in tokens)
    assert all(token.replace("-", "").replace("_", "").isalnum() for token in tokens)


def test_it_matches_a_token_only_against_its_own_digest() -> None:
    raw, digest = issue_token()
    assert digest == hash_token(raw) and len(digest) == 64
    assert token_matches(raw, digest)
    assert not token_matches(digest, digest)
    assert not token_matches(raw[:-1], digest)
    assert not token_matches(make_token(), digest)


def test_it_stores_no_column_named_like_a_clear_text_secret() -> None:
    suspicious = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("klinke.")
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField)
        and any(word in field.name for word in ("token", "secret", "password"))
        # The user's password is Django's salted hash; anything else must be a digest column.
        and not (model._meta.label == "accounts.User" and field.name == "password")
    ]
    assert suspicious == []


def test_it_knows_every_model_that_holds_a_secret() -> None:
    holders = {
        model
        for model in apps.get_models()
        if model.__module__.startswith("klinke.")
        for field in model._meta.get_fields()
        if field.name.endswith("digest") and isinstance(field, models.CharField)
    }
    assert holders == set(SECRET_HOLDERS)


@pytest.fixture
def issued(network: Network) -> dict[type[models.Model], tuple[Any, str]]:
    api_token, api_secret = APIToken.issue(user=network.alice, name="deploy")
    feed_secret = workshop_actions.do_regenerate_calendar_token(user=network.alice)
    invitation, invitation_secret = collective_actions.do_invite_member(
        collective=network.collective_a, inviter=network.alice, email="olga@example.org"
    )
    estimate = make_estimate(network.collective_a, network.alice)
    link_secret = estimate_actions.do_share_estimate(estimate=estimate, user=network.alice)
    inquiry, status_secret = submitted()
    return {
        Inquiry: (inquiry, status_secret),
        Estimate: (estimate, link_secret),
        APIToken: (api_token, api_secret),
        CalendarToken: (CalendarToken.objects.get(user=network.alice), feed_secret),
        Invitation: (invitation, invitation_secret),
    }


def test_it_stores_each_secret_only_as_its_digest(issued: dict[Any, tuple[Any, str]]) -> None:
    for model, (row, secret) in issued.items():
        stored = model.objects.filter(pk=row.pk).values().get()
        assert secret not in {str(value) for value in stored.values()}, model
        assert stored[SECRET_HOLDERS[model]] == hash_token(secret)


def test_it_refuses_a_stored_digest_used_as_the_secret(
    network: Network, issued: dict[Any, tuple[Any, str]]
) -> None:
    api_token, _ = issued[APIToken]
    feed, _ = issued[CalendarToken]
    invitation, _ = issued[Invitation]
    assert APIToken.objects.authenticate(api_token.digest) is None
    assert CalendarToken.objects.find(feed.digest) is None
    assert not Invitation.objects.with_secret(invitation.digest).exists()

    # A token that does not authenticate is refused, not served anonymously.
    bearer = {"Authorization": f"Bearer {api_token.digest}"}
    response = network.client_for(None).get("/api/v1/collectives/quellcode", headers=bearer)
    assert response.status_code == 401
    feed_url = reverse("workshops:personal_feed", args=[feed.digest])
    assert network.client_for(None).get(feed_url).status_code == 404


def test_it_does_not_let_a_leaked_invitation_row_join_the_collective(
    network: Network, issued: dict[Any, tuple[Any, str]]
) -> None:
    invitation, secret = issued[Invitation]
    olga = network.client_for(network.outsider)
    leaked_path = reverse("collectives:accept_invitation", args=[invitation.digest])
    assert olga.get(leaked_path).status_code == 404
    assert olga.post(leaked_path).status_code == 404
    with pytest.raises(collective_actions.InvitationError):
        collective_actions.do_accept_invitation(token=invitation.digest, user=network.outsider)
    assert not network.collective_a.has_member(network.outsider)
    # The secret from the email still works.
    assert olga.post(Invitation.accept_path(secret)).status_code == 302
    assert network.collective_a.has_member(network.outsider)
