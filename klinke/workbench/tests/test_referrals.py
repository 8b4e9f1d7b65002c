"""Passing leads to other collectives: suggestions, consent, accept and decline, the log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klinke.workbench import actions, candidates
from klinke.workbench.models import Lead, Referral, ReferralLogEntry
from klinke.workbench.tests.conftest import make_lead, make_red_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(network):
    return make_lead(
        network.collective_a,
        "Barrierefreie Website für einen Blindenverein",
        client_name="Blinden- und Sehbehindertenverein Sachsen",
        description="Eine barrierefreie Website mit Screenreader-Tests, gebaut mit WordPress.",
        value_min=10000,
        value_max=15000,
        topics=["accessibility"],
        members=[network.alice],
    )


def test_it_ranks_other_collectives_with_reasons_and_never_the_own(network, third, lead):
    ranked = candidates.rank_collectives_for_lead(lead, user=network.alice)
    slugs = [match.obj.slug for match in ranked]
    assert slugs[0] == "drittes-kollektiv"
    assert "quellcode" not in slugs
    reasons = " ".join(ranked[0].reason_texts)
    assert "Barrierefreiheit" in reasons or "Accessibility" in reasons
    page = network.client_for(network.alice).get(
        reverse("workbench:lead_refer", args=["quellcode", lead.pk])
    )
    html = page.content.decode()
    assert "Drittes Kollektiv" in html and 'class="reasons"' in html


def test_it_requires_the_clients_consent(network, third, lead):
    collective, _carla = third
    client = network.client_for(network.alice)
    response = client.post(
        reverse("workbench:lead_refer", args=["quellcode", lead.pk]),
        {"to_collective": collective.slug, "message": "Passt zu euch."},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["client_agreed"]
    assert not Referral.objects.exists()
    with pytest.raises(actions.WorkbenchError):
        actions.do_refer_lead(
            lead=lead, user=network.alice, to_collective=collective, client_agreed=False
        )


def test_it_passes_a_lead_on_and_the_receiver_accepts_it(network, third, lead, mailoutbox):
    collective, carla = third
    alice = network.client_for(network.alice)
    alice.post(
        reverse("workbench:lead_refer", args=["quellcode", lead.pk]),
        {
            "to_collective": collective.slug,
            "message": "Ihr macht das besser als wir.",
            "client_contact": "Frau Roth, roth@example.org",
            "client_agreed": "on",
        },
    )
    referral = Referral.objects.get()
    assert referral.title == lead.title and referral.client_contact == "Frau Roth, roth@example.org"
    assert [m.to for m in mailoutbox] == [["carla@example.org"]]
    lead.refresh_from_db()
    assert lead.stage == "new"  # stays until they accept

    carla_client = network.client_for(carla)
    detail = carla_client.get(referral.url_for(collective)).content.decode()
    assert "Ihr macht das besser als wir." in detail and "roth@example.org" in detail
    response = carla_client.post(
        reverse("workbench:referral_answer", args=[collective.slug, referral.pk]),
        {"answer": "accept", "message": "Gern!"},
    )
    referral.refresh_from_db()
    new_lead = referral.new_lead
    assert new_lead is not None
    assert response["Location"] == new_lead.get_absolute_url()
    assert new_lead.collective == collective and new_lead.source == "referral"
    assert list(new_lead.members.all()) == [carla]
    assert new_lead.value_min == 10000 and "roth@example.org" in new_lead.description
    lead.refresh_from_db()
    assert lead.stage == "passed-on" and "Drittes Kollektiv" in lead.closed_reason
    page = carla_client.get(new_lead.get_absolute_url()).content.decode()
    assert "Referral from Kollektiv Quellcode" in page
    assert mailoutbox[-1].to == ["alice@example.org"] or any(
        m.to == ["alice@example.org"] for m in mailoutbox[1:]
    )
    # The original lead and its activities stay private to the sender.
    assert carla_client.get(lead.get_absolute_url()).status_code == 404


def test_it_leaves_a_declined_referral_on_the_board(network, third, lead):
    collective, carla = third
    referral = actions.do_refer_lead(
        lead=lead, user=network.alice, to_collective=collective, client_agreed=True
    )
    actions.do_answer_referral(referral_id=referral.pk, user=carla, accept=False, message="Voll.")
    lead.refresh_from_db()
    assert lead.stage == "new"
    assert ReferralLogEntry.objects.get().state == "declined"
    with pytest.raises(actions.WorkbenchError):
        actions.do_answer_referral(referral_id=referral.pk, user=carla, accept=True)
    # The lead can be offered elsewhere now.
    actions.do_refer_lead(
        lead=lead, user=network.alice, to_collective=network.collective_b, client_agreed=True
    )


def test_it_lets_only_the_receiver_answer_and_one_offer_at_a_time(network, third, lead):
    collective, _carla = third
    referral = actions.do_refer_lead(
        lead=lead, user=network.alice, to_collective=collective, client_agreed=True
    )
    with pytest.raises(actions.WorkbenchError):
        actions.do_answer_referral(referral_id=referral.pk, user=network.alice, accept=True)
    with pytest.raises(actions.WorkbenchError, match="already offered"):
        actions.do_refer_lead(
            lead=lead, user=network.alice, to_collective=network.collective_b, client_agreed=True
        )
    actions.do_withdraw_referral(referral_id=referral.pk, user=network.alice2)
    assert Referral.objects.get().state == "withdrawn"


def test_it_screens_an_offer_against_the_receivers_red_lines(network, third):
    collective, carla = third
    make_red_line(collective, "Keine Polizei", sectors=["surveillance"])
    lead = make_lead(network.collective_a, "Dienstplan-App für die Bundespolizei")
    referral = actions.do_refer_lead(
        lead=lead, user=network.alice, to_collective=collective, client_agreed=True
    )
    html = network.client_for(carla).get(referral.url_for(collective)).content.decode()
    assert "Careful: this touches your red lines" in html and "<mark>Bundespolizei</mark>" in html


def test_it_keeps_private_details_out_of_the_referral_log(network, third, lead):
    collective, carla = third
    referral = actions.do_refer_lead(
        lead=lead,
        user=network.alice,
        to_collective=collective,
        client_agreed=True,
        message="Geheime Notiz",
        client_contact="roth@example.org",
    )
    actions.do_answer_referral(referral_id=referral.pk, user=carla, accept=True)
    entry = ReferralLogEntry.objects.get()
    assert (entry.from_collective, entry.to_collective, entry.state) == (
        network.collective_a,
        collective,
        "accepted",
    )
    assert entry.topic is not None
    assert entry.topic.slug in ("accessibility", "web-development")
    stored = {f.name for f in ReferralLogEntry._meta.get_fields()}
    assert stored == {
        "id",
        "referral",
        "from_collective",
        "to_collective",
        "topic",
        "referred_on",
        "state",
        "updated_at",
    }
    log_page = (
        network.client_for(network.alice)
        .get(reverse("workbench:referrals", args=["quellcode"]))
        .content.decode()
    )
    log = log_page[log_page.index('id="referral-log"') :]
    assert "Drittes Kollektiv" in log and "accepted" in log
    for secret in ("Blindenverein", "Geheime Notiz", "roth@example.org", "Alice"):
        assert secret not in log


def test_it_shows_stewards_totals_per_pair_and_month_and_nothing_private(network, third, lead):
    collective, carla = third
    referral = actions.do_refer_lead(
        lead=lead, user=network.alice, to_collective=collective, client_agreed=True
    )
    actions.do_answer_referral(referral_id=referral.pk, user=carla, accept=True)
    other = make_lead(network.collective_a, "Zweiter Lead")
    actions.do_refer_lead(
        lead=other, user=network.alice, to_collective=collective, client_agreed=True
    )
    url = reverse("workbench:referral_totals", args=["any-slug"])
    assert network.client_for(network.alice).get(url).status_code == 404
    html = network.client_for(network.stella).get(url).content.decode()
    table = html[html.index('id="referral-totals"') :]
    assert (
        "<td>Kollektiv Quellcode</td><td>Drittes Kollektiv</td>"
        "<td>2</td><td>1</td><td>0</td><td>1</td>" in table
    )
    for secret in ("Blindenverein", "Zweiter Lead", "alice"):
        assert secret not in table


def test_it_keeps_a_referred_lead_when_the_original_is_deleted(network, third, lead):
    collective, carla = third
    referral = actions.do_refer_lead(
        lead=lead, user=network.alice, to_collective=collective, client_agreed=True
    )
    actions.do_answer_referral(referral_id=referral.pk, user=carla, accept=True)
    Lead.objects.filter(pk=lead.pk).delete()
    referral.refresh_from_db()
    assert referral.lead is None and referral.new_lead is not None
    assert ReferralLogEntry.objects.count() == 1
