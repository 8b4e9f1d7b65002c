"""From a workshop idea to a full event with a waitlist, in a real browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject  # type: ignore[import-untyped]
from django.utils import timezone

from klinke.conftest import deliver_mail, log_in_browser, text_body
from klinke.workshops.models import Event, Registration, WorkshopIdea

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_topics"),
]


def test_it_runs_an_idea_to_a_full_event_with_waitlist_and_calendar(
    browser_page, network, live_server, smtp_server
):
    page = browser_page
    for person in (network.sam, network.alice, network.bob, network.outsider, network.alice2):
        person.language = "en"
        person.save()

    # 1. Sam, a supporter, proposes a workshop idea.
    log_in_browser(page, network.sam, live_server.url)
    page.goto("/workshops/ideas/")
    page.get_by_role("link", name="Propose a workshop").first.click()
    page.get_by_label("Title").fill("Akquise für Kollektive")
    page.get_by_label("Description").fill(
        "Wie finden Kollektive Aufträge, die passen? Empfehlungen, Netzwerke, Ausschreibungen."
    )
    page.get_by_label("Acquisition and sales").check()
    page.get_by_label("Interest needed").fill("4")  # Sam, who proposes it, counts
    page.get_by_role("button", name="Propose").click()
    page.wait_for_url(re.compile(r"/workshops/ideas/\d+/$"))
    idea_url = page.url
    assert page.locator("#interest-count").inner_text().startswith("1 of 4")

    # 2. Three people register interest; the panel updates in place (htmx).
    for person in (network.alice, network.bob, network.outsider):
        log_in_browser(page, person, live_server.url)
        page.goto(idea_url)
        page.locator("#interest").get_by_label("online").check()
        page.get_by_role("button", name="I am interested").click()
        page.locator("#my-interest").wait_for()
    assert (
        page.locator("#interest-count")
        .inner_text()
        .startswith("4 interested, threshold of 4 reached")
    )
    deliver_mail()
    (threshold_mail,) = smtp_server.to(network.sam.email)
    assert "Akquise für Kollektive" in threshold_mail["Subject"]

    # 3. Sam turns the idea into an event with three places.
    log_in_browser(page, network.sam, live_server.url)
    page.goto(idea_url)
    page.get_by_role("link", name="Turn into an event").click()
    page.wait_for_url(re.compile(r"/schedule/$"))
    assert page.get_by_label("Title").input_value() == "Akquise für Kollektive"
    assert page.get_by_label("Places").input_value() == "4"
    page.get_by_label("Places").fill("3")
    day = timezone.localdate() + timedelta(days=20)
    page.locator("#id_start_date").fill(day.isoformat())
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_end_time").fill("12:30")
    page.get_by_label("Online link").fill("https://meet.example.org/akquise")
    page.get_by_role("button", name="Publish and open registration").click()
    page.wait_for_url(re.compile(r"/workshops/events/\d+/$"))
    event_url = page.url
    event = Event.objects.get()
    assert event.idea == WorkshopIdea.objects.get()
    assert event.capacity == 3
    deliver_mail()
    for person in (network.alice, network.bob, network.outsider):
        (opened,) = [
            m for m in smtp_server.to(person.email) if "Registration is open" in m["Subject"]
        ]
        assert event.get_absolute_url() in text_body(opened)

    # 4. The three fill the event; a fourth person lands on the waitlist.
    for person in (network.alice, network.bob, network.outsider):
        log_in_browser(page, person, live_server.url)
        page.goto(event_url)
        page.get_by_role("button", name="Register").click()
        page.locator("#registration-status").wait_for()
        assert "You are registered." in page.locator("#registration-status").inner_text()
    assert page.locator("#places").inner_text().startswith("Full")

    log_in_browser(page, network.alice2, live_server.url)
    page.goto(event_url)
    page.get_by_role("button", name="Join the waitlist").click()
    page.locator("#registration-status").wait_for()
    assert "number 1 on the waitlist" in page.locator("#registration-status").inner_text()
    assert page.locator("#online-link").count() == 0

    # 5. Bob cancels; Alina moves up and is told by email.
    log_in_browser(page, network.bob, live_server.url)
    page.goto(event_url)
    page.get_by_role("button", name="Cancel my registration").click()
    # The freed place went to the waitlist at once: Bob could only queue again.
    page.get_by_role("button", name="Join the waitlist").wait_for()
    assert page.locator("#places").inner_text().startswith("Full")
    assert Registration.objects.get(user=network.alice2).status == "confirmed"
    deliver_mail()
    (promoted,) = [
        m for m in smtp_server.to(network.alice2.email) if "You got a place" in m["Subject"]
    ]
    assert "https://meet.example.org/akquise" in text_body(promoted)

    log_in_browser(page, network.alice2, live_server.url)
    page.goto(event_url)
    assert "You are registered." in page.locator("#registration-status").inner_text()
    assert page.locator("#online-link").get_attribute("href") == "https://meet.example.org/akquise"

    # 6. Alina downloads the calendar entry; two parsers agree on it.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "akquise-fur-kollektive.ics"
    content = Path(download.path()).read_bytes()
    (vevent,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Akquise für Kollektive"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent.decoded("DTSTART").replace(tzinfo=None) == datetime.combine(
        day, datetime.min.time()
    ).replace(hour=10)
    assert "https://meet.example.org/akquise" in str(vevent["DESCRIPTION"])
    parsed = vobject.readOne(content.decode())
    assert parsed.vevent.dtstart.value.astimezone(UTC) == event.starts_at
