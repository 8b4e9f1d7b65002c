"""Inquiries fixtures: the network's personas plus two more web collectives, and a client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.conftest import Network, make_collective, make_user
from klinke.inquiries import actions
from klinke.inquiries.models import Inquiry, InquiryOffer
from klinke.topics.models import Topic

PORTAL = (
    "Wir sind ein Mieterverein in Leipzig und brauchen ein neues Mitgliederportal mit "
    "Django: Anmeldung, Beiträge, barrierefreie Webentwicklung."
)


@dataclass
class Web:
    network: Network
    carol: User
    dave: User
    collective_c: Collective
    collective_d: Collective

    @property
    def web_collectives(self) -> list[Collective]:
        return [self.network.collective_a, self.collective_c, self.collective_d]


@pytest.fixture
def web(network: Network) -> Web:
    carol = make_user("carol@example.org", "Carol")
    dave = make_user("dave@example.org", "Dave", language="en")
    collective_c = make_collective(
        "webwerk",
        "Webwerk Kollektiv",
        members=[carol],
        description_de="Webentwicklung und Mitgliederportale mit Django für Vereine.",
        city="Leipzig",
        country="DE",
        nuts_code="DED51",
        remote_friendly=True,
        topics=["web-development"],
    )
    collective_d = make_collective(
        "portalbau",
        "Portalbau eG",
        members=[dave],
        description_de="Webentwicklung, Portale und Barrierefreiheit für Vereine.",
        description_en="Web development and member portals for associations.",
        city="Dresden",
        country="DE",
        nuts_code="DED21",
        remote_friendly=True,
        topics=["web-development"],
    )
    return Web(network, carol, dave, collective_c, collective_d)


def fields(**overrides: Any) -> actions.InquiryFields:
    values: dict[str, Any] = {
        "description": PORTAL,
        "organisation_type": "non-profit",
        "contact_name": "Tina Mieterin",
        "contact_email": "tina@mieterverein.example",
        "consent": True,
        "topics": list(Topic.objects.filter(slug="web-development")),
        "region": "DE",
        "remote": True,
        "language": "de",
    }
    values.update(overrides)
    return actions.InquiryFields(**values)


def submitted(address: str = "192.0.2.1", proof: str = "", **overrides: Any) -> tuple[Inquiry, str]:
    return actions.do_submit_inquiry(fields=fields(**overrides), address=address, proof=proof)


def routed(**overrides: Any) -> tuple[Inquiry, str]:
    inquiry, raw = submitted(**overrides)
    return actions.do_confirm_inquiry(inquiry=inquiry), raw


def inquiry_for(collective: Collective) -> InquiryOffer:
    """An inquiry sent to `collective` directly and confirmed: the collective is asked."""
    inquiry, _raw = actions.do_submit_inquiry(
        fields=fields(collective=collective, contact_email="klara@verein.example"),
        address="192.0.2.200",
    )
    actions.do_confirm_inquiry(inquiry=inquiry)
    return InquiryOffer.objects.get(inquiry=inquiry, collective=collective)
