"""Estimates fixtures: an estimate of collective A for its lead, with three packages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.estimates import actions
from klinke.estimates.actions import EstimateValues, PackageValues, VersionValues
from klinke.estimates.models import Estimate
from klinke.workbench.models import Lead
from klinke.workbench.tests.conftest import make_lead


def package(name: str, o: str, m: str, p: str, rate: str = "95", **extra: Any) -> PackageValues:
    return PackageValues(
        name=name,
        optimistic_hours=Decimal(o),
        likely_hours=Decimal(m),
        pessimistic_hours=Decimal(p),
        hourly_rate=Decimal(rate),
        **extra,
    )


THREE_PACKAGES = (
    package("Konzept", "2", "4", "12", role="Konzeption"),
    package("Umsetzung", "20", "30", "52", role="Entwicklung"),
    package("Schulung", "3", "4", "5", role="Entwicklung"),
)


def content(**changes: Any) -> VersionValues:
    values: dict[str, Any] = {
        "packages": THREE_PACKAGES,
        "assumptions": ("Ihr liefert die Texte.",),
        "exclusions": ("Hosting",),
        "risk_buffer_percent": Decimal(10),
        "risk_buffer_reason": "Abstimmungen",
    }
    values.update(changes)
    return VersionValues(**values)


def make_estimate(
    collective: Collective,
    user: User,
    *,
    lead: Lead | None = None,
    title: str = "Mitgliederportal",
    version: VersionValues | None = None,
    **fields: Any,
) -> Estimate:
    return actions.do_create_estimate(
        collective=collective,
        user=user,
        values=EstimateValues(**{"title": title, "client_name": "Mieterverein Leipzig", **fields}),
        lead=lead,
        content=version or content(),
    )


@dataclass
class Shared:
    estimate: Estimate
    secret: str
    lead: Lead


@pytest.fixture
def estimate(network: Any) -> Estimate:
    lead = make_lead(network.collective_a, "Mitgliederportal für den Mieterverein")
    return make_estimate(network.collective_a, network.alice, lead=lead)


@pytest.fixture
def shared(network: Any, estimate: Estimate) -> Shared:
    secret = actions.do_share_estimate(estimate=estimate, user=network.alice)
    assert estimate.lead is not None
    return Shared(estimate=estimate, secret=secret, lead=estimate.lead)


def ended_project(
    collective: Collective,
    user: User,
    actual: tuple[str, ...],
    *,
    title: str = "Früheres Projekt",
    topic: str = "calib-web",
) -> Estimate:
    """An accepted estimate with THREE_PACKAGES (E = 5, 32 and 4 h), these actual hours per
    package and the project ended: it counts for calibration."""
    from klinke.topics.models import Topic

    Topic.objects.get_or_create(
        slug=topic, defaults={"name_en": "Web development", "name_de": "Webentwicklung"}
    )
    lead = make_lead(collective, title, topics=[topic])
    estimate = make_estimate(collective, user, lead=lead, title=title)
    actions.do_share_estimate(estimate=estimate, user=user)
    actions.do_decide_estimate(estimate=estimate, version_number=1, accept=True)
    version = estimate.latest_version()
    assert version is not None
    actions.do_record_actual_hours(
        estimate=estimate,
        user=user,
        rows=[
            actions.ActualValues(package_id=p.pk, hours=Decimal(hours), person="Ada")
            for p, hours in zip(version.packages.all(), actual, strict=True)
            if Decimal(hours)
        ],
    )
    return actions.do_end_project(estimate=estimate, user=user)
