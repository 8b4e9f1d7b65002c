"""Real objects behind every kind of API path parameter, made through the API itself.

The fuzz test and the input-rule tests point generated requests at these, so that writes
reach the validation and the database instead of stopping at a 404.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from klinke.accounts.models import APIToken, User
from klinke.conftest import Network
from klinke.inquiries.tests.conftest import inquiry_for
from klinke.tenders.models import InboxEntry, Tender
from klinke.tenders.tests.conftest import import_records, multi_lot_record, record

API = "/api/v1"


@dataclass
class TokenCaller:
    """Calls the API with a personal token, as a program would."""

    token: str

    def call(self, method: str, path: str, data: Any = None) -> Any:
        response = Client().generic(
            method,
            API + path,
            json.dumps(data) if data is not None else "",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
        )
        return response

    def create(self, path: str, data: Any) -> Any:
        response = self.call("POST", path, data)
        assert response.status_code in (200, 201), (path, response.content)
        return response.json()


def token_for(user: User) -> str:
    _token, raw = APIToken.issue(user=user, name="fuzz")
    return raw


def seed(network: Network) -> dict[str, Any]:
    """Objects for alice (member of "quellcode") to act on; returns path parameter values."""
    alice = TokenCaller(token_for(network.alice))
    bob = TokenCaller(token_for(network.bob))
    group = network.collective_a.slug
    wb = f"/workbench/{group}"
    organisation = alice.create(f"{wb}/organisations", {"name": "Stadtwerke"})
    contact = alice.create(
        f"{wb}/contacts", {"full_name": "Maria Muster", "organisation": organisation["id"]}
    )
    lead = alice.create(f"{wb}/leads", {"title": "Website der Stadtwerke"})
    decision = alice.create(
        f"{wb}/decisions", {"question": "Nehmen wir es an?", "deadline": "2030-01-01T12:00:00"}
    )
    comment = alice.create(
        f"{wb}/decisions/{decision['id']}/comments", {"text": "Was meint ihr dazu?"}
    )
    red_line = alice.create(f"{wb}/red-lines", {"name": "Rüstung", "keywords_de": ["Rüstung"]})
    referral = alice.create(
        f"{wb}/leads/{lead['id']}/referrals",
        {"to_collective": network.collective_b.slug, "client_agreed": True, "message": "Bitte"},
    )
    need = alice.create(
        "/needs",
        {
            "collective": group,
            "title": "Hilfe bei Preisen",
            "description": "Wie viel?",
            "kinds": ["experience-exchange"],
        },
    )
    offer = bob.create(
        "/offers",
        {
            "collective": network.collective_b.slug,
            "title": "Hosting-Beratung",
            "description": "Wir helfen.",
            "kinds": ["experience-exchange"],
        },
    )
    introduction = alice.create(
        "/introductions",
        {
            "need": need["ref"],
            "counterpart": f"supporter:{network.supporter.slug}",
            "message": "Magst du helfen?",
        },
    )
    article = alice.create(
        "/knowledge/articles",
        {"title": "Preise kalkulieren", "body": "Ein Text.", "language": "de"},
    )
    question = alice.create(
        "/knowledge/questions", {"title": "Wie rechnen wir ab?", "topics": ["pricing"]}
    )
    answer = bob.create(f"/knowledge/questions/{question['id']}/answers", {"body": "Stündlich."})
    idea = alice.create(
        "/workshops/ideas",
        {"title": "Preise finden", "description": "Ein Workshop.", "topics": ["pricing"]},
    )
    event = alice.create(
        "/workshops/events",
        {
            "title": "Preise finden",
            "start": "2030-10-31T10:00",
            "end": "2030-10-31T12:00",
            "description": "Wir rechnen.",
            "capacity": 10,
            "format": "online",
            "online_url": "https://meet.example.org/x",
        },
    )
    day_rate = alice.create(
        f"/rates/{group}/versions", {"members": 2, "net_pay_per_member": "2500"}
    )
    import_records(record())
    # Tenders come from imports, not the API; the profile puts one into the inbox.
    profile = {"cpv_codes": ["72200000"], "regions": ["DE"]}
    assert alice.call("PUT", f"/tenders/{group}/profile", profile).status_code == 200
    entry = InboxEntry.objects.get(collective=network.collective_a)
    import_records(multi_lot_record())
    lots_tender = Tender.objects.get(procedure_id="proc-lose")
    consortium = alice.create(f"/tenders/{group}/consortia", {"tender_id": lots_tender.pk})
    estimate = alice.create(
        f"/estimates/{group}/",
        {"title": "Portal der Stadtwerke", "lead": lead["id"], "template": "website-relaunch-cms"},
    )
    inquiry_offer = inquiry_for(network.collective_a)
    vouch = bob.create(
        f"/vouches/collectives/{network.collective_b.slug}/offers",
        {"collective": group, "project": "Hosting-Umzug"},
    )
    return {
        "vouch_id": vouch["id"],
        "offer_id": inquiry_offer.pk,
        "token": alice.token,
        "entry_id": entry.pk,
        "version_id": day_rate["id"],
        "estimate_id": estimate["id"],
        "consortium_id": consortium["id"],
        "tender_id": entry.tender_id,
        "collective": group,
        "organisation_id": organisation["id"],
        "contact_id": contact["id"],
        "lead_id": lead["id"],
        "decision_id": decision["id"],
        "comment_id": comment["id"],
        "red_line_id": red_line["id"],
        "referral_id": referral["id"],
        "need_ref": need["ref"],
        "offer_ref": offer["ref"],
        "introduction_id": introduction["id"],
        "article_slug": article["slug"],
        "number": 1,
        "question_id": question["id"],
        "answer_id": answer["id"],
        "idea_id": idea["id"],
        "event_id": event["id"],
        "collective_slug": network.collective_a.slug,
        "supporter_slug": network.supporter.slug,
    }


def path_value(path: str, name: str, seeded: dict[str, Any]) -> Any:
    """The seeded value for path parameter `name` of the operation at `path`."""
    if name == "ref":
        return seeded["offer_ref"] if "/offers/" in path else seeded["need_ref"]
    if name == "slug":
        if "/knowledge/" in path:
            return seeded["article_slug"]
        return seeded["supporter_slug"] if "/supporters/" in path else seeded["collective_slug"]
    if name == "pk":
        return seeded["answer_id"] if "/answers/" in path else seeded["question_id"]
    return seeded.get(name)
