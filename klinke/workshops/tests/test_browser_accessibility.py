"""The workshops pages pass the axe-core audit (WCAG 2.1 A/AA), and register by keyboard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klinke.conftest import log_in_browser
from klinke.core.tests.test_accessibility import audit
from klinke.workshops import actions
from klinke.workshops.tests.conftest import make_event, make_idea

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_topics"),
]


@pytest.mark.parametrize("language", ["en", "de"])
def test_it_the_workshop_pages_have_no_serious_violations(
    browser_page, network, live_server, people, language
):
    page = browser_page
    idea = make_idea(network.alice, interest_threshold=2)
    event = make_event(
        network.alice,
        capacity=1,
        format="hybrid",
        online_url="https://meet.example.org/x",
        notes="## Ergebnisse\n\n- eins",
    )
    guest, waiting = people(2)
    actions.do_register(event_id=event.pk, user=guest)
    actions.do_register(event_id=event.pk, user=waiting)
    actions.do_register_interest(idea_id=idea.pk, user=network.bob, preferred_format="online")
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    pages = {
        None: [
            reverse("workshops:index"),
            reverse("workshops:idea_list"),
            idea.get_absolute_url(),
            event.get_absolute_url(),
        ],
        network.alice: [
            idea.get_absolute_url(),
            reverse("workshops:idea_schedule", args=[idea.pk]),
            reverse("workshops:idea_create"),
            reverse("workshops:event_create"),
            event.get_absolute_url(),
            reverse("workshops:event_attendees", args=[event.pk]),
            reverse("workshops:event_cancel", args=[event.pk]),
            reverse("workshops:calendar"),
            reverse("workshops:mine"),
        ],
        waiting: [event.get_absolute_url(), idea.get_absolute_url()],
    }
    problems = []
    for user, urls in pages.items():
        if user is not None:
            log_in_browser(page, user, live_server.url)
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
        for url in urls:
            page.goto(url)
            problems += [f"{url}: {v}" for v in audit(page)]
    assert problems == []


def test_it_registers_with_the_keyboard_alone(browser_page, network, live_server):
    page = browser_page
    event = make_event(network.alice, capacity=2)
    log_in_browser(page, network.bob, live_server.url)
    page.goto(event.get_absolute_url())
    register = page.get_by_role("button", name="Register")
    register.focus()
    page.keyboard.press("Enter")
    page.locator("#registration-status").wait_for()
    assert event.registrations.get().user == network.bob
