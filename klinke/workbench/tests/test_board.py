"""The board: moving leads with buttons, highlighting quiet leads, the pipeline summary, and
query counts that do not grow with the number of leads."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from klinke.workbench import actions
from klinke.workbench.models import Activity, Lead, WorkbenchSettings
from klinke.workbench.summary import month_figures, stage_figures
from klinke.workbench.tests.conftest import make_lead

pytestmark = pytest.mark.django_db


def move(
    client: Any,
    lead: Lead,
    to_stage: str,
    *,
    from_stage: str | None = None,
    htmx: bool = False,
    direction: str = "next",
) -> Any:
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("workbench:lead_move", args=[lead.collective.slug, lead.pk]),
        {"from_stage": from_stage or lead.stage, "to_stage": to_stage, "direction": direction},
        headers=headers,
    )


def column(html: str, stage: str) -> str:
    match = re.search(rf'data-stage="{stage}">(.*?)</section>', html, re.S)
    assert match, stage
    return match.group(1)


def test_it_moves_a_lead_to_the_next_stage_without_javascript(network):
    lead = make_lead(network.collective_a, "Website für die Kita")
    client = network.client_for(network.alice)
    response = move(client, lead, "qualified")
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:index", args=["quellcode"])
    lead.refresh_from_db()
    assert lead.stage == "qualified"
    page = client.get(response["Location"]).content.decode()
    assert "“Website für die Kita” moved to qualified." in page


def test_it_answers_an_htmx_move_with_the_board_and_focuses_the_moved_card(network):
    lead = make_lead(network.collective_a, "Website für die Kita")
    client = network.client_for(network.alice)
    response = move(client, lead, "qualified", htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="board"' in html
    assert "Website für die Kita" in column(html, "qualified")
    assert "Website für die Kita" not in column(html, "new")
    assert 'role="status"' in html and "moved to qualified" in html
    # The keyboard focus stays on the card, on the button that continues the same way.
    focused = re.findall(r"<button[^>]*autofocus[^>]*>", html)
    assert len(focused) == 1
    assert "Move “Website für die Kita” to Proposal" in focused[0]


def test_it_makes_every_move_a_real_labelled_button_in_a_form_with_csrf(network):
    make_lead(network.collective_a, "Website für die Kita", stage="proposal")
    html = (
        network.client_for(network.alice)
        .get(reverse("workbench:index", args=["quellcode"]))
        .content.decode()
    )
    forms = re.findall(
        r'<form method="post"[^>]*lead_move|<form method="post" action="[^"]*/move/".*?</form>',
        html,
        re.S,
    )
    assert len(forms) == 2  # back to qualified, on to negotiation
    for form in forms:
        assert "csrfmiddlewaretoken" in form
        assert re.search(
            r'<button type="submit"[^>]*aria-label="Move “Website für die Kita” (back )?to ', form
        )
    assert 'aria-label="Move “Website für die Kita” back to Qualified"' in html
    assert 'aria-label="Move “Website für die Kita” to Negotiation"' in html


def test_it_moves_back_and_reopens_a_closed_lead(network):
    lead = make_lead(network.collective_a, "Kita", stage="qualified")
    client = network.client_for(network.alice)
    move(client, lead, "new", direction="previous")
    lead.refresh_from_db()
    assert lead.stage == "new"
    actions.do_close_lead(lead=lead, user=network.alice, stage="lost", reason="Zu teuer.")
    lead.refresh_from_db()
    assert lead.closed_at is not None
    move(client, lead, "negotiation", direction="previous")
    lead.refresh_from_db()
    assert lead.stage == "negotiation" and lead.closed_reason == "" and lead.closed_at is None


def test_it_refuses_skipping_stages_or_closing_by_button(network):
    lead = make_lead(network.collective_a, "Kita")
    client = network.client_for(network.alice)
    for target in ("proposal", "won", "bogus"):
        move(client, lead, target)
        lead.refresh_from_db()
        assert lead.stage == "new", target


def test_it_refuses_a_move_someone_else_already_made(network):
    lead = make_lead(network.collective_a, "Kita")
    alice, alina = network.client_for(network.alice), network.client_for(network.alice2)
    move(alice, lead, "qualified", from_stage="new")
    response = move(alina, lead, "qualified", from_stage="new", htmx=True)
    lead.refresh_from_db()
    assert lead.stage == "qualified"
    assert (
        "Someone moved “Kita” in the meantime; it is now at “qualified”."
        in response.content.decode()
    )


def test_it_closes_a_lead_only_with_a_reason(network):
    lead = make_lead(network.collective_a, "Kita", stage="negotiation")
    client = network.client_for(network.alice)
    url = reverse("workbench:lead_close", args=["quellcode", lead.pk])
    client.post(url, {"stage": "won", "reason": ""})
    lead.refresh_from_db()
    assert lead.stage == "negotiation"
    client.post(url, {"stage": "won", "reason": "Günstiger und barrierefrei."})
    lead.refresh_from_db()
    assert lead.stage == "won" and lead.closed_reason == "Günstiger und barrierefrei."


def test_it_marks_quiet_leads_with_words_after_the_collectives_setting(network):
    quiet = make_lead(network.collective_a, "Stille Anfrage")
    Lead.objects.filter(pk=quiet.pk).update(last_activity_at=timezone.now() - timedelta(days=20))
    make_lead(network.collective_a, "Frische Anfrage")
    client = network.client_for(network.alice)
    url = reverse("workbench:index", args=["quellcode"])
    html = client.get(url).content.decode()
    assert html.count("Quiet: no activity for 20 days") == 1
    start = html.index(f'id="lead-{quiet.pk}"')
    card = html[start:][:1500]
    assert "is-stale" in html[start - 200 : start]
    assert "Quiet: no activity for 20 days" in card
    WorkbenchSettings.objects.create(collective=network.collective_a, stale_after_days=30)
    assert "Quiet:" not in client.get(url).content.decode()


def test_it_marks_overdue_and_due_next_actions(network):
    today = timezone.localdate()
    make_lead(
        network.collective_a,
        "Überfällig",
        next_action="Anrufen",
        next_action_due=today - timedelta(days=1),
    )
    make_lead(network.collective_a, "Heute", next_action="Mail", next_action_due=today)
    html = (
        network.client_for(network.alice)
        .get(reverse("workbench:index", args=["quellcode"]))
        .content.decode()
    )
    assert html.count(">Overdue<") == 1
    assert html.count(">Due today<") == 1


def test_it_sums_leads_and_value_ranges_per_stage(network):
    make_lead(network.collective_a, "A", value_min=5000, value_max=8000)
    make_lead(network.collective_a, "B", value_min=2000)
    make_lead(network.collective_a, "C")
    make_lead(network.collective_a, "D", stage="proposal", value_min=10000, value_max=20000)
    make_lead(network.collective_b, "Fremd", value_min=99999, value_max=99999)
    figures = {f.stage: f for f in stage_figures(network.collective_a)}
    assert (figures["new"].count, figures["new"].value_low, figures["new"].value_high) == (
        3,
        7000,
        10000,
    )
    assert figures["new"].without_value == 1
    assert (figures["proposal"].count, figures["proposal"].value_low) == (1, 10000)
    assert figures["won"].count == 0
    html = (
        network.client_for(network.alice)
        .get(reverse("workbench:summary", args=["quellcode"]))
        .content.decode()
    )
    found = re.search(r'<tr data-stage="new">(.*?)</tr>', html, re.S)
    assert found
    row = found.group(1)
    assert "7.000–10.000 €" in row or "7,000–10,000 €" in row


def test_it_counts_won_and_lost_per_month_and_draws_them(network):
    now = timezone.now()
    for title, stage, days in (
        ("W1", "won", 3),
        ("W2", "won", 40),
        ("L1", "lost", 3),
        ("Old", "won", 400),
    ):
        lead = make_lead(network.collective_a, title, stage=stage, closed_reason="x")
        Lead.objects.filter(pk=lead.pk).update(closed_at=now - timedelta(days=days))
    months = month_figures(network.collective_a)
    assert len(months) == 12
    assert sum(m.won for m in months) == 2 and sum(m.lost for m in months) == 1
    this_month = months[-1]
    if (now - timedelta(days=3)).month == now.month:
        assert (this_month.won, this_month.lost) == (1, 1)
    html = (
        network.client_for(network.alice)
        .get(reverse("workbench:summary", args=["quellcode"]))
        .content.decode()
    )
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and '<title id="month-chart-title">' in svg
    assert "2 won and 1 lost in total" in svg
    assert svg.count("<rect") == 24 + 2  # two bars a month, and the legend
    assert 'id="month-figures"' in html  # the text table


def make_many_leads(network: Any, n: int, offset: int = 0) -> None:
    today = timezone.localdate()
    for i in range(n):
        lead = make_lead(
            network.collective_a,
            f"Lead {offset + i}",
            stage=["new", "qualified", "proposal", "negotiation"][i % 4],
            value_min=1000 * i,
            value_max=2000 * i,
            next_action="Anrufen",
            next_action_due=today + timedelta(days=i - 2),
            members=[network.alice, network.alice2],
        )
        Activity.objects.create(lead=lead, kind="note", text="Notiz", by=network.alice)


@pytest.mark.parametrize("name", ["workbench:index", "workbench:lead_list"])
def test_it_keeps_board_and_list_queries_constant_as_leads_grow(
    network, django_assert_max_num_queries, name
):
    client = network.client_for(network.alice)
    url = reverse(name, args=["quellcode"])
    make_many_leads(network, 3)
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    make_many_leads(network, 30, offset=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert b"Lead 32" in response.content


def test_it_keeps_lead_page_queries_constant_as_activities_grow(
    workbench, django_assert_max_num_queries
):
    network = workbench.network
    client = network.client_for(network.alice)
    url = workbench.lead.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(22) as few:
        client.get(url)
    for i in range(25):
        Activity.objects.create(
            lead=workbench.lead,
            kind="call",
            text=f"Anruf {i}",
            by=network.alice2,
            contact=workbench.contact,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert b"Anruf 24" in response.content


def test_it_links_open_decisions_on_the_board_in_a_fixed_number_of_queries(
    network, django_assert_num_queries
):
    from klinke.workbench.tests.conftest import make_decision

    client = network.client_for(network.alice)
    url = reverse("workbench:index", args=["quellcode"])
    make_many_leads(network, 3)
    first = make_decision(network.collective_a, network.alice, question="Nehmen wir es an?")
    client.get(url)
    # base (session, user, network member), collective with membership, leads, members,
    # settings, referrals, decisions
    with django_assert_num_queries(9):
        response = client.get(url)
    assert first.get_absolute_url() in response.content.decode()
    more = [
        make_decision(network.collective_a, network.alice, question=f"Frage {n}") for n in range(4)
    ]
    with django_assert_num_queries(9):
        response = client.get(url)
    html = response.content.decode()
    for decision in [first, *more]:
        assert f'<a href="{decision.get_absolute_url()}">{decision.question}</a>' in html
