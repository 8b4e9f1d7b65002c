"""Demo inquiries: two invented clients' projects, clearly marked as demo, for the demo network.

One inquiry is open: Kollektiv Quellcode and others were asked, and one collective has answered
"interested". The other was handed over: the client chose a collective, which now has it as a
lead with the client as a contact. Idempotent; no email is sent.
"""

from __future__ import annotations

import dataclasses

from klinke.collectives.models import Collective
from klinke.inquiries import actions
from klinke.inquiries.models import Answer, Inquiry, InquiryOffer, State
from klinke.topics.models import Topic
from klinke.vouches.demo import vouch_for_demo_collective

OPEN = actions.InquiryFields(
    description=(
        "(Demo) Mitgliederportal für den Mieterverein Südvorstadt\n\n"
        "Wir sind ein Mieterverein mit rund 800 Mitgliedern. Wir brauchen ein neues "
        "Mitgliederportal: Anmeldung, Beitragsverwaltung, Termine für die Beratung, "
        "barrierefrei und datensparsam. Bisher läuft alles über Excel und E-Mail."
    ),
    organisation_type="non-profit",
    contact_name="Tina Mieterin (Demo)",
    contact_email="tina.demo@mieterverein.example",
    consent=True,
    budget="20k-50k",
    time_frame="half-year",
    region="DE",
    remote=True,
    language="de",
)

HANDED_OVER = actions.InquiryFields(
    description=(
        "(Demo) A new website for a food cooperative\n\n"
        "Our food cooperative needs a simple, accessible website with a members' area and "
        "an order form for the weekly vegetable boxes. We can maintain texts ourselves."
    ),
    organisation_type="cooperative",
    contact_name="Sam Gemüse (demo)",
    contact_email="sam.demo@foodcoop.example",
    consent=True,
    budget="5k-20k",
    time_frame="quarter",
    remote=True,
    language="en",
)


def _send(fields: actions.InquiryFields, topics: list[str]) -> Inquiry:
    values = dataclasses.replace(fields, topics=list(Topic.objects.filter(slug__in=topics)))
    inquiry, _raw = actions.do_submit_inquiry(fields=values, address="demo")
    Inquiry.objects.filter(pk=inquiry.pk).update(is_demo=True)
    return actions.do_confirm_inquiry(inquiry=inquiry)


def _answer(inquiry: Inquiry, interested: bool, note: str, *, skip: int = 0) -> None:
    offers = list(InquiryOffer.objects.filter(inquiry=inquiry, answer=Answer.PENDING))
    for offer in offers[skip:]:
        members = offer.collective.member_users()
        if not members:
            continue
        actions.do_answer_offer(offer=offer, user=members[0], interested=interested, note=note)
        return


def load_demo_content() -> str:
    if Inquiry.objects.filter(is_demo=True).exists():
        return "inquiries: demo inquiries already there"
    if not Collective.objects.filter(is_demo=True).exists():
        return "inquiries: no demo collectives"
    with actions.quiet_mail():
        open_one = _send(OPEN, ["web-development", "accessibility", "data-protection"])
        if open_one.state == State.OPEN:
            _answer(
                open_one,
                True,
                "(Demo) Wir haben schon zwei Vereinsportale gebaut und würden gern mit euch "
                "über Barrierefreiheit und Datensparsamkeit sprechen.",
            )
            # The client sees who vouched for the interested collective.
            for offer in open_one.offers.filter(answer=Answer.INTERESTED).select_related(
                "collective"
            ):
                vouch_for_demo_collective(offer.collective)
        handed = _send(HANDED_OVER, ["web-development", "cms", "accessibility"])
        if handed.state == State.OPEN:
            _answer(handed, True, "(Demo) We love food co-ops and build accessible sites.")
            _answer(handed, True, "(Demo) Happy to help; we can start next month.")
            actions.do_close_round(inquiry=handed)
            handed.refresh_from_db()
            assigned = handed.assigned_offer
            if handed.state == State.ASSIGNED and assigned is not None:
                actions.do_choose_collective(inquiry=handed, offer_id=assigned.pk)
    return "inquiries: 2 demo inquiries (one open, one handed over)"
