"""Creating and editing leads, logging activities, and red-line flags on leads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from klinke.contacts.models import Contact, Organisation
from klinke.workbench import actions
from klinke.workbench.models import Activity, Lead, ScreeningOverride
from klinke.workbench.tests.conftest import make_lead, make_red_line

pytestmark = pytest.mark.django_db


def lead_form(**fields: Any) -> dict[str, Any]:
    data = {
        "title": "Website für die Tafel",
        "client_name": "Leipziger Tafel e.V.",
        "description": "Neue Website mit Spendenformular.",
        "source": "recommendation",
        "source_detail": "",
        "value_min": "6000",
        "value_max": "9000",
        "next_action": "Angebot schreiben",
        "next_action_due": "",
    }
    data.update(fields)
    return data


def test_it_creates_a_lead_with_its_creator_working_on_it(network):
    client = network.client_for(network.alice)
    response = client.post(reverse("workbench:lead_create", args=["quellcode"]), lead_form())
    lead = Lead.objects.get(title="Website für die Tafel")
    assert response.status_code == 302
    assert response["Location"] == lead.get_absolute_url()
    assert lead.collective == network.collective_a
    assert list(lead.members.all()) == [network.alice]
    assert lead.stage == "new" and not lead.is_flagged
    assert " tafel " in lead.search_document


def test_it_refuses_a_value_range_upside_down(network):
    client = network.client_for(network.alice)
    response = client.post(
        reverse("workbench:lead_create", args=["quellcode"]),
        lead_form(value_min="9000", value_max="6000"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["value_max"]
    assert not Lead.objects.exists()


def test_it_refuses_members_and_organisations_of_another_collective(network):
    foreign = Organisation.objects.create(collective=network.collective_b, name="Fremd GmbH")
    client = network.client_for(network.alice)
    response = client.post(
        reverse("workbench:lead_create", args=["quellcode"]),
        lead_form(organisation=str(foreign.pk), members=[str(network.bob.pk)]),
    )
    form = response.context["form"]
    assert form.errors["organisation"] and form.errors["members"]
    assert not Lead.objects.exists()


def test_it_takes_the_organisation_from_the_contact_a_lead_starts_from(workbench):
    network = workbench.network
    client = network.client_for(network.alice)
    url = reverse("workbench:lead_create", args=["quellcode"])
    page = client.get(f"{url}?contact={workbench.contact.pk}")
    assert page.context["form"].initial["contact"] == workbench.contact.pk
    client.post(url, lead_form(title="Mitgliederverwaltung", contact=str(workbench.contact.pk)))
    lead = Lead.objects.get(title="Mitgliederverwaltung")
    assert lead.contact == workbench.contact
    assert lead.organisation == workbench.organisation


def test_it_warns_right_after_creating_a_lead_that_touches_a_red_line(network):
    make_red_line(network.collective_a, "Keine Überwachung", sectors=["surveillance"])
    client = network.client_for(network.alice)
    response = client.post(
        reverse("workbench:lead_create", args=["quellcode"]),
        lead_form(
            title="Videoanalyse-Plattform für Ordnungsamt",
            client_name="Stadt Leipzig, Ordnungsamt",
            description="Auswertung von Kamerabildern in der Innenstadt.",
        ),
        follow=True,
    )
    lead = Lead.objects.get()
    assert lead.is_flagged
    page = response.content.decode()
    assert "touches your red lines" in page
    # The evidence names the red line, the criterion and the words as written.
    assert "Keine Überwachung" in page
    assert "<mark>Videoanalyse-Plattform</mark>" in page
    assert "<mark>Ordnungsamt</mark>" in page
    assert {hit.field for hit in lead.hits} == {"title", "client"}


def test_it_shows_the_flag_on_the_card_and_in_the_list(network):
    make_red_line(network.collective_a)
    make_lead(network.collective_a, "Gesichtserkennung am Bahnhof")
    make_lead(network.collective_a, "Website für die Kita")
    client = network.client_for(network.alice)
    board = client.get(reverse("workbench:index", args=["quellcode"])).content.decode()
    assert board.count("Red line: look at the evidence first") == 1
    listing = client.get(reverse("workbench:lead_list", args=["quellcode"])).content.decode()
    assert listing.count('class="notice flag"') == 1


def test_it_lifts_a_flag_with_a_recorded_reason(network):
    make_red_line(network.collective_a)
    lead = make_lead(
        network.collective_a,
        "Datenschutzberatung für die Polizeigewerkschaft",
        description="Beratung zur DSGVO für die Geschäftsstelle.",
    )
    assert lead.is_flagged
    client = network.client_for(network.alice2)
    client.post(
        reverse("workbench:screening_override", args=["quellcode", lead.pk]),
        {"reason": "Eine Gewerkschaft, keine Polizeibehörde."},
    )
    lead.refresh_from_db()
    override = ScreeningOverride.objects.get(lead=lead)
    assert not lead.is_flagged
    assert override.by == network.alice2
    assert override.reason == "Eine Gewerkschaft, keine Polizeibehörde."
    assert timezone.now() - override.at < timedelta(minutes=1)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "Eine Gewerkschaft, keine Polizeibehörde." in page
    assert "Alina" in page


def test_it_flags_again_when_an_edit_brings_new_evidence(network):
    make_red_line(network.collective_a)
    lead = make_lead(network.collective_a, "Beratung für die Polizeigewerkschaft")
    actions.do_override_screening(lead=lead, user=network.alice, reason="Gewerkschaft.")
    lead.refresh_from_db()
    assert not lead.is_flagged
    lead.description = "Auch: Gesichtserkennung für die Mitgliederausweise."
    lead.save()
    assert lead.is_flagged
    # Editing text without new evidence keeps the override.
    lead.description = "Nur Beratung."
    lead.save()
    assert not lead.is_flagged


def test_it_refuses_an_override_without_a_reason_or_without_hits(network):
    lead = make_lead(network.collective_a, "Website für die Kita")
    with pytest.raises(actions.WorkbenchError):
        actions.do_override_screening(lead=lead, user=network.alice, reason="ok")
    make_red_line(network.collective_a)
    lead = make_lead(network.collective_a, "Gesichtserkennung")
    with pytest.raises(actions.WorkbenchError):
        actions.do_override_screening(lead=lead, user=network.alice, reason="  ")


def test_it_screens_all_leads_again_when_red_lines_change(network):
    lead = make_lead(network.collective_a, "Tracking pixels for a webshop")
    assert not lead.is_flagged
    client = network.client_for(network.alice)
    response = client.post(
        reverse("workbench:red_lines", args=["quellcode"]),
        {
            "name": "No ad tracking",
            "keywords_en": "tracking",
            "keywords_de": "",
            "organisations": "",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.is_flagged
    assert lead.hits[0].criterion == "tracking" and lead.hits[0].matched == "Tracking"
    red_line = lead.collective.workbench_red_lines.get()
    client.post(reverse("workbench:red_line_delete", args=["quellcode", red_line.pk]))
    lead.refresh_from_db()
    assert not lead.is_flagged and lead.hits == []


def test_it_refuses_a_red_line_without_any_criterion(network):
    client = network.client_for(network.alice)
    response = client.post(
        reverse("workbench:red_lines", args=["quellcode"]),
        {"name": "Leer", "keywords_en": "", "keywords_de": "", "organisations": ""},
    )
    assert response.status_code == 200
    assert "Name at least one sector" in response.content.decode()


def test_it_matches_named_organisations_on_the_client(network):
    make_red_line(
        network.collective_a, "Keine Rüstungskonzerne", sectors=[], organisations="Rheinmetall AG"
    )
    organisation = Organisation.objects.create(
        collective=network.collective_a, name="Rheinmetall Digital GmbH"
    )
    lead = make_lead(network.collective_a, "Intranet-Relaunch", organisation=organisation)
    assert lead.is_flagged
    assert lead.hits[0].kind == "organisation" and lead.hits[0].field == "client"


def test_it_logs_an_activity_and_freshens_the_lead_and_the_contact(workbench):
    network = workbench.network
    lead = workbench.lead
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=timezone.now() - timedelta(days=30))
    client = network.client_for(network.alice)
    response = client.post(
        reverse("workbench:activity_create", args=["quellcode", lead.pk]),
        {
            "kind": "meeting",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "contact": str(workbench.contact.pk),
            "text": "Kennenlernen im Büro des Vereins.",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Kennenlernen im Büro des Vereins." in response.content.decode()
    assert "<html" not in response.content.decode()  # the partial, not the page
    lead.refresh_from_db()
    assert timezone.now() - lead.last_activity_at < timedelta(minutes=2)
    contact = Contact.objects.get(pk=workbench.contact.pk)
    assert contact.last_contacted_on == timezone.localdate()
    assert Activity.objects.filter(lead=lead, kind="meeting", by=network.alice).exists()


def test_it_does_not_move_last_contact_back_for_an_old_activity(workbench):
    network = workbench.network
    Contact.objects.filter(pk=workbench.contact.pk).update(last_contacted_on=timezone.localdate())
    actions.do_log_activity(
        lead=workbench.lead,
        user=network.alice,
        kind="note",
        text="Nachtrag zum Telefonat vom letzten Monat.",
        occurred_at=timezone.now() - timedelta(days=30),
        contact=workbench.contact,
    )
    assert Contact.objects.get(pk=workbench.contact.pk).last_contacted_on == timezone.localdate()


def test_it_refuses_a_contact_of_another_collective_for_an_activity(workbench):
    network = workbench.network
    foreign = Contact.objects.create(collective=network.collective_b, given_name="Fremd")
    with pytest.raises(actions.WorkbenchError):
        actions.do_log_activity(
            lead=workbench.lead, user=network.alice, kind="call", text="x", contact=foreign
        )
    client = network.client_for(network.alice)
    response = client.post(
        reverse("workbench:activity_create", args=["quellcode", workbench.lead.pk]),
        {"kind": "call", "text": "x", "contact": str(foreign.pk), "occurred_at": ""},
    )
    assert response.status_code == 302
    assert not Activity.objects.filter(contact=foreign).exists()


def test_it_filters_the_list_by_stage_member_overdue_and_words(network):
    today = timezone.localdate()
    a = make_lead(
        network.collective_a,
        "Webentwicklung für den Sportverein",
        members=[network.alice],
        next_action_due=today - timedelta(days=2),
    )
    b = make_lead(network.collective_a, "Hosting für die Kita", members=[network.alice2])
    c = make_lead(network.collective_a, "Schulung Barrierefreiheit", stage="proposal")
    url = reverse("workbench:lead_list", args=["quellcode"])
    client = network.client_for(network.alice)

    def titles(**params: Any) -> set[str]:
        response = client.get(url, params)
        return {lead.title for lead in response.context["page"].object_list}

    assert titles() == {a.title, b.title, c.title}
    assert titles(stage="proposal") == {c.title}
    assert titles(member=network.alice2.pk) == {b.title}
    assert titles(overdue="on") == {a.title}
    assert titles(q="Web-Entwicklung") == {a.title}
    response = client.get(url, {"stage": "proposal"}, headers={"HX-Request": "true"})
    assert b"<html" not in response.content and b"Schulung Barrierefreiheit" in response.content


def test_it_refuses_lead_values_from_another_collective(network):
    foreign = Contact.objects.create(collective=network.collective_b, full_name="Fremd")
    values = actions.LeadValues(title="X", contact=foreign, members=[network.bob])
    with pytest.raises(ValidationError) as caught:
        actions.do_create_lead(collective=network.collective_a, user=network.alice, values=values)
    assert set(caught.value.message_dict) == {"contact", "members"}
    assert not Lead.objects.exists()
