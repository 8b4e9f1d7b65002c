"""A lead made from a tender links back to it and shows its buyer and deadline."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from klinke.tenders.lead_origins import tender_origin
from klinke.tenders.models import EntryState, Tender
from klinke.workbench.models import Lead, LeadSource
from klinke.workbench.origins import lead_origins

pytestmark = pytest.mark.django_db


def lead_from(network, inbox_entry) -> Lead:
    alice = network.client_for(network.alice)
    alice.post(reverse("tenders:entry_lead", args=[network.collective_a.slug, inbox_entry.pk]))
    return Lead.objects.get(collective=network.collective_a, source=LeadSource.TENDER)


def test_it_links_the_lead_page_back_to_the_tender_with_buyer_and_deadline(network, inbox_entry):
    lead = lead_from(network, inbox_entry)
    alice = network.client_for(network.alice)
    url = reverse("workbench:lead_detail", args=[network.collective_a.slug, lead.pk])
    inbox = reverse("tenders:inbox", args=[network.collective_a.slug])

    with translation.override("en"):
        page = alice.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    backlink = f'href="{inbox}?show={EntryState.LEAD}#tender-{inbox_entry.pk}"'
    assert backlink in page
    assert "lead-origin" in page
    assert "Stadt Leipzig" in page
    assert "Buyer" in page
    deadline = inbox_entry.tender.deadline
    assert f'datetime="{deadline.isoformat()}"' in page or deadline.strftime("%Y") in page


def test_it_writes_the_backlink_in_german_on_a_german_page(network, inbox_entry):
    lead = lead_from(network, inbox_entry)
    alice = network.client_for(network.alice)
    url = reverse("workbench:lead_detail", args=[network.collective_a.slug, lead.pk])

    page = alice.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "Ausschreibung</dt>" in page
    assert "Auftraggeber" in page
    assert "Frist" in page


def test_it_names_the_tender_as_the_origin(network, inbox_entry):
    lead = lead_from(network, inbox_entry)

    with translation.override("de"):
        [origin] = lead_origins(lead)

    assert origin.title == "Entwicklung eines Webportals für die Stadtbibliothek"
    assert origin.buyer == "Stadt Leipzig"
    assert origin.deadline == inbox_entry.tender.deadline
    assert origin.reference == "123456-2026"


def test_it_hides_a_placeholder_deadline(network, inbox_entry):
    lead = lead_from(network, inbox_entry)
    Tender.objects.filter(pk=inbox_entry.tender_id).update(deadline_placeholder=True)

    origin = tender_origin(lead)

    assert origin is not None
    assert origin.deadline is None


def test_it_finds_no_tender_for_other_leads_without_a_query(network, django_assert_num_queries):
    lead = Lead.objects.create(
        collective=network.collective_a, title="Website für den Sportverein", source="referral"
    )
    with django_assert_num_queries(0):
        assert tender_origin(lead) is None


def test_it_shows_nothing_for_a_tender_lead_of_another_collective(network, inbox_entry):
    lead = lead_from(network, inbox_entry)
    # The same lead moved to collective B (it never happens through the app): the entry is A's.
    Lead.objects.filter(pk=lead.pk).update(collective=network.collective_b)
    lead.refresh_from_db()

    assert tender_origin(lead) is None


def test_it_keeps_the_lead_page_when_its_entry_is_gone(network, inbox_entry):
    lead = lead_from(network, inbox_entry)
    inbox_entry.delete()
    alice = network.client_for(network.alice)
    url = reverse("workbench:lead_detail", args=[network.collective_a.slug, lead.pk])

    response = alice.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "lead-origin" not in response.content.decode()
