"""The public door in a real browser: a client sends an inquiry without JavaScript, confirms the
email, three collectives are asked, two are interested, one shown with a vouch, the client picks
one, and it appears as a lead with the client as a contact."""

import re

import pytest
from django.core import mail

from klinke.conftest import log_in_browser
from klinke.contacts.models import Contact
from klinke.inquiries import actions
from klinke.inquiries.models import InquiryOffer, State
from klinke.inquiries.tests.conftest import PORTAL
from klinke.topics.models import Topic
from klinke.vouches.actions import VouchValues, do_confirm_vouch, do_offer_vouch
from klinke.workbench.models import Lead, LeadSource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_takes_an_inquiry_without_javascript_to_a_lead(browser_page, web, live_server):
    page = browser_page
    no_js = page.context.browser.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    client = no_js.new_page()
    client.set_default_timeout(15_000)

    # 1. The front page leads to the form; the client fills it in, without JavaScript.
    client.goto("/")
    client.get_by_role("link", name="Start a project").click()
    client.wait_for_url(re.compile(r"/inquiries/$"))
    client.get_by_label("What is your project about?").fill(PORTAL)
    web_development = Topic.objects.get(slug="web-development")
    client.locator(f"input[name=topics][value='{web_development.pk}']").check()
    client.get_by_label("Your organisation").select_option("non-profit")
    client.get_by_label("Region").fill("DE")
    client.get_by_label("The work can be done remotely").check()
    client.get_by_label("Your language").select_option("en")
    client.get_by_label("Your name").fill("Tina Mieterin")
    client.get_by_label("Your email address").fill("tina@mieterverein.example")
    client.get_by_label("I agree that klinke passes my inquiry").check()
    client.wait_for_timeout(3200)  # a person takes longer than the time trap's minimum
    client.get_by_role("button", name="Send the inquiry").click()
    client.wait_for_url(re.compile(r"/inquiries/sent/$"))
    assert "Check your email" in client.content()

    # 2. The link in the email confirms; three collectives are asked.
    link = re.search(r"https?://\S+/inquiries/status/\S+/", mail.outbox[-1].body)
    assert link is not None
    status_path = "/inquiries/status/" + link.group(0).split("/inquiries/status/")[1]
    client.goto(status_path)
    client.get_by_role("button", name="Confirm my inquiry").click()
    client.wait_for_load_state()
    assert "collectives are being asked" in client.content()
    offers = {o.collective.slug: o for o in InquiryOffer.objects.select_related("collective")}
    assert set(offers) == {"quellcode", "webwerk", "portalbau"}

    # 3. A member of Webwerk answers in the browser, with a note; two others answer too.
    log_in_browser(page, web.carol, live_server.url)
    page.goto("/collectives/webwerk/inquiries/")
    page.get_by_role("link", name=re.compile("Mieterverein")).click()
    assert "Why your collective was asked" in page.content()
    page.get_by_label("interested", exact=True).check()
    page.get_by_label("Note to the client").fill("We built two member portals already.")
    page.get_by_role("button", name="Save the answer").click()
    page.wait_for_url(re.compile(r"/inquiries/\d+/$"))
    actions.do_answer_offer(offer=offers["quellcode"], user=web.network.alice, interested=True)
    actions.do_answer_offer(offer=offers["portalbau"], user=web.dave, interested=False)

    # Rotkehlchen worked with Webwerk before and vouches for it; Webwerk confirmed that.
    vouch = do_offer_vouch(
        voucher=web.network.collective_b,
        collective=web.collective_c,
        user=web.network.bob,
        values=VouchValues(project="Mitgliederportal für den Kleingartenverein"),
    )
    do_confirm_vouch(vouch_id=vouch.pk, user=web.carol)

    # 4. The client sees the two interested collectives, with the note and the vouch, and
    # picks one.
    client.goto(status_path)
    interested = client.locator("li.interested")
    assert interested.count() == 2
    assert "We built two member portals already." in client.content()
    assert "Portalbau" not in client.content()
    webwerk = client.locator("li.interested[data-collective=webwerk]")
    assert "1 collective has worked with us." in webwerk.inner_text()
    assert "Rotkehlchen Hosting" in webwerk.inner_text()
    assert "Mitgliederportal für den Kleingartenverein" in webwerk.inner_text()
    quellcode = client.locator("li.interested[data-collective=quellcode]")
    assert "worked with us" not in quellcode.inner_text()
    client.get_by_label("Webwerk Kollektiv").check()
    client.get_by_role("button", name="Hand my inquiry to this collective").click()
    client.wait_for_load_state()
    assert "Your inquiry is with Webwerk Kollektiv" in client.content()

    # 5. Webwerk has it as a lead, with the client as a contact.
    lead = Lead.objects.get(collective=web.collective_c)
    assert lead.source == LeadSource.INQUIRY
    contact = Contact.objects.get(collective=web.collective_c)
    assert lead.contact == contact
    assert contact.full_name == "Tina Mieterin"
    assert InquiryOffer.objects.get(pk=offers["webwerk"].pk).inquiry.state == State.HANDED_OVER
    page.goto(lead.get_absolute_url())
    assert "Tina Mieterin" in page.content()
    no_js.close()
