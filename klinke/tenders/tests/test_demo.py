"""The demo network's day of tenders: Kollektiv Quellcode's inbox shows fitting tenders in
Saxony with reasons, one flagged by its red lines, and a tender with several lots."""

from __future__ import annotations

import datetime as dt

import pytest

from klinke.network.demo_loader import do_load_demo_network
from klinke.tenders.demo import NOTICES, notice_bytes
from klinke.tenders.models import InboxEntry, Tender
from klinke.tenders.parsers import parse_bytes
from klinke.tenders.parsers.records import Parsed, Source


def test_it_writes_each_demo_notice_as_a_notice_the_parser_reads() -> None:
    today = dt.date(2026, 12, 6)
    for notice in NOTICES:
        outcome = parse_bytes(notice_bytes(notice, today), Source("demo", None, "0"))
        assert isinstance(outcome, Parsed), outcome
        (record,) = outcome.records
        assert record.role == "competition"
        assert record.title == {"de": notice.title}
        assert record.buyer_name == notice.buyer
        assert record.buyer_country == "DE"
        assert notice.nuts in record.nuts
        assert record.cpv_main == notice.cpv
        assert record.deadline is not None
        assert record.deadline.utc.date() == today + dt.timedelta(days=notice.days_left)
        assert record.estimated_value == notice.value
        assert len(record.lots) == max(1, len(notice.lots))


@pytest.mark.django_db
def test_it_fills_the_mission_collectives_inbox_and_stays_idempotent() -> None:
    do_load_demo_network()
    tenders = Tender.objects.count()
    entries = {
        entry.tender.title["de"]: entry
        for entry in InboxEntry.objects.filter(
            collective__slug="kollektiv-quellcode", fits=True
        ).select_related("tender")
    }
    portal = entries["Entwicklung eines Webportals für Mitglieder und Mieter*innen"]
    assert portal.reasons and not portal.is_flagged
    assert entries["Webanwendung zur Verhaltensanalyse von Fahrgästen"].is_flagged
    relaunch = entries["Relaunch der Website der Stadtteilzentren mit freiem CMS"]
    assert relaunch.tender.lots.count() == 3
    # The SDK's own examples are stored too, but their deadlines have passed.
    assert tenders > len(NOTICES)

    do_load_demo_network()
    assert Tender.objects.count() == tenders


@pytest.mark.django_db
def test_it_shows_a_consortium_for_the_tender_with_lots() -> None:
    from klinke.tenders.models import Consortium, MemberState

    do_load_demo_network()
    consortium = Consortium.objects.get(initiator__slug="kollektiv-quellcode")
    assert consortium.is_demo and consortium.tender.lots.count() == 3
    members = {m.collective.slug: m for m in consortium.members.all()}
    wurzelwerk = members["wurzelwerk-hosting"]
    assert wurzelwerk.state == MemberState.ACCEPTED
    assert wurzelwerk.share is not None and wurzelwerk.taken_lots.count() == 1
    assert members["rotkehlchen-webkooperative"].state == MemberState.INVITED
    assert wurzelwerk.decision is not None and wurzelwerk.decision.is_open
    do_load_demo_network()
    assert Consortium.objects.count() == 1
