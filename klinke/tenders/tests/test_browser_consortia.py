"""A consortium in a real browser: from the inbox, a member starts a consortium for a tender
with lots, invites a collective the matching engine suggests (with its reasons); a member of
that collective accepts with a lot and a share; both see the shared page, and neither sees
the other's leads."""

import re

import pytest

from klinke.conftest import log_in_browser, make_collective, make_user
from klinke.tenders.actions import do_refresh_inbox
from klinke.tenders.models import ConsortiumMember, MemberState
from klinke.tenders.tests.conftest import import_records, make_profile, multi_lot_record
from klinke.workbench.tests.conftest import make_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_two_collectives_form_a_consortium(browser_page, network, live_server):
    carla = make_user("carla@example.org", "Carla")
    third = make_collective(
        "drittes-kollektiv",
        "Drittes Kollektiv",
        members=[carla],
        description_de="Hosting und Betrieb von Webportalen, Schulungen in Dresden.",
        city="Dresden",
        country="DE",
        nuts_code="DED21",
        topics=["hosting", "web-development"],
    )
    make_lead(third, "Carlas geheimer Lead")
    make_lead(network.collective_a, "Alices geheimer Lead")
    import_records(multi_lot_record())
    make_profile(network.collective_a)
    do_refresh_inbox(collective=network.collective_a)
    page = browser_page
    log_in_browser(page, network.alice, live_server.url)

    # 1. From the inbox: start a consortium for the tender with three lots.
    page.goto("/collectives/quellcode/tenders/")
    tender = page.locator("li.tender", has_text="Digitale Bürgerdienste")
    tender.get_by_role("button", name="Bid together: start a consortium").click()
    page.wait_for_url(re.compile(r"/tenders/consortia/\d+/$"))
    consortium_url = page.url

    # 2. The engine suggests the third collective, with its reasons; invite it.
    suggestion = page.locator("li.suggestion[data-collective='drittes-kollektiv']")
    assert suggestion.locator(".reasons li").count() > 0
    suggestion.get_by_label("Message to the collective").fill("Übernehmt ihr das Hosting?")
    suggestion.get_by_role("button", name="Invite Drittes Kollektiv").click()
    page.wait_for_url(consortium_url)
    assert "Drittes Kollektiv" in page.locator("#member-drittes-kollektiv").inner_text()

    # 3. A member of the third collective accepts with a lot and a share.
    log_in_browser(page, carla, live_server.url)
    page.goto("/collectives/drittes-kollektiv/tenders/consortia/")
    page.get_by_role("link", name=re.compile("Digitale Bürgerdienste")).click()
    assert "Übernehmt ihr das Hosting?" in page.locator("main").inner_text()
    assert "Touches none of your red lines." in page.locator("#own-red-lines").inner_text()
    page.get_by_label(re.compile("LOT-0002")).check()
    page.get_by_label("Your share in percent").fill("40")
    page.get_by_label("We take part").check()
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_url(re.compile(r"/drittes-kollektiv/tenders/consortia/\d+/$"))
    member = ConsortiumMember.objects.get(collective=third)
    assert member.state == MemberState.ACCEPTED and member.lead is not None
    carla_view = page.locator("main").inner_text()
    assert "taken by Drittes Kollektiv" in carla_view
    assert "Kollektiv Quellcode" in carla_view
    assert "Alices geheimer Lead" not in page.content()

    # 4. The first collective sees the lot and share, and nothing of the other's pipeline.
    log_in_browser(page, network.alice, live_server.url)
    page.goto(consortium_url)
    alice_view = page.locator("main").inner_text()
    assert "taken by Drittes Kollektiv" in page.locator("#lot-LOT-0002").inner_text()
    assert "40.00 %" in page.locator("#member-drittes-kollektiv").inner_text()
    assert "Carlas geheimer Lead" not in page.content()
    assert "Carla" in alice_view  # the contact person, shared on purpose
