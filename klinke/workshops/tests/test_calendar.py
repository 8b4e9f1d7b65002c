"""iCalendar output: valid RFC 5545 read back by two independent parsers, time zones across
daylight-saving changes, the public feed, and private feeds with revocable tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
import vobject  # type: ignore[import-untyped]
from django.urls import reverse
from django.utils import timezone

from klinke.core.models import Visibility
from klinke.workshops import actions
from klinke.workshops.models import CalendarToken
from klinke.workshops.tests.conftest import make_event

pytestmark = pytest.mark.django_db


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    from klinke.workshops.models import local_to_aware

    return local_to_aware(datetime(year, month, day, hour, minute), "Europe/Berlin")


def get_ics(client: Any, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return bytes(response.content)


def events_of(content: bytes) -> tuple[Any, Any]:
    """The VEVENTs as parsed by icalendar, and the same by vobject."""
    by_icalendar = icalendar.Calendar.from_ical(content)
    by_vobject = vobject.readOne(content.decode())
    return by_icalendar, by_vobject


def test_it_downloads_one_event_as_valid_icalendar(network):
    event = make_event(
        network.alice,
        "Preise kalkulieren",
        starts_at=berlin(2027, 10, 31, 10),
        hours=2,
        topics=["pricing"],
    )
    response = network.client_for(None).get(reverse("workshops:event_ics", args=[event.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="preise-kalkulieren.ics"'
    calendar, parsed = events_of(response.content)

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert calendar["METHOD"] == "PUBLISH"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"{event.uid}@klinke.workshops"
    assert vevent.decoded("DTSTAMP").tzinfo is not None
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent["DTEND"].params["TZID"] == "Europe/Berlin"
    assert str(vevent["SUMMARY"]) == "Preise kalkulieren"
    assert "Tagessätze" in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == "Werkstatt Süd, Karl-Liebknecht-Str. 12, Leipzig"
    assert str(vevent["URL"]).endswith(event.get_absolute_url())
    assert str(vevent["STATUS"]) == "CONFIRMED"
    (timezone_component,) = calendar.walk("VTIMEZONE")
    assert str(timezone_component["TZID"]) == "Europe/Berlin"
    # Lines are folded at 75 octets and end in CRLF, as RFC 5545 requires.
    lines = response.content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)

    assert parsed.vevent.uid.value == f"{event.uid}@klinke.workshops"
    assert parsed.vevent.dtstart.value.astimezone(UTC) == datetime(2027, 10, 31, 9, tzinfo=UTC)
    assert parsed.vevent.summary.value == "Preise kalkulieren"
    assert parsed.vtimezone.tzid.value == "Europe/Berlin"


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ((2027, 3, 27, 10), (2027, 3, 27, 9)),  # still winter time
        ((2027, 3, 29, 10), (2027, 3, 29, 8)),  # summer time began on the 28th
        ((2027, 10, 30, 10), (2027, 10, 30, 8)),  # still summer time
        ((2027, 10, 31, 10), (2027, 10, 31, 9)),  # winter time again from 03:00
        ((2027, 3, 28, 3, 30), (2027, 3, 28, 1, 30)),  # right after the jump
    ],
)
def test_it_keeps_times_right_across_daylight_saving_in_both_parsers(network, local, utc):
    event = make_event(network.alice, starts_at=berlin(*local), hours=1)
    content = get_ics(network.client_for(None), reverse("workshops:event_ics", args=[event.pk]))
    calendar, parsed = events_of(content)
    expected = datetime(*utc).replace(tzinfo=UTC)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART").astimezone(UTC) == expected
    assert vevent.decoded("DTEND").astimezone(UTC) == expected + timedelta(hours=1)
    assert parsed.vevent.dtstart.value.astimezone(UTC) == expected
    assert parsed.vevent.dtend.value.astimezone(UTC) == expected + timedelta(hours=1)
    # The wall-clock time stays what the hosts planned.
    assert vevent.decoded("DTSTART").replace(tzinfo=None) == datetime(*local)


def test_it_refuses_a_local_time_skipped_by_the_clock_change():
    from klinke.workshops.models import NonexistentLocalTime, local_to_aware

    with pytest.raises(NonexistentLocalTime):
        local_to_aware(datetime(2027, 3, 28, 2, 30), "Europe/Berlin")
    # Twice on 31 October 2027: the first occurrence, still summer time, is taken.
    assert local_to_aware(datetime(2027, 10, 31, 2, 30), "Europe/Berlin").astimezone(
        UTC
    ) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_it_writes_a_timezone_for_each_zone_used(network):
    make_event(network.alice, "Berlin", starts_at=berlin(2027, 6, 1, 10))
    make_event(
        network.alice,
        "New York",
        starts_at=datetime(2027, 6, 2, 14, tzinfo=UTC),
        time_zone="America/New_York",
    )
    content = get_ics(network.client_for(None), reverse("workshops:public_feed"))
    calendar, parsed = events_of(content)
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Europe/Berlin",
        "America/New_York",
    }
    new_york = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "New York")
    assert new_york["DTSTART"].params["TZID"] == "America/New_York"
    assert new_york.decoded("DTSTART").hour == 10
    starts = sorted(v.dtstart.value.astimezone(UTC) for v in parsed.vevent_list)
    assert starts == [datetime(2027, 6, 1, 8, tzinfo=UTC), datetime(2027, 6, 2, 14, tzinfo=UTC)]


def test_it_the_public_feed_lists_only_public_events_without_online_links(network, members_event):
    public = make_event(
        network.alice,
        "Offen online",
        format="online",
        online_url="https://meet.example.org/geheim",
    )
    actions.do_register(event_id=public.pk, user=network.bob)
    cancelled = make_event(network.alice, "Abgesagt")
    actions.do_cancel_event(event_id=cancelled.pk, user=network.alice)
    for viewer in (None, network.bob, network.alice):  # members and hosts get the same feed
        response = network.client_for(viewer).get(reverse("workshops:public_feed"))
        content = response.content
        assert b"attachment" not in response.get("Content-Disposition", "").encode()
        calendar, parsed = events_of(content)
        summaries = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
        assert summaries == {"Offen online", "Abgesagt"}
        assert members_event.title.encode() not in content
        assert b"meet.example.org" not in content
        assert b"bob@example.org" not in content
        assert calendar["REFRESH-INTERVAL"]
        statuses = {str(e["SUMMARY"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
        assert statuses["Abgesagt"] == "CANCELLED"
        assert len(parsed.vevent_list) == 2


def test_it_the_event_file_has_the_online_link_only_for_participants(network, people):
    event = make_event(
        network.alice, "Online", format="online", online_url="https://meet.example.org/x"
    )
    guest, stranger = people(2)
    actions.do_register(event_id=event.pk, user=guest)
    url = reverse("workshops:event_ics", args=[event.pk])
    assert b"meet.example.org/x" in get_ics(network.client_for(guest), url)
    assert b"meet.example.org/x" in get_ics(network.client_for(network.alice), url)
    assert b"meet.example.org/x" not in get_ics(network.client_for(stranger), url)
    assert b"meet.example.org/x" not in get_ics(network.client_for(None), url)


def feed_url(client: Any) -> str:
    response = client.post(reverse("workshops:calendar_regenerate"))
    assert response.status_code == 200
    return str(response.context["feed_url"])


def test_it_lists_my_registrations_and_hosted_events_in_the_feed(network, people, members_event):
    mine = make_event(network.alice, "Ich bin dabei", capacity=1)
    waiting_for = make_event(network.sam, "Ich warte", capacity=1)
    hosted = make_event(network.alice, "Ich leite")
    hosted.hosts.add(network.bob)
    elsewhere = make_event(network.sam, "Ohne mich")
    (other,) = people(1)
    actions.do_register(event_id=waiting_for.pk, user=other)
    actions.do_register(event_id=waiting_for.pk, user=network.bob)
    actions.do_register(event_id=members_event.pk, user=network.bob)
    actions.do_register(event_id=mine.pk, user=other)
    actions.do_register(event_id=mine.pk, user=network.bob)  # full: waitlisted too
    actions.do_cancel_registration(event_id=mine.pk, user=other)  # bob moves up

    network.bob.language = "en"  # the feed is written in its owner's language
    network.bob.save()
    url = feed_url(network.client_for(network.bob))
    assert url.startswith("http") and url.endswith(".ics")
    content = get_ics(network.client_for(None), path_of(url))
    calendar, parsed = events_of(content)
    summaries = {str(e["SUMMARY"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert summaries == {
        "Ich bin dabei": "CONFIRMED",
        "[Waitlist] Ich warte": "TENTATIVE",
        "Ich leite": "CONFIRMED",
        members_event.title: "CONFIRMED",
    }
    assert elsewhere.title.encode() not in content
    assert len(parsed.vevent_list) == 4


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_it_regenerating_the_token_stops_the_old_address(network):
    bob = network.client_for(network.bob)
    anonymous = network.client_for(None)
    first = path_of(feed_url(bob))
    assert anonymous.get(first).status_code == 200
    second = path_of(feed_url(bob))
    assert second != first
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200

    response = bob.post(reverse("workshops:calendar_revoke"))
    assert response.status_code == 302
    assert anonymous.get(second).status_code == 404
    assert not CalendarToken.objects.filter(user=network.bob).exists()


def test_it_stores_only_a_digest_of_the_token_and_shows_it_once(network):
    bob = network.client_for(network.bob)
    url = feed_url(bob)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    stored = CalendarToken.objects.get(user=network.bob)
    assert token not in stored.digest
    assert len(token) >= 40
    assert token not in bob.get(reverse("workshops:calendar")).content.decode()


def test_it_a_feed_token_only_shows_its_owners_events(network):
    hosted_by_alice = make_event(network.alice, "Alices Abend")
    actions.do_register(event_id=hosted_by_alice.pk, user=network.sam)
    bob_feed = path_of(feed_url(network.client_for(network.bob)))
    content = get_ics(network.client_for(network.alice), bob_feed)
    assert b"Alices Abend" not in content
    assert (
        network.client_for(None)
        .get(reverse("workshops:personal_feed", args=["not-a-token"]))
        .status_code
        == 404
    )


def test_it_the_feed_stops_for_deactivated_accounts(network):
    url = path_of(feed_url(network.client_for(network.bob)))
    network.bob.is_active = False
    network.bob.save()
    assert network.client_for(None).get(url).status_code == 404


def test_it_calendar_pages_need_a_login(client):
    assert client.get(reverse("workshops:calendar")).status_code == 302
    assert client.post(reverse("workshops:calendar_regenerate")).status_code == 302
    assert not CalendarToken.objects.exists()


def test_it_a_changed_event_gets_a_higher_sequence_in_calendars(network):
    event = make_event(network.alice, starts_at=timezone.now() + timedelta(days=5))
    url = reverse("workshops:event_ics", args=[event.pk])
    calendar, _parsed = events_of(get_ics(network.client_for(None), url))
    before = int(calendar.walk("VEVENT")[0]["SEQUENCE"])
    actions.do_cancel_event(event_id=event.pk, user=network.alice)
    calendar, parsed = events_of(get_ics(network.client_for(None), url))
    (vevent,) = calendar.walk("VEVENT")
    assert int(vevent["SEQUENCE"]) == before + 1
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert parsed.vevent.status.value == "CANCELLED"


def test_it_event_visibility_applies_to_the_members_only_feed_entries(network):
    make_event(network.alice, "Intern", visibility=Visibility.MEMBERS)
    content = get_ics(network.client_for(None), reverse("workshops:public_feed"))
    assert b"Intern" not in content
