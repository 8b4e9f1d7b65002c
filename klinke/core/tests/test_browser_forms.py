"""Forms in a real browser, in German and English: dates survive, errors are announced.

Chromium only reads ISO values in date, time and datetime-local inputs; a localized value
("06.03.2027") shows as an empty field. These tests walk every page with such an input and
read ``input.value`` as the browser sees it; then post a need in German and edit it; and
post a long form with an error far down to see the error summary take focus.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from klinke.conftest import log_in_browser
from klinke.contacts.tests.conftest import make_contact
from klinke.estimates import actions as estimate_actions
from klinke.estimates.tests.conftest import make_estimate
from klinke.exchange.models import Need
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.testing import wait_for_js
from klinke.workbench.tests.conftest import make_lead
from klinke.workshops.tests.conftest import make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ISO = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "time": re.compile(r"^\d{2}:\d{2}(:\d{2})?$"),
    "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"),
}
# The forms with date or time fields whose pages pages_with_dates() walks; test_date_inputs
# checks this against every form class of the project, so a new one cannot be missed.
FORMS_WALKED = frozenset(
    {
        "klinke.contacts.forms.ContactForm",
        "klinke.estimates.forms.ActualHoursForm",
        "klinke.estimates.forms.EstimateForm",
        "klinke.estimates.forms.StartForm",
        "klinke.exchange.forms.NeedForm",
        "klinke.exchange.forms.OfferForm",
        "klinke.workbench.forms.ActivityForm",
        "klinke.workbench.forms.DecisionForm",
        "klinke.workbench.forms.LeadForm",
        "klinke.workshops.forms.EventForm",
    }
)
TEMPORAL_INPUTS = "input[type=date], input[type=time], input[type=datetime-local]"


def use_language(page: Any, language: str, url: str) -> None:
    """Choose the page language as the language menu does: with Django's language cookie."""
    from django.conf import settings

    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": url}]
    )


def temporal_values(page: Any) -> dict[str, tuple[str, str]]:
    """{input id: (type, value as the browser holds it)} for every date/time input."""
    values: dict[str, tuple[str, str]] = page.eval_on_selector_all(
        TEMPORAL_INPUTS, "els => Object.fromEntries(els.map(e => [e.id, [e.type, e.value]]))"
    )
    return {key: (kind, value) for key, (kind, value) in values.items()}


def pages_with_dates(network: Any) -> tuple[list[str], list[str]]:
    """(create pages, edit pages of objects whose every date is set) with date inputs."""
    soon = timezone.localdate() + timedelta(days=20)
    dates = {"starts_on": soon, "ends_on": soon + timedelta(days=5), "expires_on": soon}
    need = make_need(network.collective_a, "Hilfe bei Preisen", "Tagessätze.", **dates)
    offer = make_offer(network.collective_a, "Beratung", "Zu Preisen.", **dates)
    event = make_event(network.alice, "Preise kalkulieren", hours=26)  # ends the next day
    lead = make_lead(network.collective_a, "Website", next_action_due=soon, members=[network.alice])
    contact = make_contact(
        network.collective_a,
        "Erika Muster",
        consent_on=date(2026, 3, 6),
        last_contacted_on=soon,
        birthday=date(1980, 2, 29),
    )
    estimate = make_estimate(network.collective_a, network.alice, valid_until=soon)
    accepted = make_estimate(network.collective_a, network.alice, title="Angenommen")
    estimate_actions.do_share_estimate(estimate=accepted, user=network.alice)
    estimate_actions.do_decide_estimate(estimate=accepted, version_number=1, accept=True)
    slug = network.collective_a.slug
    create = [
        reverse("exchange:need_create", args=[slug]),
        reverse("exchange:collective_offer_create", args=[slug]),
        reverse("workshops:event_create"),
        reverse("workbench:lead_create", args=[slug]),
        reverse("workbench:decision_create", args=[slug]),
        reverse("contacts:create", args=[slug]),
        reverse("estimates:create", args=[slug]),
        reverse("estimates:actuals", args=[slug, accepted.pk]),  # a day's actual hours
    ]
    edit = [
        reverse("exchange:need_edit", args=[need.ref]),
        reverse("exchange:offer_edit", args=[offer.ref]),
        reverse("workshops:event_edit", args=[event.pk]),
        reverse("workbench:lead_edit", args=[slug, lead.pk]),
        reverse("workbench:lead_detail", args=[slug, lead.pk]),  # the activity's "when"
        reverse("contacts:edit", args=[slug, contact.pk]),
        reverse("estimates:edit", args=[slug, estimate.pk]),
    ]
    return create, edit


