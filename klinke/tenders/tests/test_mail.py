"""The digest of new fits (at most daily, opt-out) and deadline reminders for tender leads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from klinke.conftest import deliver_mail, text_body
from klinke.core.models import NotificationKind, NotificationMute
from klinke.tenders import actions
from klinke.tenders.models import InboxEntry, TenderProfile

pytestmark = pytest.mark.django_db


def test_it_sends_a_digest_of_new_fits_once_and_at_most_daily(smtp_server, network, inbox_entry):
    assert actions.do_send_tender_digests() == 2  # alice and alina
    assert deliver_mail() == 2
    message = smtp_server.to(network.alice.email)[0]
    # In her language: German unless she chose otherwise.
    assert "1 neue Ausschreibung passt zu Kollektiv Quellcode" in str(message["Subject"])
    body = text_body(message)
    assert "Entwicklung eines Webportals für die Stadtbibliothek (Stadt Leipzig)" in body
    assert "/collectives/quellcode/tenders/" in body
    inbox_entry.refresh_from_db()
    assert inbox_entry.notified_at is not None
    # Nothing new: nothing sent; a new fit within the day waits for tomorrow.
    assert actions.do_send_tender_digests() == 0
    InboxEntry.objects.filter(pk=inbox_entry.pk).update(notified_at=None)
    assert actions.do_send_tender_digests() == 0
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert actions.do_send_tender_digests(now=tomorrow) == 2


def test_it_sends_no_digest_when_the_collective_or_the_person_opted_out(
    smtp_server, network, inbox_entry
):
    NotificationMute.objects.create(user=network.alice2, kind=NotificationKind.DIGESTS)
    assert actions.do_send_tender_digests() == 1
    InboxEntry.objects.update(notified_at=None)
    TenderProfile.objects.update(digest=False, digest_sent_at=None)
    assert actions.do_send_tender_digests() == 0


def test_it_reminds_lead_members_of_a_near_deadline_once(smtp_server, network, inbox_entry):
    lead = actions.do_turn_entry_into_lead(entry=inbox_entry, user=network.alice)
    assert actions.do_remind_tender_deadlines() == 0  # 12 days ahead
    later = inbox_entry.tender.deadline - dt.timedelta(days=2)
    assert actions.do_remind_tender_deadlines(now=later) == 1
    assert actions.do_remind_tender_deadlines(now=later) == 0
    assert deliver_mail() == 1
    [message] = smtp_server.to(network.alice.email)
    assert lead.title in str(message["Subject"])
    assert f"/workbench/leads/{lead.pk}/" in text_body(message)
