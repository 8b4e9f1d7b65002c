"""Event pages: lists, detail, create, edit and cancel, with their permissions and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from klinke.core.models import Visibility
from klinke.workshops import actions
from klinke.workshops.models import Event, EventState, Registration
from klinke.workshops.tests.conftest import make_event

pytestmark = pytest.mark.django_db


def event_data(**overrides: Any) -> dict[str, Any]:
    start = timezone.localdate() + timedelta(days=30)
    data = {
        "title": "Preise kalkulieren für Kollektive",
        "description": "Tagessätze, Rücklagen und Einheitslohn.",
        "start_date": start.isoformat(),
        "start_time": "10:00",
        "end_date": "",
        "end_time": "12:30",
        "time_zone": "Europe/Berlin",
        "format": "in-person",
        "venue": "Werkstatt Süd",
        "city": "Leipzig",
        "online_url": "",
        "capacity": "12",
        "language": "de",
        "visibility": "public",
    }
    data.update(overrides)
    return data


def create(client: Any, **overrides: Any) -> Any:
    return client.post(reverse("workshops:event_create"), event_data(**overrides))


# --- lists and visibility ---------------------------------------------------------------


def test_it_lists_public_events_for_everyone_and_members_only_events_for_members(
    network, client, members_event
):
    public = make_event(network.alice, "Offener Abend")
    url = reverse("workshops:index")
    for viewer in (client, network.client_for(network.outsider)):
        html = viewer.get(url).content.decode()
        assert public.title in html
        assert members_event.title not in html
    for member in (network.bob, network.sam, network.stella):
        html = network.client_for(member).get(url).content.decode()
        assert public.title in html and members_event.title in html


def test_it_hides_members_only_events_and_their_calendar_entry(network, client, members_event):
    for url in (
        members_event.get_absolute_url(),
        reverse("workshops:event_ics", args=[members_event.pk]),
    ):
        assert client.get(url).status_code == 404
        assert network.client_for(network.outsider).get(url).status_code == 404
        assert network.client_for(network.bob).get(url).status_code == 200


def test_it_lists_upcoming_events_soonest_first_and_past_ones_on_request(network):
    later = make_event(network.alice, "Später", starts_at=timezone.now() + timedelta(days=9))
    sooner = make_event(network.alice, "Früher", starts_at=timezone.now() + timedelta(days=2))
    past = make_event(network.alice, "Vorbei", starts_at=timezone.now() - timedelta(days=3))
    client = network.client_for(None)
    upcoming = list(client.get(reverse("workshops:index")).context["page"].object_list)
    assert upcoming == [sooner, later]
    over = client.get(reverse("workshops:index"), {"when": "past"}).context["page"].object_list
    assert list(over) == [past]


def test_it_finds_events_by_words_in_either_language_and_filters(network):
    make_event(network.alice, "Preise kalkulieren", topics=["pricing"])
    make_event(
        network.alice,
        "Server härten",
        topics=["it-security"],
        description="Wir härten Debian-Server.",
        language="en",
    )
    client = network.client_for(None)
    found = client.get(reverse("workshops:index"), {"q": "pricing"}).context["page"].object_list
    assert [e.title for e in found] == ["Preise kalkulieren"]
    english = client.get(reverse("workshops:index"), {"language": "en"}).context["page"]
    assert [e.title for e in english.object_list] == ["Server härten"]
    by_topic = client.get(reverse("workshops:index"), {"topic": "pricing"}).context["page"]
    assert [e.title for e in by_topic.object_list] == ["Preise kalkulieren"]


def test_it_answers_htmx_filters_with_the_results_only(network):
    make_event(network.alice, "Preise kalkulieren")
    response = network.client_for(None).get(
        reverse("workshops:index"), {"q": "preise"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Preise kalkulieren" in html
    assert "<html" not in html and "<form" not in html


def test_it_shows_places_and_the_waitlist_on_the_list(network, people):
    event = make_event(network.alice, capacity=2)
    for person in people(3):
        actions.do_register(event_id=event.pk, user=person)
    html = network.client_for(None).get(reverse("workshops:index")).content.decode()
    assert "Full" in html
    assert "1 on the waitlist" in html


# --- detail ------------------------------------------------------------------------------


def test_it_shows_the_online_link_only_to_hosts_and_participants(network, client, people):
    event = make_event(
        network.alice,
        "Online-Abend",
        format="online",
        venue="",
        city="",
        online_url="https://meet.example.org/geheim",
    )
    guest, waiting = people(2)
    actions.do_register(event_id=event.pk, user=guest)
    event.capacity = 1
    event.save()
    actions.do_register(event_id=event.pk, user=waiting)
    url = event.get_absolute_url()
    assert "meet.example.org/geheim" not in client.get(url).content.decode()
    assert (
        "meet.example.org/geheim" not in network.client_for(network.bob).get(url).content.decode()
    )
    assert "meet.example.org/geheim" not in network.client_for(waiting).get(url).content.decode()
    assert "meet.example.org/geheim" in network.client_for(guest).get(url).content.decode()
    assert "meet.example.org/geheim" in network.client_for(network.alice).get(url).content.decode()


def test_it_shows_the_local_time_and_zone(network):
    event = make_event(network.alice, starts_at=datetime(2027, 10, 31, 9, 0, tzinfo=UTC), hours=2)
    html = network.client_for(None).get(event.get_absolute_url()).content.decode()
    assert "10:00" in html and "12:00" in html
    assert "Europe/Berlin" in html
    assert 'datetime="2027-10-31T09:00:00+00:00"' in html


# --- create ------------------------------------------------------------------------------


def test_it_creates_an_event_from_local_time_in_its_zone(network):
    response = create(
        network.client_for(network.sam),
        start_date="2027-10-31",
        start_time="10:00",
        end_time="12:00",
    )
    assert response.status_code == 302, response.context["form"].errors
    event = Event.objects.get()
    assert event.starts_at == datetime(2027, 10, 31, 9, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 10, 31, 11, 0, tzinfo=UTC)
    assert event.time_zone == "Europe/Berlin"
    assert list(event.hosts.all()) == [network.sam]
    assert event.state == EventState.SCHEDULED


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [("2027-03-27", 9), ("2027-03-29", 8), ("2027-10-30", 8), ("2027-10-31", 9)],
)
def test_it_stores_the_right_instant_on_both_sides_of_daylight_saving(network, day, utc_hour):
    response = create(network.client_for(network.alice), start_date=day, start_time="10:00")
    assert response.status_code == 302
    assert Event.objects.get().starts_at == datetime.fromisoformat(day).replace(
        hour=utc_hour, tzinfo=UTC
    )


def test_it_keeps_other_zones_too(network):
    create(
        network.client_for(network.alice),
        start_date="2027-07-01",
        start_time="10:00",
        end_time="11:00",
        time_zone="America/New_York",
    )
    event = Event.objects.get()
    assert event.starts_at == datetime(2027, 7, 1, 14, 0, tzinfo=UTC)
    assert event.local_start.hour == 10


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"start_time": "14:00", "end_time": "12:00"}, "end_time", "before the start"),
        ({"start_time": "14:00", "end_time": "14:00"}, "end_time", "before the start"),
        ({"capacity": "0"}, "capacity", ""),
        ({"capacity": "-3"}, "capacity", ""),
        ({"capacity": "100000"}, "capacity", ""),
        (
            {"start_date": "2027-03-28", "start_time": "02:30", "end_time": "04:00"},
            "start_time",
            "does not exist",
        ),
        ({"start_date": "2020-01-01"}, "start_date", "past"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", ""),
        ({"format": "online", "online_url": ""}, "online_url", "link"),
        ({"format": "in-person", "venue": "", "city": ""}, "venue", ""),
        ({"online_url": "javascript:alert(1)"}, "online_url", ""),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message(network, overrides, field, message):
    response = create(network.client_for(network.alice), **overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Event.objects.exists()


def test_it_lets_only_network_members_create_events(network, client):
    assert create(network.client_for(network.outsider)).status_code == 403
    assert client.get(reverse("workshops:event_create")).status_code == 302
    assert create(client).status_code == 302  # to the login page
    assert not Event.objects.exists()


# --- edit --------------------------------------------------------------------------------


def edit_data(event: Event, **overrides: Any) -> dict[str, Any]:
    start, end = event.local_start, event.local_end
    values = {
        "title": event.title,
        "description": event.description,
        "format": event.format,
        "venue": event.venue,
        "city": event.city,
        "online_url": event.online_url,
        "start_date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_date": end.date().isoformat(),
        "end_time": end.strftime("%H:%M"),
        "capacity": str(event.capacity),
    }
    return event_data(**{**values, **overrides})


def test_it_lets_only_hosts_edit(network, client, members_event):
    url = reverse("workshops:event_edit", args=[members_event.pk])
    assert network.client_for(network.bob).get(url).status_code == 403
    assert network.client_for(network.bob).post(url, edit_data(members_event)).status_code == 403
    assert network.client_for(network.outsider).get(url).status_code == 404
    assert client.get(url).status_code == 302
    response = network.client_for(network.alice).post(
        url, edit_data(members_event, title="Neuer Titel", visibility="members")
    )
    assert response.status_code == 302
    members_event.refresh_from_db()
    assert members_event.title == "Neuer Titel"


def test_it_keeps_capacity_at_or_above_the_registered(network, people):
    event = make_event(network.alice, capacity=3)
    for person in people(3):
        actions.do_register(event_id=event.pk, user=person)
    response = network.client_for(network.alice).post(
        reverse("workshops:event_edit", args=[event.pk]), edit_data(event, capacity="2")
    )
    assert response.status_code == 200
    assert "capacity" in response.context["form"].errors
    event.refresh_from_db()
    assert event.capacity == 3


def test_it_tells_participants_when_time_or_place_change(network, people):
    event = make_event(network.alice, capacity=1, starts_at=timezone.now() + timedelta(hours=20))
    guest, waiting = people(2)
    actions.do_register(event_id=event.pk, user=guest)
    actions.do_register(event_id=event.pk, user=waiting)
    registration = Registration.objects.get(user=guest)
    assert registration.reminder_sent_at is not None  # registered within 24 hours
    mail.outbox.clear()
    sequence = event.sequence
    later = event.local_start + timedelta(days=3)
    response = network.client_for(network.alice).post(
        reverse("workshops:event_edit", args=[event.pk]),
        edit_data(
            event,
            start_date=later.date().isoformat(),
            end_date=(later + timedelta(hours=2)).date().isoformat(),
            end_time=(later + timedelta(hours=2)).strftime("%H:%M"),
        ),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == sequence + 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([guest.email, waiting.email])
    registration.refresh_from_db()
    assert registration.reminder_sent_at is None  # a new reminder before the new time

    # A change of wording only is not news for participants.
    mail.outbox.clear()
    network.client_for(network.alice).post(
        reverse("workshops:event_edit", args=[event.pk]), edit_data(event, title="Anders")
    )
    event.refresh_from_db()
    assert event.sequence == sequence + 1
    assert mail.outbox == []


def test_it_promotes_the_waitlist_when_hosts_add_places(network, people):
    event = make_event(network.alice, capacity=1)
    first, second, third = people(3)
    for person in (first, second, third):
        actions.do_register(event_id=event.pk, user=person)
    mail.outbox.clear()
    network.client_for(network.alice).post(
        reverse("workshops:event_edit", args=[event.pk]), edit_data(event, capacity="2")
    )
    assert Registration.objects.get(user=second).status == "confirmed"
    assert Registration.objects.get(user=third).status == "waitlisted"
    assert [m.to for m in mail.outbox] == [[second.email]]


# --- cancel ------------------------------------------------------------------------------


def test_it_lets_hosts_cancel_and_tells_everyone_registered(network, people, client):
    event = make_event(network.alice, capacity=1)
    guest, waiting = people(2)
    actions.do_register(event_id=event.pk, user=guest)
    actions.do_register(event_id=event.pk, user=waiting)
    mail.outbox.clear()
    url = reverse("workshops:event_cancel", args=[event.pk])
    assert network.client_for(guest).post(url, {"note": "x"}).status_code == 403
    assert client.post(url).status_code == 302
    event.refresh_from_db()
    assert event.state == EventState.SCHEDULED

    assert network.client_for(network.alice).get(url).status_code == 200
    response = network.client_for(network.alice).post(url, {"note": "Die Referentin ist krank."})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == EventState.CANCELLED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([guest.email, waiting.email])
    assert "Die Referentin ist krank." in mail.outbox[0].body
    with pytest.raises(actions.WorkshopError, match="cancelled"):
        actions.do_register(event_id=event.pk, user=network.bob)
    html = network.client_for(None).get(event.get_absolute_url()).content.decode()
    assert "This event is cancelled." in html


def test_it_refuses_registration_once_the_event_started(network):
    event = make_event(network.alice, starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(actions.WorkshopError, match="started"):
        actions.do_register(event_id=event.pk, user=network.bob)


def test_it_lets_hosts_add_and_remove_co_hosts(network, people):
    event = make_event(network.alice)
    (guest,) = people(1)
    alice = network.client_for(network.alice)
    url = reverse("workshops:event_add_host", args=[event.pk])
    alice.post(url, {"email": guest.email})  # not in the network
    assert list(event.hosts.all()) == [network.alice]
    actions.do_register(event_id=event.pk, user=network.bob)
    mail.outbox.clear()
    alice.post(url, {"email": "BOB@example.org"})
    assert set(event.hosts.all()) == {network.alice, network.bob}
    # A new host gives up their participant's place.
    assert Registration.objects.get(user=network.bob).status == "cancelled"
    assert [m.to for m in mail.outbox] == [[network.bob.email]]
    assert network.client_for(guest).post(url, {"email": guest.email}).status_code == 403
    remove = reverse("workshops:event_remove_host", args=[event.pk, network.bob.pk])
    alice.post(remove)
    assert list(event.hosts.all()) == [network.alice]
    alice.post(reverse("workshops:event_remove_host", args=[event.pk, network.alice.pk]))
    assert list(event.hosts.all()) == [network.alice]  # the last host stays


def test_it_refuses_inconsistent_events_in_the_database_too(network):
    from django.db import IntegrityError, transaction

    start = timezone.now() + timedelta(days=1)
    for fields in (
        {"ends_at": start - timedelta(hours=1), "capacity": 3},
        {"ends_at": start + timedelta(hours=1), "capacity": 0},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Event.objects.create(title="x", description="x", starts_at=start, **fields)


def test_it_members_only_events_stay_members_only(network, members_event):
    assert members_event.visibility == Visibility.MEMBERS
    with pytest.raises(actions.WorkshopError):
        actions.do_register(event_id=members_event.pk, user=network.outsider)


def test_it_checks_event_fields_in_the_action_for_every_caller(network):
    """The page's form and the API both call the action, which keeps the rules itself."""
    start = (timezone.now() + timedelta(days=10)).replace(tzinfo=None, microsecond=0)
    fields = actions.EventFields(
        title="Werkstatt",
        description="Wir üben Akquise.",
        start=start,
        end=start - timedelta(hours=1),
        capacity=10,
        format="online",
    )

    with pytest.raises(ValidationError) as refused:
        actions.do_create_event(user=network.alice, fields=fields)

    assert set(refused.value.message_dict) == {"end_time", "online_url"}
    assert not Event.objects.exists()


def test_it_creates_an_event_from_plain_wall_clock_values(network):
    start = datetime(2040, 3, 31, 10, 0)
    fields = actions.EventFields(
        title="Werkstatt",
        description="Wir üben Akquise.",
        start=start,
        end=start + timedelta(hours=2),
        capacity=10,
        city="Leipzig",
        time_zone="Europe/Berlin",
    )

    event = actions.do_create_event(user=network.alice, fields=fields)

    assert event.starts_at == datetime(2040, 3, 31, 8, 0, tzinfo=UTC)
    assert event.is_host(network.alice)
