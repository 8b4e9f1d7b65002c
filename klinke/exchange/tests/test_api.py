"""The support exchange's JSON API: the pages' permissions, 422s that name the field, CSRF."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from klinke.accounts.models import APIToken
from klinke.exchange import actions
from klinke.exchange.models import Introduction, IntroductionState, ItemState, Need, Offer
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.testing import api_client

pytestmark = pytest.mark.django_db

JSON = "application/json"


def post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, data, content_type=JSON)


def put(client: Client, url: str, data: Any) -> Any:
    return client.put(url, data, content_type=JSON)


def need_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "collective": "quellcode",
        "title": "Hilfe bei der Preisgestaltung",
        "description": "Wie kalkulieren wir unseren Tagessatz?",
        "kinds": ["experience-exchange"],
        "topics": ["pricing"],
    }
    payload.update(overrides)
    return payload


def refs(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["ref"] for item in response.json()["items"]]


@pytest.fixture
def items(network: Any) -> dict[str, Any]:
    public = make_need(network.collective_a, "Öffentliches Gesuch", "Preise.", topics=["pricing"])
    secret = make_need(network.collective_a, "Geheimes Gesuch", "Preise.", visibility="members")
    in_hidden = make_need(network.hidden, "Verborgenes Gesuch", "Preise.")
    closed = make_need(network.collective_b, "Erledigtes Gesuch", "Preise.")
    actions.do_set_item_state(item=closed, state="closed", outcome="fulfilled")
    offer = make_offer(network.supporter, "Sams Angebot", "Preise.", topics=["pricing"])
    secret_offer = make_offer(network.supporter, "Geheimes Angebot", "x", visibility="members")
    hidden_offer = make_offer(network.hidden_supporter, "Stilles Angebot", "x")
    return {
        "public": public,
        "secret": secret,
        "in_hidden": in_hidden,
        "closed": closed,
        "offer": offer,
        "secret_offer": secret_offer,
        "hidden_offer": hidden_offer,
    }


# --- reading -----------------------------------------------------------------------------------


def test_it_lists_and_shows_only_needs_the_caller_may_see(network, items, client):
    outsider = api_client(network.outsider)
    for anonymous_or_outsider in (client, outsider):
        assert refs(anonymous_or_outsider.get("/api/v1/needs")) == [items["public"].ref]
        for hidden in ("secret", "in_hidden"):
            url = f"/api/v1/needs/{items[hidden].ref}"
            assert anonymous_or_outsider.get(url).status_code == 404

    member = api_client(network.bob)
    assert sorted(refs(member.get("/api/v1/needs"))) == sorted(
        items[k].ref for k in ("public", "secret", "in_hidden")
    )
    assert items["closed"].ref in refs(member.get("/api/v1/needs?include_closed=true"))
    assert sorted(refs(member.get("/api/v1/needs?collective=quellcode"))) == sorted(
        [items["public"].ref, items["secret"].ref]
    )
    detail = member.get(f"/api/v1/needs/{items['public'].ref}").json()
    assert detail["owner"] == "collective:quellcode"
    assert detail["collective"] == "quellcode"
    assert detail["topics"] == ["pricing"]
    assert detail["kinds"] == ["experience-exchange"]
    assert detail["url"] == items["public"].get_absolute_url()


def test_it_lists_and_shows_only_offers_the_caller_may_see(network, items, client):
    for anonymous_or_outsider in (client, api_client(network.outsider)):
        assert refs(anonymous_or_outsider.get("/api/v1/offers")) == [items["offer"].ref]
        for hidden in ("secret_offer", "hidden_offer"):
            url = f"/api/v1/offers/{items[hidden].ref}"
            assert anonymous_or_outsider.get(url).status_code == 404

    member = api_client(network.alice)
    assert sorted(refs(member.get("/api/v1/offers"))) == sorted(
        items[k].ref for k in ("offer", "secret_offer", "hidden_offer")
    )
    detail = member.get(f"/api/v1/offers/{items['offer'].ref}").json()
    assert detail["owner"] == "supporter:sam-berater"


def test_it_refuses_a_wrong_token_instead_of_answering_anonymously(network, items):
    broken = Client(headers={"authorization": "Bearer klk_not-a-token"})
    assert broken.get("/api/v1/needs").status_code == 401
    token, raw = APIToken.issue(user=network.bob, name="old")
    token.revoke()
    revoked = Client(headers={"authorization": f"Bearer {raw}"})
    assert revoked.get(f"/api/v1/needs/{items['secret'].ref}").status_code == 401


# --- writing needs and offers ---------------------------------------------------------------


def test_it_creates_a_need_for_a_member_with_a_token(network):
    response = post(api_client(network.alice2), "/api/v1/needs", need_payload())

    assert response.status_code == 201, response.content
    data = response.json()
    need = Need.objects.get()
    assert data["ref"] == need.ref
    assert (data["owner"], data["state"], data["topics"]) == (
        "collective:quellcode",
        "open",
        ["pricing"],
    )
    assert data["languages"] == ["de", "en"]  # from the collective
    assert data["city"] == "Leipzig"
    assert need.created_by == network.alice2


def test_it_refuses_needs_for_other_collectives_and_from_anonymous_callers(network, client):
    assert post(api_client(network.bob), "/api/v1/needs", need_payload()).status_code == 403
    assert post(api_client(network.sam), "/api/v1/needs", need_payload()).status_code == 403
    # A members-only collective does not exist for outsiders.
    hidden = need_payload(collective="verborgen")
    assert post(api_client(network.outsider), "/api/v1/needs", hidden).status_code == 404
    assert post(api_client(network.alice), "/api/v1/needs", hidden).status_code == 403
    assert post(client, "/api/v1/needs", need_payload()).status_code == 401
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kinds": []}, "kinds"),
        ({"kinds": ["coffee"]}, "kinds"),
        ({"topics": ["pricing", "astrology"]}, "topics"),
        ({"starts_on": "2030-05-01", "ends_on": "2030-04-01"}, "ends_on"),
        ({"title": ""}, "title"),
        ({"visibility": "secret"}, "visibility"),
        ({"languages": ["xx"]}, "languages"),
        ({"effort_hours": 0}, "effort_hours"),
    ],
)
def test_it_answers_422_naming_the_field_and_writes_nothing(network, overrides, field):
    response = post(api_client(network.alice), "/api/v1/needs", need_payload(**overrides))

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith(f"{field}: "), detail
    assert not Need.objects.exists()


def test_it_answers_422_for_a_missing_or_mistyped_field(network):
    alice = api_client(network.alice)
    payload = need_payload()
    del payload["title"]
    response = post(alice, "/api/v1/needs", payload)
    assert response.status_code == 422
    assert any("title" in error["loc"] for error in response.json()["detail"])

    response = post(alice, "/api/v1/needs", need_payload(effort_hours="viele"))
    assert response.status_code == 422
    assert any("effort_hours" in error["loc"] for error in response.json()["detail"])
    assert not Need.objects.exists()


def test_it_updates_a_need_for_any_member_and_nobody_else(network, client):
    need = make_need(network.collective_a, "Alt", "Alter Text.", topics=["pricing"])
    url = f"/api/v1/needs/{need.ref}"
    payload = need_payload(title="Neu", topics=["pricing", "acquisition"])
    del payload["collective"]

    assert put(api_client(network.bob), url, payload).status_code == 403
    assert put(client, url, payload).status_code == 401
    assert put(api_client(network.alice2), url, {**payload, "kinds": []}).status_code == 422
    need.refresh_from_db()
    assert need.title == "Alt"

    response = put(api_client(network.alice2), url, payload)

    assert response.status_code == 200
    assert response.json()["title"] == "Neu"
    need.refresh_from_db()
    assert need.title == "Neu"
    assert sorted(t.slug for t in need.topics.all()) == ["acquisition", "pricing"]


def test_it_hides_members_only_needs_from_outsiders_who_write(network):
    need = make_need(network.collective_a, "Geheim", "Text.", visibility="members")
    outsider = api_client(network.outsider)
    payload = need_payload()
    del payload["collective"]

    assert put(outsider, f"/api/v1/needs/{need.ref}", payload).status_code == 404
    state = {"state": "closed", "outcome": "dropped"}
    assert post(outsider, f"/api/v1/needs/{need.ref}/state", state).status_code == 404
    need.refresh_from_db()
    assert (need.title, need.state) == ("Geheim", ItemState.OPEN)


def test_it_changes_state_through_the_api_with_an_outcome_to_close(network):
    need = make_need(network.collective_a, "Gesuch", "Text.")
    url = f"/api/v1/needs/{need.ref}/state"
    alice = api_client(network.alice)

    assert post(api_client(network.bob), url, {"state": "in-progress"}).status_code == 403
    assert post(alice, url, {"state": "in-progress"}).json()["state"] == "in-progress"

    response = post(alice, url, {"state": "closed"})
    assert response.status_code == 422
    assert response.json()["detail"] == "outcome: Say how it ended when you close it."
    response = post(alice, url, {"state": "paused"})
    assert response.status_code == 422
    assert response.json()["detail"] == "state: Unknown state."
    need.refresh_from_db()
    assert need.state == ItemState.IN_PROGRESS

    data = post(alice, url, {"state": "closed", "outcome": "elsewhere"}).json()
    assert (data["state"], data["outcome"]) == ("closed", "elsewhere")


def test_it_creates_and_edits_offers_with_the_pages_rules(network, client):
    payload = need_payload(title="Preise kalkulieren")
    del payload["collective"]

    # Without a collective, the offer is the caller's supporter profile's.
    response = post(api_client(network.sam), "/api/v1/offers", payload)
    assert response.status_code == 201
    assert response.json()["owner"] == "supporter:sam-berater"
    response = post(api_client(network.alice), "/api/v1/offers", payload)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("collective: ")
    response = post(
        api_client(network.bob), "/api/v1/offers", {**payload, "collective": "quellcode"}
    )
    assert response.status_code == 403
    assert post(client, "/api/v1/offers", payload).status_code == 401
    assert Offer.objects.count() == 1

    offer = Offer.objects.get()
    url = f"/api/v1/offers/{offer.ref}"
    for user in (network.alice, network.bob, network.stella):
        assert put(api_client(user), url, {**payload, "title": "X"}).status_code == 403
        state = {"state": "closed", "outcome": "dropped"}
        assert post(api_client(user), url + "/state", state).status_code == 403
    assert put(api_client(network.sam), url, {**payload, "title": "Y"}).json()["title"] == "Y"


# --- matches ------------------------------------------------------------------------------------


def test_it_shows_matches_with_reasons_to_the_owners_only(network, items, client):
    need = items["public"]
    url = f"/api/v1/needs/{need.ref}/matches"

    response = api_client(network.alice2).get(url)

    assert response.status_code == 200
    matches = response.json()
    assert {"type": "offer", "ref": items["offer"].ref} in [
        {"type": m["type"], "ref": m["ref"]} for m in matches
    ]
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True)
    first = matches[0]
    assert first["reasons"]
    assert set(first["reasons"][0]) == {"factor", "score", "text"}
    assert first["reasons"][0]["text"]["en"]
    assert first["reasons"][0]["text"]["de"]

    assert api_client(network.bob).get(url).status_code == 403
    assert api_client(network.sam).get(url).status_code == 403
    assert client.get(url).status_code == 401
    secret = f"/api/v1/needs/{items['secret'].ref}/matches"
    assert api_client(network.outsider).get(secret).status_code == 404

    offer_url = f"/api/v1/offers/{items['offer'].ref}/matches"
    assert api_client(network.alice).get(offer_url).status_code == 403
    offer_matches = api_client(network.sam).get(offer_url).json()
    assert need.ref in [m["ref"] for m in offer_matches]


# --- introductions ----------------------------------------------------------------------------


def introduction_payload(need: Need, **overrides: Any) -> dict[str, Any]:
    payload = {
        "need": need.ref,
        "counterpart": "supporter:sam-berater",
        "message": "Hallo Sam, hilfst du uns?",
    }
    payload.update(overrides)
    return payload


def test_it_requests_an_introduction_through_the_api(network, items, client):
    need = items["public"]
    payload = introduction_payload(need, offer=items["offer"].ref, phone="+49 341 5")

    assert post(api_client(network.bob), "/api/v1/introductions", payload).status_code == 403
    assert post(client, "/api/v1/introductions", payload).status_code == 401
    assert not Introduction.objects.exists()

    response = post(api_client(network.alice), "/api/v1/introductions", payload)

    assert response.status_code == 201
    data = response.json()
    assert (data["need"], data["counterpart"], data["offer"], data["state"]) == (
        need.ref,
        "supporter:sam-berater",
        items["offer"].ref,
        "requested",
    )
    assert (data["requester_contact"], data["responder_contact"]) == (None, None)

    again = post(api_client(network.alice2), "/api/v1/introductions", payload)
    assert again.status_code == 409
    assert "already an open introduction" in again.json()["detail"]
    assert Introduction.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"counterpart": "person:sam"}, 422, "counterpart"),
        ({"counterpart": "collective:quellcode"}, 422, "counterpart"),
        ({"message": "  "}, 422, "message"),
        ({"counterpart": "supporter:gibt-es-nicht"}, 404, None),
        ({"need": "need-gibt-es-nicht"}, 404, None),
        ({"offer": "offer-gibt-es-nicht"}, 404, None),
    ],
)
def test_it_refuses_bad_introduction_requests(network, items, overrides, status, field):
    payload = {**introduction_payload(items["public"]), **overrides}

    response = post(api_client(network.alice), "/api/v1/introductions", payload)

    assert response.status_code == status
    if field:
        assert response.json()["detail"].startswith(f"{field}: ")
    assert not Introduction.objects.exists()


def test_it_hides_members_only_needs_and_counterparts_from_outsiders(network, items):
    outsider = api_client(network.outsider)
    payload = introduction_payload(items["secret"])
    assert post(outsider, "/api/v1/introductions", payload).status_code == 404
    payload = introduction_payload(items["public"], counterpart="supporter:stille-hilfe")
    assert post(outsider, "/api/v1/introductions", payload).status_code == 404
    assert not Introduction.objects.exists()


def test_it_moves_introductions_through_the_api_with_the_pages_rules(network, items, client):
    introduction = actions.do_request_introduction(
        need=items["public"], user=network.alice, counterpart=network.supporter, message="Hallo"
    )
    url = f"/api/v1/introductions/{introduction.pk}"
    alice, sam = api_client(network.alice), api_client(network.sam)

    # The wrong side is refused, outsiders do not see it, anonymous callers must log in.
    assert post(alice, url + "/accept", {}).status_code == 403
    assert post(alice, url + "/decline", {}).status_code == 403
    assert post(sam, url + "/withdraw", {}).status_code == 403
    assert post(alice, url + "/complete", {"helpful": True, "rating": 4}).status_code == 409
    assert post(api_client(network.bob), url + "/accept", {}).status_code == 404
    assert post(client, url + "/accept", {}).status_code == 401
    assert alice.get(url).json()["state"] == "requested"

    accepted = post(sam, url + "/accept", {"message": "Gern", "phone": "+49 30 9"})
    assert accepted.status_code == 200
    assert accepted.json()["responder_contact"]["phone"] == "+49 30 9"
    assert post(alice, url + "/withdraw", {}).status_code == 409
    assert post(sam, url + "/complete", {"helpful": True, "rating": 4}).status_code == 403

    response = post(alice, url + "/complete", {"helpful": True, "rating": 6})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("rating: ")
    assert alice.get(url).json()["state"] == "accepted"

    done = post(alice, url + "/complete", {"helpful": True, "rating": 5, "note": "Danke"})
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["helpful"], done.json()["rating"]) == (
        "completed",
        True,
        5,
    )


def test_it_declines_and_withdraws_through_the_api(network, items):
    first = actions.do_request_introduction(
        need=items["public"], user=network.alice, counterpart=network.supporter, message="Hallo"
    )
    second = actions.do_request_introduction(
        need=items["public"], user=network.alice, counterpart=network.collective_b, message="Hi"
    )

    declined = post(api_client(network.sam), f"/api/v1/introductions/{first.pk}/decline", {})
    withdrawn = post(api_client(network.alice2), f"/api/v1/introductions/{second.pk}/withdraw", {})

    assert (declined.status_code, declined.json()["state"]) == (200, "declined")
    assert (withdrawn.status_code, withdrawn.json()["state"]) == (200, "withdrawn")


def test_it_lists_only_introductions_the_caller_is_part_of(network, items):
    mine = actions.do_request_introduction(
        need=items["public"], user=network.alice, counterpart=network.supporter, message="Hallo"
    )
    other_need = make_need(network.collective_b, "Bobs Gesuch", "Preise.")
    theirs = actions.do_request_introduction(
        need=other_need, user=network.bob, counterpart=network.supporter, message="Hallo"
    )

    def ids(user: Any, query: str = "") -> list[int]:
        data = api_client(user).get("/api/v1/introductions" + query).json()
        return sorted(item["id"] for item in data["items"])

    assert ids(network.alice) == [mine.pk]
    assert ids(network.bob) == [theirs.pk]
    assert ids(network.sam) == sorted([mine.pk, theirs.pk])
    assert ids(network.outsider) == []
    actions.do_withdraw_introduction(introduction_id=mine.pk, user=network.alice)
    assert ids(network.sam, "?state=requested") == [theirs.pk]
    assert Introduction.objects.get(pk=mine.pk).state == IntroductionState.WITHDRAWN


# --- CSRF ----------------------------------------------------------------------------------------


def test_it_refuses_session_writes_without_the_csrf_token(network, items):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(network.alice)
    introduction = actions.do_request_introduction(
        need=items["public"], user=network.alice, counterpart=network.supporter, message="Hallo"
    )
    payload = need_payload()
    update = {k: v for k, v in payload.items() if k != "collective"}
    items["public"].refresh_from_db()
    before = (items["public"].title, items["public"].state)

    writes = [
        ("post", "/api/v1/needs", payload),
        ("put", f"/api/v1/needs/{items['public'].ref}", {**update, "title": "Gekapert"}),
        ("post", f"/api/v1/needs/{items['public'].ref}/state", {"state": "in-progress"}),
        ("post", f"/api/v1/introductions/{introduction.pk}/withdraw", {}),
        ("post", "/api/v1/introductions", introduction_payload(items["public"])),
    ]
    for method, url, data in writes:
        response = getattr(browser, method)(url, data, content_type=JSON)
        assert response.status_code == 403, url
        assert "CSRF" in response.json()["detail"]
    assert Need.objects.count() == 4
    items["public"].refresh_from_db()
    assert (items["public"].title, items["public"].state) == before
    assert Introduction.objects.get().state == IntroductionState.REQUESTED

    # Reads need no token, and a write with the token from the cookie goes through.
    assert browser.get(f"/api/v1/needs/{items['secret'].ref}").status_code == 200
    browser.get("/exchange/")
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/needs", payload, content_type=JSON, headers={"x-csrftoken": token}
    )
    assert response.status_code == 201
