"""Creating, versioning, sharing and deciding estimates through the actions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from klinke.estimates import actions
from klinke.estimates.models import Estimate, EstimateState, EstimateVersion, WorkPackage
from klinke.estimates.starters import WEBSITE_RELAUNCH
from klinke.estimates.tests.conftest import THREE_PACKAGES, content, make_estimate, package
from klinke.workbench.models import Stage

pytestmark = pytest.mark.django_db


def test_it_creates_an_estimate_with_its_first_version(network, estimate):
    version = estimate.latest_version()
    assert version.number == 1
    assert [p.name for p in version.packages.all()] == ["Konzept", "Umsetzung", "Schulung"]
    assert version.assumptions == ["Ihr liefert die Texte."]
    assert estimate.valid_until is not None
    assert estimate.state == EstimateState.DRAFT


def test_it_starts_from_the_shared_template_in_the_clients_language(network):
    for language, first in (
        ("de", "Kick-off und Anforderungen"),
        ("en", "Kick-off and requirements"),
    ):
        values = actions.starter_values(
            WEBSITE_RELAUNCH, language=language, hourly_rate=Decimal(85)
        )
        estimate = make_estimate(network.collective_a, network.alice, version=values)
        packages = list(estimate.latest_version().packages.all())
        assert packages[0].name == first
        assert {p.hourly_rate for p in packages} == {Decimal(85)}
        assert len(packages) == len(WEBSITE_RELAUNCH.packages)


def test_it_starts_from_an_earlier_estimate(network, estimate):
    copied = make_estimate(
        network.collective_a,
        network.alice,
        title="Zweites Portal",
        version=actions.version_values(estimate.latest_version()),
    )
    assert [p.name for p in copied.latest_version().packages.all()] == [
        p.name for p in THREE_PACKAGES
    ]


def test_it_refuses_hours_out_of_order_and_writes_nothing(network):
    with pytest.raises(ValidationError):
        make_estimate(
            network.collective_a,
            network.alice,
            version=content(packages=(package("Kaputt", "10", "5", "20"),)),
        )
    assert not Estimate.objects.exists()
    assert not WorkPackage.objects.exists()


def test_it_refuses_someone_who_is_not_a_member(network):
    with pytest.raises(actions.EstimateError):
        make_estimate(network.collective_a, network.bob)


def test_it_overwrites_a_draft_but_makes_a_new_version_after_sharing(network, estimate):
    actions.do_save_version(
        estimate=estimate, user=network.alice, values=content(packages=THREE_PACKAGES[:2])
    )
    assert estimate.versions.count() == 1
    actions.do_share_estimate(estimate=estimate, user=network.alice)
    with pytest.raises(ValidationError):
        actions.do_save_version(estimate=estimate, user=network.alice, values=content())
    version = actions.do_save_version(
        estimate=estimate,
        user=network.alice,
        values=content(change_note="Schulung wieder dabei"),
    )
    assert version.number == 2
    first = EstimateVersion.objects.get(estimate=estimate, number=1)
    assert first.is_frozen
    assert first.packages.count() == 2  # what the client saw stays as it was


def test_it_shares_with_a_link_stored_only_as_a_digest(network, estimate):
    secret = actions.do_share_estimate(estimate=estimate, user=network.alice)
    estimate.refresh_from_db()
    assert secret.startswith("est_")
    assert secret not in estimate.link_digest
    assert actions.estimate_for_link(secret) == estimate
    assert actions.estimate_for_link(estimate.link_digest) is None  # a leaked row is no link
    # Sharing again keeps the client's link.
    assert actions.do_share_estimate(estimate=estimate, user=network.alice) == ""
    assert actions.estimate_for_link(secret) == estimate


def test_it_stops_a_revoked_or_renewed_link(network, shared):
    renewed = actions.do_renew_link(estimate=shared.estimate, user=network.alice)
    assert actions.estimate_for_link(shared.secret) is None
    assert actions.estimate_for_link(renewed) == shared.estimate
    actions.do_revoke_link(estimate=shared.estimate, user=network.alice)
    assert actions.estimate_for_link(renewed) is None


def test_it_closes_the_lead_as_won_and_tells_the_members_when_accepted(network, shared):
    mail.outbox.clear()
    actions.do_decide_estimate(
        estimate=shared.estimate, version_number=1, accept=True, message="Gern so!"
    )
    shared.estimate.refresh_from_db()
    shared.lead.refresh_from_db()
    assert shared.estimate.state == EstimateState.ACCEPTED
    assert shared.estimate.decided_version.number == 1
    assert shared.lead.stage == Stage.WON
    assert "Gern so!" in shared.lead.closed_reason
    assert any("Mitgliederportal" in m.subject for m in mail.outbox)
    with pytest.raises(actions.EstimateError):
        actions.do_save_version(
            estimate=shared.estimate, user=network.alice, values=content(change_note="x")
        )


def test_it_closes_the_lead_as_lost_with_the_message_when_declined(network, shared):
    actions.do_decide_estimate(
        estimate=shared.estimate, version_number=1, accept=False, message="Zu teuer für uns."
    )
    shared.lead.refresh_from_db()
    assert shared.lead.stage == Stage.LOST
    assert "Zu teuer für uns." in shared.lead.closed_reason
    assert shared.lead.activities.filter(text__contains="Zu teuer für uns.").exists()
    assert shared.lead.activities.filter(text__contains="declined").exists() or (
        shared.lead.activities.filter(text__contains="abgelehnt").exists()
    )


def test_it_refuses_an_answer_to_a_version_the_client_did_not_see(network, shared):
    actions.do_save_version(
        estimate=shared.estimate, user=network.alice, values=content(change_note="teurer")
    )
    actions.do_share_estimate(estimate=shared.estimate, user=network.alice)
    with pytest.raises(actions.EstimateError):
        actions.do_decide_estimate(estimate=shared.estimate, version_number=1, accept=True)


def test_it_refuses_to_share_an_estimate_without_packages(network):
    estimate = make_estimate(network.collective_a, network.alice, version=content(packages=()))
    with pytest.raises(actions.EstimateError):
        actions.do_share_estimate(estimate=estimate, user=network.alice)


def test_it_throttles_an_address_that_guesses(network):
    for _ in range(actions.GUESS_LIMIT):
        assert not actions.is_guessing("192.0.2.7")
        actions.record_guess("192.0.2.7")
    assert actions.is_guessing("192.0.2.7")
    assert not actions.is_guessing("192.0.2.8")
