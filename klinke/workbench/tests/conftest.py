"""Workbench fixtures: leads, contacts and one of every workbench object of collective A."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.conftest import Network, make_collective, make_user
from klinke.contacts.models import Contact, ContactEmail, Organisation
from klinke.workbench.models import (
    Activity,
    Decision,
    DecisionRule,
    Lead,
    RedLine,
    Referral,
    ReferralLogEntry,
)


def make_lead(collective: Collective, title: str = "Website relaunch", **fields: Any) -> Lead:
    members = fields.pop("members", [])
    topics = fields.pop("topics", [])
    lead = Lead(collective=collective, title=title, **fields)
    lead.save()
    if members:
        lead.members.set(members)
    if topics:
        from klinke.topics.models import Topic

        lead.topics.set(Topic.objects.filter(slug__in=topics))
    return lead


def make_red_line(
    collective: Collective, name: str = "Keine Überwachung", **fields: Any
) -> RedLine:
    sectors = fields.pop("sectors", ["surveillance"])
    red_line = RedLine(collective=collective, name=name, **fields)
    red_line.sector_codes = sectors
    red_line.save()
    return red_line


def make_decision(
    collective: Collective, opened_by: User, *, lead: Lead | None = None, **fields: Any
) -> Decision:
    fields.setdefault("question", "Do we take it?")
    fields.setdefault("deadline", timezone.now() + timedelta(days=3))
    fields.setdefault("rule", DecisionRule.CONSENT)
    fields.setdefault("quorum_percent", 50)
    return Decision.objects.create(collective=collective, opened_by=opened_by, lead=lead, **fields)


@dataclass
class Workbench:
    """One object of every kind that a workbench route can name, all of collective A."""

    network: Network
    third: Collective
    carla: User
    organisation: Organisation
    contact: Contact
    lead: Lead
    activity: Activity
    decision: Decision
    red_line: RedLine
    referral: Referral


@pytest.fixture
def third(network: Network) -> tuple[Collective, User]:
    carla = make_user("carla@example.org", "Carla")
    collective = make_collective(
        "drittes-kollektiv",
        "Drittes Kollektiv",
        members=[carla],
        description_de="Barrierefreie Webentwicklung und Hosting in Dresden.",
        city="Dresden",
        country="DE",
        topics=["web-development", "accessibility"],
    )
    return collective, carla


@pytest.fixture
def workbench(network: Network, third: tuple[Collective, User]) -> Workbench:
    collective_a = network.collective_a
    organisation = Organisation.objects.create(
        collective=collective_a, name="Mieterverein Leipzig e.V.", city="Leipzig", country="DE"
    )
    contact = Contact.objects.create(
        collective=collective_a,
        given_name="Ruth",
        family_name="Berger",
        organisation=organisation,
    )
    ContactEmail.objects.create(contact=contact, email="ruth.berger@example.org")
    lead = make_lead(
        collective_a,
        "Neue Website für den Mieterverein",
        organisation=organisation,
        contact=contact,
        description="Barrierefreie Website mit Terminbuchung.",
        value_min=8000,
        value_max=12000,
        members=[network.alice],
    )
    activity = Activity.objects.create(
        lead=lead, kind="call", text="Erstes Telefonat", by=network.alice, contact=contact
    )
    decision = make_decision(collective_a, network.alice, lead=lead)
    red_line = make_red_line(collective_a)
    carla_collective, carla = third
    referral = Referral.objects.create(
        lead=make_lead(collective_a, "Shop für einen Fahrradladen"),
        from_collective=collective_a,
        to_collective=carla_collective,
        referred_by=network.alice,
        client_agreed=True,
        title="Shop für einen Fahrradladen",
    )
    ReferralLogEntry.objects.create(
        referral=referral,
        from_collective=collective_a,
        to_collective=carla_collective,
        referred_on=timezone.localdate(),
        state=referral.state,
    )
    return Workbench(
        network=network,
        third=carla_collective,
        carla=carla,
        organisation=organisation,
        contact=contact,
        lead=lead,
        activity=activity,
        decision=decision,
        red_line=red_line,
        referral=referral,
    )
