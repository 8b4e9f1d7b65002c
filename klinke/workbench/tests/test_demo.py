"""The demo workbench: realistic, bilingual, flagged where it should be, and idempotent."""

from __future__ import annotations

import pytest

from klinke.accounts.models import User
from klinke.network.demo_loader import do_load_demo_network
from klinke.workbench.models import Decision, Lead, RedLine, Referral

pytestmark = pytest.mark.django_db


def test_it_fills_the_demo_collectives_workbench_once(client):
    # Loading the demo network takes about a minute, so one test checks everything.
    do_load_demo_network()
    leads = Lead.objects.filter(collective__slug="kollektiv-quellcode")
    assert leads.count() == 8 and all(lead.is_demo for lead in leads)
    assert {lead.stage for lead in leads} == {
        "new",
        "qualified",
        "proposal",
        "negotiation",
        "won",
        "lost",
    }
    flagged = leads.get(is_flagged=True)
    assert flagged.title == "Videoanalyse-Plattform für Ordnungsamt"
    assert {hit.field for hit in flagged.hits} >= {"title", "client"}
    assert RedLine.objects.filter(collective__slug="kollektiv-quellcode").count() == 3
    # The tenders demo adds a consortium's own decision; this one is the workbench's.
    decision = Decision.objects.get(
        collective__slug="kollektiv-quellcode", lead__title="Mitgliederportal für den Mieterverein"
    )
    assert decision.is_open and decision.responses.count() == 2
    referral = Referral.objects.get()
    assert (referral.to_collective.slug, referral.state) == ("wurzelwerk-hosting", "offered")
    portal = leads.get(title="Mitgliederportal für den Mieterverein")
    assert portal.organisation is not None and portal.contact is not None
    assert portal.activities.count() == 3 and portal.members.count() == 2

    client.force_login(User.objects.get(email="mira@demo.klinke.example"))
    html = client.get("/collectives/kollektiv-quellcode/workbench/").content.decode()
    assert "Videoanalyse-Plattform für Ordnungsamt" in html
    assert "Red line: look at the evidence first" in html
    assert "Quiet: no activity for 19 days" in html
    assert ">Overdue<" in html and ">Due today<" in html
    incoming = client.get("/collectives/kollektiv-quellcode/workbench/referrals/").content
    assert b"Wurzelwerk Hosting GmbH" in incoming

    # Other apps' demos add leads of their own (a consortium's, a handed-over inquiry's);
    # loading again adds none.
    all_leads = Lead.objects.count()
    do_load_demo_network()
    assert Lead.objects.count() == all_leads
    assert leads.count() == 8
    assert RedLine.objects.count() == 3 and Referral.objects.count() == 1
