"""Every calendar klinke writes passes a strict RFC 5545 check, whatever people type.

The parsers used in test_calendar.py forgive unescaped commas and overlong lines; calendar
clients do not all do so. Hostile titles, descriptions and places go through all three
feeds: one event's .ics, the public feed and a personal feed, in both languages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from klinke.workshops import actions
from klinke.workshops.models import Event
from klinke.workshops.tests.conftest import make_event
from klinke.workshops.tests.rfc5545 import (
    Component,
    Rfc5545Error,
    check_calendar,
    split_unescaped,
    unescape_text,
)

pytestmark = pytest.mark.django_db

HOSTILE_TITLES = [
    "Preise, Löhne; Rücklagen",
    "Backslash \\ und \\n kein Umbruch, oder; doch",
    "Zwei\nZeilen, mit Komma",
    "Ünïcödé " + "ÄÖÜß€" * 30,  # long, multi-byte: folding must not cut a character
    'Anführung "so", Doppelpunkt: ja; BEGIN:VEVENT',
]
HOSTILE_DESCRIPTION = "Eins, zwei; drei \\ vier\r\nfünf\n" + "lang, " * 60
HOSTILE_VENUE = "Werkstatt; Hinterhof, 2. OG \\ links"


def first(component: Component, name: str) -> str:
    (value,) = component.values(name)
    return unescape_text(value)


def get_ics(client: Any, path: str, language: str) -> bytes:
    response = client.get(path, headers={"accept-language": language})
    assert response.status_code == 200
    return bytes(response.content)


def event_file(network: Any, event: Event, language: str) -> bytes:
    url = reverse("workshops:event_ics", args=[event.pk])
    return get_ics(network.client_for(None), url, language)


def public_feed(network: Any, event: Event, language: str) -> bytes:
    return get_ics(network.client_for(None), reverse("workshops:public_feed"), language)


def personal_feed(network: Any, event: Event, language: str) -> bytes:
    network.bob.language = language
    network.bob.save()
    actions.do_register(event_id=event.pk, user=network.bob)
    client = network.client_for(network.bob)
    url = str(client.post(reverse("workshops:calendar_regenerate")).context["feed_url"])
    return get_ics(
        network.client_for(None), "/" + url.split("://", 1)[1].split("/", 1)[1], language
    )


FEEDS: list[Callable[[Any, Event, str], bytes]] = [event_file, public_feed, personal_feed]


@pytest.mark.parametrize("feed", FEEDS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("title", HOSTILE_TITLES)
@pytest.mark.parametrize("language", ["de", "en"])
def test_it_writes_strict_icalendar_for_hostile_text(
    network: Any, feed: Callable[[Any, Event, str], bytes], title: str, language: str
) -> None:
    event = make_event(
        network.alice,
        title,
        description=HOSTILE_DESCRIPTION,
        venue=HOSTILE_VENUE,
        city="Köln, Ehrenfeld",
    )

    calendar = check_calendar(feed(network, event, language))

    (vevent,) = calendar.walk("VEVENT")
    assert first(vevent, "SUMMARY") == title
    assert first(vevent, "LOCATION") == f"{HOSTILE_VENUE}, Köln, Ehrenfeld"
    # A CRLF typed in a form is one line break in the calendar.
    expected = HOSTILE_DESCRIPTION.replace("\r\n", "\n").strip()
    assert first(vevent, "DESCRIPTION").startswith(expected)
    categories = [unescape_text(v) for v in split_unescaped(vevent.values("CATEGORIES")[0])]
    assert categories == [topic.name for topic in event.topics.all()]
    name = first(calendar, "X-WR-CALNAME")
    if feed is event_file:
        assert name == title
    if feed is not event_file:
        assert first(calendar, "X-WR-CALDESC")


# --- the checker itself must be able to fail -------------------------------------------

VALID = (
    b"BEGIN:VCALENDAR\r\nPRODID:-//t//t//EN\r\nVERSION:2.0\r\nX-WR-CALNAME:a\\, b\r\n"
    b"BEGIN:VEVENT\r\nUID:1@t\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270101T100000Z\r\n"
    b"SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_it_accepts_a_minimal_valid_calendar_in_the_checker() -> None:
    assert first(check_calendar(VALID), "X-WR-CALNAME") == "a, b"


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        (VALID.replace(b"a\\, b", b"a, b"), "unescaped ','"),
        (VALID.replace(b"SUMMARY:x", b"SUMMARY:x;y"), "unescaped ';'"),
        (VALID.replace(b"SUMMARY:x", b"SUMMARY:x\\y"), "invalid escape"),
        (VALID.replace(b"SUMMARY:x\r\n", b"SUMMARY:x\n"), "bare LF"),
        (VALID.replace(b"SUMMARY:x", b"SUMMARY:" + b"x" * 80), "octets"),
        (
            VALID.replace(
                b"SUMMARY:x", b"SUMMARY:" + "ü".encode()[:1] + b"\r\n " + "ü".encode()[1:]
            ),
            "UTF-8",
        ),
        (VALID.replace(b"UID:1@t\r\n", b""), "lacks ['UID']"),
        (VALID.replace(b"END:VEVENT\r\n", b""), "not close"),
        (VALID.replace(b"DTSTART:", b"DTSTART;TZID=Europe/Berlin:"), "without a VTIMEZONE"),
        (VALID[:-2], "CRLF"),
    ],
)
def test_it_rejects_what_rfc_5545_forbids_in_the_checker(broken: bytes, reason: str) -> None:
    with pytest.raises(Rfc5545Error, match=reason.replace("[", r"\[").replace("]", r"\]")):
        check_calendar(broken)