@pytest.mark.parametrize("language", ["de", "en"])
def test_it_shows_every_stored_date_in_every_date_input(
    browser_page: Any, network: Any, live_server: Any, language: str
) -> None:
    page = browser_page
    create, edit = pages_with_dates(network)
    log_in_browser(page, network.alice, live_server.url)
    use_language(page, language, live_server.url)

    for url in create + edit:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert page.locator("html").get_attribute("lang") == language
        values = temporal_values(page)
        assert values, f"{url} has no date or time input"
        for field, (kind, value) in values.items():
            assert value == "" or ISO[kind].match(value), (url, field, value)
            if url in edit:
                assert value, f"{url}: {field} comes up empty"
    # Defaults count too: a new need expires on its own, an activity happens now.
    page.goto(create[0])
    assert temporal_values(page)["id_expires_on"][1]


def test_it_posts_a_need_in_german_on_the_first_try_and_keeps_its_expiry_when_edited(
    browser_page: Any, network: Any, live_server: Any
) -> None:
    page = browser_page
    log_in_browser(page, network.alice, live_server.url)
    use_language(page, "de", live_server.url)

    page.goto(reverse("exchange:need_create", args=[network.collective_a.slug]))
    page.locator("#id_title").fill("Hilfe bei der Preisgestaltung")
    page.locator("#id_description").fill("Wie setzen wir unseren Tagessatz fest?")
    page.locator("input[name=kind_choices]").first.check()
    page.locator("#id_starts_on").fill("2027-03-06")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(re.compile(r"/exchange/needs/need-[^/]+/$"))

    need = Need.objects.get(title="Hilfe bei der Preisgestaltung")
    assert need.starts_on == date(2027, 3, 6)
    expires_on = need.expires_on
    assert expires_on is not None

    page.goto(reverse("exchange:need_edit", args=[need.ref]))
    assert temporal_values(page)["id_expires_on"][1] == expires_on.isoformat()
    page.locator("#id_title").fill("Hilfe bei Preisen und Akquise")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(re.compile(r"/exchange/needs/need-[^/]+/$"))
    need.refresh_from_db()
    assert need.title == "Hilfe bei Preisen und Akquise"
    assert (need.starts_on, need.expires_on) == (date(2027, 3, 6), expires_on)


@pytest.mark.parametrize("language", ["de", "en"])
def test_it_focuses_the_error_summary_of_a_long_form_and_links_to_the_field(
    browser_page: Any, network: Any, live_server: Any, language: str
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 800, "height": 500})
    log_in_browser(page, network.alice, live_server.url)
    use_language(page, language, live_server.url)

    page.goto(reverse("exchange:need_create", args=[network.collective_a.slug]))
    page.locator("#id_title").fill("Hilfe bei der Preisgestaltung")
    page.locator("#id_description").fill("Wie setzen wir unseren Tagessatz fest?")
    page.locator("input[name=kind_choices]").first.check()
    # Far down the form: an end before the start.
    page.locator("#id_starts_on").fill("2027-03-06")
    page.locator("#id_ends_on").fill("2027-03-01")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("load")

    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert summary.get_attribute("role") == "alert"
    wait_for_js(page, "document.activeElement.hasAttribute('data-error-summary')")
    assert Need.objects.count() == 0

    summary.locator('a[href="#id_ends_on"]').click()
    wait_for_js(page, "document.activeElement.id === 'id_ends_on'")
    field = page.locator("#id_ends_on")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby") or ""
    assert "id_ends_on_error" in described.split()
    assert page.locator("#id_ends_on_error").inner_text()


def test_it_focuses_the_error_summary_after_an_htmx_swap(
    browser_page: Any, network: Any, live_server: Any
) -> None:
    page = browser_page
    lead = make_lead(network.collective_a, "Website", members=[network.alice])
    log_in_browser(page, network.alice, live_server.url)
    page.goto(reverse("workbench:lead_detail", args=[network.collective_a.slug, lead.pk]))
    wait_for_js(page, "window.htmx !== undefined")
    page.locator("#activities summary").click()
    page.locator("#id_occurred_at").fill("")
    # Stand in for an error only the server finds: skip the browser's own check.
    page.eval_on_selector("#activities form", "form => { form.noValidate = true; }")
    page.locator("#activities button[type=submit]").click()

    summary = page.locator("#activities [data-error-summary]")
    summary.wait_for()
    assert page.url.endswith(f"/leads/{lead.pk}/")  # swapped in place, no page load
    wait_for_js(page, "document.activeElement.hasAttribute('data-error-summary')")
    summary.locator("a").first.click()
    wait_for_js(page, "document.activeElement.getAttribute('aria-invalid') === 'true'")
