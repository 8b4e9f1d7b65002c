"""Sending, confirming, routing, answering, closing, choosing and forgetting inquiries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from klinke.contacts.models import Consent, Contact
from klinke.core.tokens import hash_token
from klinke.inquiries import actions
from klinke.inquiries.models import (
    Answer,
    Inquiry,
    InquiryOffer,
    InquirySettings,
    State,
    SubmissionMark,
)
from klinke.inquiries.tests.conftest import Web, routed, submitted
from klinke.workbench.models import Decision, Lead, LeadSource, RedLine

pytestmark = pytest.mark.django_db


def asked(inquiry: Inquiry) -> set[str]:
    return set(
        InquiryOffer.objects.filter(inquiry=inquiry).values_list("collective__slug", flat=True)
    )


def test_it_stores_a_new_inquiry_unconfirmed_with_only_the_links_digest(web: Web) -> None:
    inquiry, raw = submitted()
    assert inquiry.state == State.UNCONFIRMED
    assert inquiry.status_digest == hash_token(raw)
    assert raw not in inquiry.status_digest
    assert inquiry.consent_at is not None
    assert not InquiryOffer.objects.exists()
    (message,) = mail.outbox
    assert message.to == ["tina@mieterverein.example"]
    assert inquiry.status_url(raw) in message.body
    assert "bestätige" in message.subject.lower() or "confirm" in message.subject.lower()


def test_it_refuses_an_inquiry_without_consent(web: Web) -> None:
    with pytest.raises(actions.InquiryError):
        submitted(consent=False)
    assert not Inquiry.objects.exists()


def test_it_asks_the_fitting_collectives_with_reasons_once_confirmed(web: Web) -> None:
    inquiry, _raw = routed()
    assert inquiry.state == State.OPEN
    assert asked(inquiry) == {"quellcode", "webwerk", "portalbau"}
    assert inquiry.round_closes_at is not None
    assert inquiry.round_closes_at - timezone.now() > timedelta(hours=71)
    for offer in InquiryOffer.objects.filter(inquiry=inquiry):
        assert offer.reasons
        assert offer.screening["hits"] == []
    recipients = {address for message in mail.outbox for address in message.to}
    assert {"alice@example.org", "carol@example.org", "dave@example.org"} <= recipients
    assert "bob@example.org" not in recipients  # hosting in Vienna does not fit


def test_it_confirms_only_once(web: Web) -> None:
    inquiry, _raw = routed()
    again = actions.do_confirm_inquiry(inquiry=inquiry)
    assert again.state == State.OPEN
    assert InquiryOffer.objects.filter(inquiry=inquiry).count() == 3


def test_it_leaves_out_a_paused_collective_and_one_whose_red_line_is_hit(web: Web) -> None:
    InquirySettings.objects.create(collective=web.collective_c, paused=True)
    RedLine.objects.create(
        collective=web.collective_d, name="Keine Vereine", keywords_de="Mieterverein"
    )
    inquiry, _raw = routed()
    assert asked(inquiry) == {"quellcode"}
    assert inquiry.exclusions.get("paused") == 1
    assert inquiry.exclusions.get("red_line") == 1


def test_it_tells_the_client_honestly_when_nobody_fits(web: Web) -> None:
    inquiry, _raw = routed(topics=[], description="Wir suchen eine Bäckerei für Brötchen.")
    assert inquiry.state == State.NO_TAKER
    assert not InquiryOffer.objects.filter(inquiry=inquiry).exists()
    last = mail.outbox[-1]
    assert last.to == ["tina@mieterverein.example"]
    assert "/knowledge/" in last.body


def test_it_sends_a_direct_inquiry_to_that_collective_only(web: Web) -> None:
    inquiry, _raw = routed(collective=web.collective_d)
    assert asked(inquiry) == {"portalbau"}


def test_it_assigns_by_the_rule_once_everyone_has_answered(web: Web) -> None:
    inquiry, _raw = routed()
    offers = {o.collective.slug: o for o in InquiryOffer.objects.filter(inquiry=inquiry)}
    actions.do_answer_offer(
        offer=offers["quellcode"], user=web.network.alice, interested=True, note="Gern!"
    )
    actions.do_answer_offer(offer=offers["webwerk"], user=web.carol, interested=True, note="Ja")
    inquiry.refresh_from_db()
    assert inquiry.state == State.OPEN
    actions.do_answer_offer(offer=offers["portalbau"], user=web.dave, interested=False)
    inquiry.refresh_from_db()
    assert inquiry.state == State.ASSIGNED
    assert inquiry.seed is not None
    assert inquiry.deficits == {"Kollektiv Quellcode": 0.5, "Webwerk Kollektiv": 0.5}
    assigned = InquiryOffer.objects.get(inquiry=inquiry, assigned=True)
    assert assigned.collective.slug in {"quellcode", "webwerk"}
    assert assigned.counted_at is not None
    assert mail.outbox[-1].to == ["tina@mieterverein.example"]
    # The interested earned equal shares (equal capacities); who declined earned nothing.
    shares = {o.collective.slug: o.share for o in InquiryOffer.objects.filter(inquiry=inquiry)}
    assert shares == {"quellcode": 0.5, "webwerk": 0.5, "portalbau": None}


def test_it_counts_what_the_interested_earned_in_the_next_round(web: Web) -> None:
    InquirySettings.objects.create(collective=web.collective_d, capacity=6)
    first, _raw = routed()
    for offer in InquiryOffer.objects.filter(inquiry=first).select_related("collective"):
        member = offer.collective.member_users()[0]
        actions.do_answer_offer(offer=offer, user=member, interested=True)
    shares = {o.collective.slug: o.share for o in InquiryOffer.objects.filter(inquiry=first)}
    assert shares == {"quellcode": 0.25, "webwerk": 0.25, "portalbau": 0.5}
    first_pick = InquiryOffer.objects.get(inquiry=first, assigned=True).collective.slug
    assert first_pick == "portalbau"  # the largest share of this inquiry, equal histories

    second, _raw = routed(contact_email="other@example.org")
    for offer in InquiryOffer.objects.filter(inquiry=second).select_related("collective"):
        member = offer.collective.member_users()[0]
        actions.do_answer_offer(offer=offer, user=member, interested=True)
    second.refresh_from_db()
    # Portalbau earned 0.5 + 0.5 and received 1; the others earned 0.25 + 0.25 each.
    assert second.deficits == {
        "Kollektiv Quellcode": 0.5,
        "Webwerk Kollektiv": 0.5,
        "Portalbau eG": 0.0,
    }
    assert InquiryOffer.objects.get(inquiry=second, assigned=True).collective.slug != "portalbau"


def test_it_forgets_the_shares_of_a_withdrawn_inquiry(web: Web) -> None:
    inquiry, _raw = routed()
    for offer in InquiryOffer.objects.filter(inquiry=inquiry).select_related("collective"):
        member = offer.collective.member_users()[0]
        actions.do_answer_offer(offer=offer, user=member, interested=True)
    assert InquiryOffer.objects.filter(inquiry=inquiry, share__isnull=False).count() == 3
    actions.do_withdraw_inquiry(inquiry=inquiry)
    assert not InquiryOffer.objects.filter(inquiry=inquiry, share__isnull=False).exists()
    assert not InquiryOffer.objects.filter(inquiry=inquiry, counted_at__isnull=False).exists()


def test_it_gives_the_next_inquiry_to_the_collective_with_the_larger_deficit(web: Web) -> None:
    first, _raw = routed()
    webwerk = InquiryOffer.objects.get(inquiry=first, collective=web.collective_c)
    InquiryOffer.objects.filter(pk=webwerk.pk).update(counted_at=timezone.now())
    second, _raw = routed(contact_email="other@example.org")
    for offer in InquiryOffer.objects.filter(inquiry=second).select_related("collective"):
        member = offer.collective.member_users()[0]
        actions.do_answer_offer(offer=offer, user=member, interested=True)
    second.refresh_from_db()
    assigned = InquiryOffer.objects.get(inquiry=second, assigned=True)
    assert assigned.collective.slug != "webwerk"
    assert second.decided_by in {"waiting", "lottery", "deficit"}


def test_it_refuses_an_answer_from_a_non_member_and_after_the_round(web: Web) -> None:
    inquiry, _raw = routed()
    offer = InquiryOffer.objects.get(inquiry=inquiry, collective=web.collective_c)
    with pytest.raises(actions.InquiryError):
        actions.do_answer_offer(offer=offer, user=web.network.bob, interested=True)
    actions.do_close_round(inquiry=inquiry)
    with pytest.raises(actions.InquiryError):
        actions.do_answer_offer(offer=offer, user=web.carol, interested=True)
    offer.refresh_from_db()
    assert offer.answer == Answer.PENDING


def test_it_closes_due_rounds_and_reminds_once(web: Web) -> None:
    inquiry, _raw = routed()
    later = timezone.now() + timedelta(hours=60)
    mail.outbox.clear()
    assert actions.do_remind_open_rounds(later) == 3
    assert actions.do_remind_open_rounds(later) == 0
    assert len(mail.outbox) == 4  # Quellcode has two members
    assert actions.do_close_due_rounds(timezone.now()) == 0
    assert actions.do_close_due_rounds(timezone.now() + timedelta(hours=73)) == 1
    inquiry.refresh_from_db()
    assert inquiry.state == State.NO_TAKER


def test_it_hands_the_chosen_collective_a_lead_with_the_client_as_contact(web: Web) -> None:
    inquiry, _raw = routed(contact_phone="+49 341 1234567")
    offers = {o.collective.slug: o for o in InquiryOffer.objects.filter(inquiry=inquiry)}
    actions.do_answer_offer(offer=offers["quellcode"], user=web.network.alice, interested=True)
    actions.do_answer_offer(offer=offers["webwerk"], user=web.carol, interested=True)
    actions.do_close_round(inquiry=inquiry)
    chosen = actions.do_choose_collective(inquiry=inquiry, offer_id=offers["webwerk"].pk)
    inquiry.refresh_from_db()
    assert inquiry.state == State.HANDED_OVER
    lead = Lead.objects.get(collective=web.collective_c)
    assert lead.source == LeadSource.INQUIRY
    assert chosen.lead == lead
    contact = Contact.objects.get(collective=web.collective_c)
    assert lead.contact == contact
    assert contact.full_name == "Tina Mieterin"
    assert contact.consent == Consent.AGREED
    assert contact.source == "inquiry"
    assert list(contact.emails.values_list("email", flat=True)) == ["tina@mieterverein.example"]
    counted = InquiryOffer.objects.filter(inquiry=inquiry, counted_at__isnull=False)
    assert [o.collective.slug for o in counted] == ["webwerk"]
    assert not Lead.objects.filter(collective=web.network.collective_a).exists()


def test_it_refuses_a_choice_of_a_collective_that_was_not_interested(web: Web) -> None:
    inquiry, _raw = routed()
    offers = {o.collective.slug: o for o in InquiryOffer.objects.filter(inquiry=inquiry)}
    actions.do_answer_offer(offer=offers["quellcode"], user=web.network.alice, interested=True)
    actions.do_close_round(inquiry=inquiry)
    with pytest.raises(actions.InquiryError):
        actions.do_choose_collective(inquiry=inquiry, offer_id=offers["webwerk"].pk)
    assert not Lead.objects.exists()


def test_it_opens_a_workbench_decision_to_discuss_an_inquiry(web: Web) -> None:
    inquiry, _raw = routed()
    offer = InquiryOffer.objects.get(inquiry=inquiry, collective=web.collective_c)
    decision = actions.do_discuss_offer(offer=offer, user=web.carol)
    assert decision.collective == web.collective_c
    assert actions.do_discuss_offer(offer=offer, user=web.carol) == decision
    assert Decision.objects.count() == 1


def test_it_limits_inquiries_per_address_and_per_email(web: Web) -> None:
    # Without a proof of work, as here, the stricter limit per address holds (more in
    # test_proof_of_work.py).
    for i in range(actions.LIMIT_PER_ADDRESS_WITHOUT_PROOF):
        submitted(contact_email=f"p{i}@example.org")
    with pytest.raises(actions.TooMany):
        submitted(contact_email="another@example.org")
    for _i in range(actions.LIMIT_PER_EMAIL):
        submitted(address="198.51.100.7", contact_email="same@example.org")
    with pytest.raises(actions.TooMany):
        submitted(address="203.0.113.9", contact_email="SAME@example.org")
    assert (
        Inquiry.objects.count() == actions.LIMIT_PER_ADDRESS_WITHOUT_PROOF + actions.LIMIT_PER_EMAIL
    )
    digests = set(SubmissionMark.objects.values_list("fingerprint", flat=True))
    assert not any("192.0.2.1" in d or "same@" in d for d in digests)


def test_it_forgets_unconfirmed_inquiries_and_old_clients_details(web: Web) -> None:
    unconfirmed, _raw = submitted()
    closed, _raw = routed(contact_email="x@example.org")
    actions.do_close_round(inquiry=closed)
    assert actions.do_forget_inquiries(timezone.now()) == 0
    assert actions.do_forget_inquiries(timezone.now() + timedelta(days=400)) == 2
    assert not Inquiry.objects.filter(pk=unconfirmed.pk).exists()
    closed.refresh_from_db()
    assert (closed.contact_email, closed.contact_name, closed.description) == ("", "", "")
    assert not SubmissionMark.objects.exists()


def test_it_revokes_the_old_link_when_a_new_one_is_asked_for(web: Web) -> None:
    inquiry, raw = submitted()
    new = actions.do_renew_status_link(inquiry=inquiry)
    assert actions.inquiry_for_token(raw) is None
    assert actions.inquiry_for_token(new) == inquiry


def test_it_withdraws_an_inquiry(web: Web) -> None:
    inquiry, _raw = routed()
    actions.do_withdraw_inquiry(inquiry=inquiry)
    inquiry.refresh_from_db()
    assert inquiry.state == State.WITHDRAWN
    offer = InquiryOffer.objects.filter(inquiry=inquiry).first()
    assert offer is not None
    with pytest.raises(actions.InquiryError):
        actions.do_answer_offer(
            offer=offer, user=offer.collective.member_users()[0], interested=True
        )
