"""The workshops API: same permissions as the pages, times in and out, registration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from klinke.core.models import Visibility
from klinke.testing import api_client
from klinke.workshops import actions
from klinke.workshops.models import Event, Interest, WorkshopIdea
from klinke.workshops.tests.conftest import make_event, make_idea

pytestmark = pytest.mark.django_db

API = "/api/v1/workshops"


class Caller:
    """A JSON client authenticated with a personal API token, or anonymous."""

    def __init__(self, user: Any = None) -> None:
        self.client = Client() if user is None else api_client(user)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params)

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post(API + path, data or {}, content_type="application/json")

    def put(self, path: str, data: Any) -> Any:
        return self.client.put(API + path, data, content_type="application/json")

    def delete(self, path: str) -> Any:
        return self.client.delete(API + path)


def event_payload(**overrides: Any) -> dict[str, Any]:
    payload = {
        "title": "Preise kalkulieren",
        "description": "Tagessätze durchrechnen.",
        "start": "2027-10-31T10:00",
        "end": "2027-10-31T12:00",
        "time_zone": "Europe/Berlin",
        "format": "online",
        "online_url": "https://meet.example.org/preise",
        "capacity": 2,
        "language": "de",
        "topics": ["pricing"],
        "visibility": "public",
    }
    payload.update(overrides)
    return payload


# --- ideas -----------------------------------------------------------------------------


def test_it_lists_ideas_by_visibility(network):
    make_idea(network.sam, "Offen")
    make_idea(network.sam, "Intern", visibility=Visibility.MEMBERS)
    anonymous = Caller().get("/ideas").json()
    assert [i["title"] for i in anonymous["items"]] == ["Offen"]
    member = Caller(network.bob).get("/ideas").json()
    assert {i["title"] for i in member["items"]} == {"Offen", "Intern"}
    hidden = WorkshopIdea.objects.get(title="Intern")
    assert Caller(network.outsider).get(f"/ideas/{hidden.pk}").status_code == 404


def test_it_creates_ideas_for_network_members_only(network):
    payload = {
        "title": "Akquise für Kollektive",
        "description": "Erfahrungen teilen.",
        "topics": ["acquisition"],
    }
    assert Caller().post("/ideas", payload).status_code == 401
    assert Caller(network.outsider).post("/ideas", payload).status_code == 403
    response = Caller(network.alice).post("/ideas", payload)
    assert response.status_code == 201
    body = response.json()
    assert body["interest_threshold"] == 5
    assert body["proposers"] == ["Alice"]
    assert body["topics"] == ["acquisition"]
    bad = Caller(network.alice).post("/ideas", {**payload, "topics": ["no-such-topic"]})
    assert bad.status_code == 422


def test_it_registers_and_withdraws_interest(network):
    idea = make_idea(network.sam, interest_threshold=1)
    bob = Caller(network.bob)
    response = bob.post(
        f"/ideas/{idea.pk}/interest", {"preferred_format": "in-person", "region": "Wien"}
    )
    assert response.status_code == 200
    assert response.json()["preferred_format"] == "in-person"
    assert bob.get(f"/ideas/{idea.pk}").json()["threshold_reached"] is True
    assert (
        bob.post(f"/ideas/{idea.pk}/interest", {"preferred_format": "by-pigeon"}).status_code == 422
    )
    assert bob.delete(f"/ideas/{idea.pk}/interest").status_code == 204
    assert not Interest.objects.exists()
    assert bob.delete(f"/ideas/{idea.pk}/interest").status_code == 404
    proposer = Caller(network.sam).post(f"/ideas/{idea.pk}/interest", {})
    assert proposer.status_code == 409


# --- events ----------------------------------------------------------------------------


def test_it_creates_events_from_wall_clock_time_and_zone(network):
    response = Caller(network.alice).post("/events", event_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert datetime.fromisoformat(body["starts_at"]) == datetime(2027, 10, 31, 9, tzinfo=UTC)
    assert body["local_start"] == "2027-10-31T10:00"
    assert body["time_zone"] == "Europe/Berlin"
    assert body["hosts"] == ["Alice"]
    assert body["online_url"] == "https://meet.example.org/preise"  # the host sees it
    assert body["places_left"] == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"start": "2027-03-28T02:30", "end": "2027-03-28T04:00"}, "start"),
        ({"end": "2027-10-31T09:00"}, "end"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -1}, "capacity"),
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"start": "2027-10-31T10:00+02:00"}, "start"),
        ({"start": "2001-01-01T10:00", "end": "2001-01-01T12:00"}, "start"),
        ({"topics": ["nope"]}, "topics"),
    ],
)
def test_it_refuses_bad_events_with_422(network, overrides, field):
    response = Caller(network.alice).post("/events", event_payload(**overrides))
    assert response.status_code == 422, response.content
    assert response.json()["detail"].startswith(field), response.json()
    assert not Event.objects.exists()


def test_it_only_network_members_create_and_only_hosts_update(network):
    assert Caller().post("/events", event_payload()).status_code == 401
    assert Caller(network.outsider).post("/events", event_payload()).status_code == 403
    event_id = Caller(network.alice).post("/events", event_payload()).json()["id"]
    changed = event_payload(title="Neuer Titel", start="2027-11-02T10:00", end="2027-11-02T12:00")
    assert Caller(network.bob).put(f"/events/{event_id}", changed).status_code == 403
    assert Caller().put(f"/events/{event_id}", changed).status_code == 401
    response = Caller(network.alice).put(f"/events/{event_id}", changed)
    assert response.status_code == 200
    assert response.json()["title"] == "Neuer Titel"
    assert response.json()["local_start"] == "2027-11-02T10:00"
    assert Caller(network.bob).post(f"/events/{event_id}/cancel", {}).status_code == 403


def test_it_plans_an_idea_through_the_api_for_its_proposers_only(network):
    idea = make_idea(network.sam)
    Caller(network.bob).post(f"/ideas/{idea.pk}/interest", {})
    assert Caller(network.alice).post("/events", event_payload(idea=idea.pk)).status_code == 403
    response = Caller(network.sam).post("/events", event_payload(idea=idea.pk))
    assert response.status_code == 201
    assert response.json()["idea"] == idea.pk
    idea.refresh_from_db()
    assert idea.state == "scheduled"
    closed = make_idea(network.sam, "Geschlossen", state="closed")
    assert Caller(network.sam).post("/events", event_payload(idea=closed.pk)).status_code == 409


def test_it_hides_members_only_events_and_online_links(network, people):
    public = make_event(
        network.alice, "Offen", format="online", online_url="https://meet.example.org/x"
    )
    hidden = make_event(network.alice, "Intern", visibility=Visibility.MEMBERS)
    listed = Caller().get("/events").json()["items"]
    assert [e["title"] for e in listed] == ["Offen"]
    assert listed[0]["online_url"] is None
    assert Caller(network.outsider).get(f"/events/{hidden.pk}").status_code == 404
    assert Caller(network.bob).get(f"/events/{hidden.pk}").status_code == 200
    (guest,) = people(1)
    actions.do_register(event_id=public.pk, user=guest)
    assert (
        Caller(guest).get(f"/events/{public.pk}").json()["online_url"]
        == "https://meet.example.org/x"
    )
    assert Caller(network.bob).get(f"/events/{public.pk}").json()["online_url"] is None


def test_it_registers_waitlists_and_cancels(network, people):
    event = make_event(network.alice, capacity=1)
    first, second = people(2)
    response = Caller(first).post(f"/events/{event.pk}/registration")
    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    response = Caller(second).post(f"/events/{event.pk}/registration")
    assert response.json()["status"] == "waitlisted"
    assert response.json()["waitlist_position"] == 1
    assert Caller(second).post(f"/events/{event.pk}/registration").status_code == 409
    assert Caller(second).get(f"/events/{event.pk}").json()["my_status"] == "waitlisted"

    response = Caller(first).delete(f"/events/{event.pk}/registration")
    assert response.json()["status"] == "cancelled"
    mine = Caller(second).get("/registrations").json()
    assert [(r["event"], r["status"]) for r in mine["items"]] == [(event.pk, "confirmed")]
    assert Caller(first).delete(f"/events/{event.pk}/registration").status_code == 409
    assert Caller().post(f"/events/{event.pk}/registration").status_code == 401


def test_it_shows_attendees_to_hosts_only(network, people, members_event):
    event = make_event(network.alice, capacity=1)
    guest, waiting = people(2)
    actions.do_register(event_id=event.pk, user=guest)
    actions.do_register(event_id=event.pk, user=waiting)
    assert Caller(guest).get(f"/events/{event.pk}/attendees").status_code == 403
    assert Caller().get(f"/events/{event.pk}/attendees").status_code == 401
    assert Caller(network.outsider).get(f"/events/{members_event.pk}/attendees").status_code == 404
    rows = Caller(network.alice).get(f"/events/{event.pk}/attendees").json()
    assert [(r["email"], r["status"]) for r in rows] == [
        (guest.email, "confirmed"),
        (waiting.email, "waitlisted"),
    ]


def test_it_session_writes_need_the_csrf_token(network):
    event = make_event(network.alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(network.bob)
    response = client.post(f"{API}/events/{event.pk}/registration")
    assert response.status_code == 403
    assert not event.registrations.exists()
