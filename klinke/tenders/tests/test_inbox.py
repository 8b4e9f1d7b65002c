"""Profiles, the inbox, red-line screening, dismissing and turning a tender into a lead."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from klinke.tenders import actions
from klinke.tenders.actions import ProfileValues
from klinke.tenders.models import EntryState, InboxEntry, ScreeningState, TenderProfile
from klinke.tenders.tests.conftest import deadline_in, import_records, make_profile, record
from klinke.workbench.models import Lead, LeadSource
from klinke.workbench.tests.conftest import make_red_line

pytestmark = pytest.mark.django_db


def inbox_url(network) -> str:
    return reverse("tenders:inbox", args=[network.collective_a.slug])


def surveillance_tender():
    return record(
        procedure_id="proc-cctv",
        notice_id="n-cctv",
        title={"de": "Webportal für die Videoüberwachung des Bahnhofs"},
        description={"de": "Ein Webportal zur Auswertung der Überwachungskameras."},
    )


# --- profiles ----------------------------------------------------------------------------


def test_it_prefills_a_new_profile_from_the_collectives_topics_and_place(network):
    profile = actions.prefilled_profile(network.collective_a)
    assert profile.pk is None
    assert profile.regions == ["DED"]
    assert "Webentwicklung" in profile.keywords_de
    assert profile.cpv_codes  # topic words mapped to CPV through the labels
    assert profile.languages == ["de", "en"]


def test_it_saves_a_profile_with_normalised_codes_and_regions(network):
    profile = actions.do_save_tender_profile(
        collective=network.collective_a,
        user=network.alice,
        values=ProfileValues(cpv_codes=["72230000-7", "722"], regions=["ded5", "de"]),
    )
    assert profile.cpv_codes == ["72230000", "72200000"]
    assert profile.regions == ["DED5", "DE"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (ProfileValues(cpv_codes=["Webportal"]), "cpv_codes"),
        (ProfileValues(keywords_de="x", regions=["Sachsen!"]), "regions"),
        (ProfileValues(keywords_de="x", languages=["deutsch"]), "languages"),
        (ProfileValues(keywords_de="x", value_min=10, value_max=5), "value_max"),
        (ProfileValues(), "cpv_codes"),
    ],
)
def test_it_refuses_bad_profile_values_and_writes_nothing(network, values, field):
    with pytest.raises(ValidationError) as caught:
        actions.do_save_tender_profile(
            collective=network.collective_a, user=network.alice, values=values
        )
    assert field in caught.value.message_dict
    assert not TenderProfile.objects.exists()


def test_it_lets_only_members_save_a_profile(network):
    with pytest.raises(actions.TenderError):
        actions.do_save_tender_profile(
            collective=network.collective_a,
            user=network.bob,
            values=ProfileValues(keywords_de="Webportal"),
        )


def test_it_shows_the_prefilled_profile_form_and_saves_it(network, tender):
    alice = network.client_for(network.alice)
    url = reverse("tenders:profile", args=[network.collective_a.slug])
    page = alice.get(url)
    assert page.status_code == 200
    assert "Webentwicklung" in page.content.decode()
    response = alice.post(
        url,
        {
            "cpv_codes": "72200000",
            "cpv_pick": ["72413000"],
            "keywords_de": "Webportal",
            "keywords_en": "",
            "regions": "DED",
            "languages": ["de"],
            "lead_days_before_deadline": "5",
        },
    )
    assert response.status_code == 302
    profile = TenderProfile.objects.get(collective=network.collective_a)
    assert profile.cpv_codes == ["72200000", "72413000"]
    assert profile.lead_days_before_deadline == 5
    assert InboxEntry.objects.filter(collective=network.collective_a, tender=tender).exists()


def test_it_shows_errors_for_a_bad_profile_and_saves_nothing(network):
    alice = network.client_for(network.alice)
    url = reverse("tenders:profile", args=[network.collective_a.slug])
    response = alice.post(
        url,
        {"cpv_codes": "kein Code", "regions": "", "lead_days_before_deadline": "5"},
    )
    assert response.status_code == 200
    assert "is not a CPV code" in response.content.decode()
    assert not TenderProfile.objects.exists()


def test_it_answers_the_cpv_picker_with_a_partial_for_htmx(network):
    alice = network.client_for(network.alice)
    url = reverse("tenders:profile", args=[network.collective_a.slug])
    response = alice.get(url, {"q": "kundenspezifischer Software"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="72230000"' in body
    assert "<html" not in body
    full = alice.get(url, {"q": "custom software"})
    assert 'value="72230000"' in full.content.decode()
    assert "<html" in full.content.decode()


# --- the inbox ---------------------------------------------------------------------------


def test_it_lists_a_fitting_tender_with_its_reasons(network, inbox_entry):
    response = network.client_for(network.alice).get(inbox_url(network))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Entwicklung eines Webportals für die Stadtbibliothek" in body
    assert "CPV 72230000 Custom software development" in body
    assert "keyword “Webportal”" in body
    assert "DED51" in body
    assert "deadline in 12 days" in body
    assert "100,000 €" in body
    assert "Stadt Leipzig" in body
    assert "LOT-0001" in body


def test_it_flags_a_tender_that_touches_a_red_line_with_evidence(network, tender):
    make_red_line(network.collective_a, "Keine Überwachung", sectors=[], keywords_de="Überwachung")
    import_records(surveillance_tender())
    make_profile(network.collective_a)
    actions.do_refresh_inbox(collective=network.collective_a)
    flagged = InboxEntry.objects.get(tender__procedure_id="proc-cctv")
    assert flagged.screening_state == ScreeningState.FLAGGED
    assert flagged.is_flagged
    assert {hit.matched for hit in flagged.hits} >= {"Videoüberwachung"}
    clean = InboxEntry.objects.get(tender=tender)
    assert clean.screening_state == ScreeningState.CLEAN
    body = network.client_for(network.alice).get(inbox_url(network)).content.decode()
    assert "Touches your red lines." in body
    assert "<mark>Videoüberwachung</mark>" in body


def test_it_marks_a_tender_without_german_or_english_text_not_screened(network):
    make_red_line(network.collective_a, "Keine Überwachung", sectors=["surveillance"])
    import_records(
        record(
            procedure_id="proc-fr",
            notice_id="n-fr",
            language="fr",
            title={"fr": "Portail web de vidéosurveillance"},
            description={"fr": "Surveillance vidéo"},
        )
    )
    make_profile(network.collective_a, languages=["de", "fr"], keywords_en="web portal")
    actions.do_refresh_inbox(collective=network.collective_a)
    entry = InboxEntry.objects.get(tender__procedure_id="proc-fr")
    assert entry.screening_state == ScreeningState.NOT_SCREENED
    assert not entry.is_flagged
    body = network.client_for(network.alice).get(inbox_url(network)).content.decode()
    assert "Not screened" in body


def test_it_screens_the_inbox_again_when_red_lines_change(network, inbox_entry):
    assert inbox_entry.screening_state == ScreeningState.CLEAN
    make_red_line(network.collective_a, "Keine Bibliotheken", sectors=[], keywords_de="Bibliothek")
    network.client_for(network.alice).get(inbox_url(network))
    inbox_entry.refresh_from_db()
    assert inbox_entry.screening_state == ScreeningState.FLAGGED


def test_it_lifts_a_flag_with_a_reason(network, tender):
    make_red_line(network.collective_a, "Keine Überwachung", sectors=[], keywords_de="Überwachung")
    import_records(surveillance_tender())
    make_profile(network.collective_a)
    actions.do_refresh_inbox(collective=network.collective_a)
    entry = InboxEntry.objects.get(tender__procedure_id="proc-cctv")
    alice = network.client_for(network.alice)
    url = reverse("tenders:entry_override", args=[network.collective_a.slug, entry.pk])
    assert alice.post(url, {"reason": ""}).status_code == 302
    entry.refresh_from_db()
    assert entry.is_flagged
    alice.post(url, {"reason": "Es geht um Fahrgastinformation."})
    entry.refresh_from_db()
    assert not entry.is_flagged
    # The next refresh keeps the flag lifted for the same hits.
    actions.do_refresh_inbox(collective=network.collective_a)
    entry.refresh_from_db()
    assert not entry.is_flagged


def test_it_hides_tenders_past_their_deadline_and_other_collectives_entries(network, inbox_entry):
    make_profile(network.collective_b, regions=[])
    actions.do_refresh_inbox(collective=network.collective_b)
    assert InboxEntry.objects.filter(collective=network.collective_b).exists()
    bob_body = network.client_for(network.bob).get(
        reverse("tenders:inbox", args=[network.collective_b.slug])
    )
    assert bob_body.status_code == 200
    tender = inbox_entry.tender
    tender.deadline = timezone.now() - dt.timedelta(hours=1)
    tender.save()
    body = network.client_for(network.alice).get(inbox_url(network)).content.decode()
    assert "Stadtbibliothek" not in body


def test_it_dismisses_with_a_reason_that_is_shown(network, inbox_entry):
    alice = network.client_for(network.alice)
    url = reverse("tenders:entry_dismiss", args=[network.collective_a.slug, inbox_entry.pk])
    alice.post(url, {"reason": ""})
    inbox_entry.refresh_from_db()
    assert inbox_entry.state == EntryState.NEW
    alice.post(url, {"reason": "Zu kurze Frist für uns."})
    inbox_entry.refresh_from_db()
    assert inbox_entry.state == EntryState.DISMISSED
    assert "Stadtbibliothek" not in alice.get(inbox_url(network)).content.decode()
    dismissed = alice.get(inbox_url(network), {"show": "dismissed"}).content.decode()
    assert "Zu kurze Frist für uns." in dismissed
    # Refreshing the inbox keeps what a member decided; the profile is untouched.
    actions.do_refresh_inbox(collective=network.collective_a)
    inbox_entry.refresh_from_db()
    assert inbox_entry.state == EntryState.DISMISSED
    restore = reverse("tenders:entry_restore", args=[network.collective_a.slug, inbox_entry.pk])
    alice.post(restore)
    inbox_entry.refresh_from_db()
    assert inbox_entry.state == EntryState.NEW


def test_it_turns_a_tender_into_a_lead_due_before_the_deadline(network, inbox_entry):
    TenderProfile.objects.filter(collective=network.collective_a).update(
        lead_days_before_deadline=5
    )
    alice = network.client_for(network.alice)
    url = reverse("tenders:entry_lead", args=[network.collective_a.slug, inbox_entry.pk])
    response = alice.post(url)
    lead = Lead.objects.get(collective=network.collective_a, source=LeadSource.TENDER)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "workbench:lead_detail", args=[network.collective_a.slug, lead.pk]
    )
    assert lead.title == "Entwicklung eines Webportals für die Stadtbibliothek"
    assert lead.client_name == "Stadt Leipzig"
    assert lead.value_min == lead.value_max == 100000
    assert "123456-2026" in lead.source_detail
    deadline = timezone.localdate(inbox_entry.tender.deadline)
    assert lead.next_action_due == deadline - dt.timedelta(days=5)
    assert list(lead.members.all()) == [network.alice]
    inbox_entry.refresh_from_db()
    assert inbox_entry.lead == lead
    assert lead.tender_entry.tender == inbox_entry.tender
    # Once only.
    assert alice.post(url).status_code == 302
    assert Lead.objects.filter(source=LeadSource.TENDER).count() == 1


def test_it_never_sets_a_lead_due_in_the_past(network, tender):
    tender.deadline = timezone.now() + dt.timedelta(days=2)
    today = timezone.localdate()
    assert actions.lead_due_date(tender, 7, today) == today
    tender.deadline_placeholder = True
    assert actions.lead_due_date(tender, 7, today) is None


def test_it_refreshes_every_inbox_after_an_import(network):
    make_profile(network.collective_a)
    assert actions.do_refresh_all_inboxes(tender_ids=[]) == 0
    summary = import_records(record())
    assert actions.do_refresh_all_inboxes(tender_ids=summary.tender_ids) == 1
    assert InboxEntry.objects.filter(collective=network.collective_a).count() == 1


def test_it_drops_an_entry_that_no_longer_fits(network, inbox_entry):
    import_records(
        replace(record(), version="02", deadline=deadline_in(10), nuts=("AT130",), country=("AT",))
    )
    actions.do_refresh_inbox(collective=network.collective_a)
    inbox_entry.refresh_from_db()
    assert not inbox_entry.fits
    assert (
        "Stadtbibliothek"
        not in network.client_for(network.alice).get(inbox_url(network)).content.decode()
    )


QUERIES = 11
"""Session, user, collective, profile, red lines, entries and their prefetches, the consortia
of the page's tenders: not per entry."""


def test_it_shows_the_inbox_in_a_fixed_number_of_queries(network, django_assert_num_queries):
    make_red_line(network.collective_a, "Keine Überwachung", sectors=[], keywords_de="Überwachung")
    for n in range(12):
        import_records(
            record(procedure_id=f"proc-{n}", notice_id=f"n-{n}", publication_number=f"{n}-2026")
        )
    import_records(surveillance_tender())
    make_profile(network.collective_a)
    actions.do_refresh_inbox(collective=network.collective_a)
    alice = network.client_for(network.alice)
    alice.get(inbox_url(network))  # screens once with the current red lines
    with django_assert_num_queries(QUERIES) as captured:
        response = alice.get(inbox_url(network))
    assert len(captured) == QUERIES
    assert response.content.decode().count('class="tender"') == 13


def test_it_writes_the_reasons_in_german(network, inbox_entry):
    network.alice.language = "de"
    network.alice.save()
    response = network.client_for(network.alice).get(inbox_url(network), HTTP_ACCEPT_LANGUAGE="de")
    body = response.content.decode()
    assert "Ausschreibungs-Eingang" in body
    assert (
        "CPV 72230000 Entwicklung von kundenspezifischer Software</span> · "
        '<span class="reason">Stichwort „Webportal“</span> · '
        '<span class="reason">DED51 Leipzig, Kreisfreie Stadt</span> · '
        '<span class="reason">Frist in 12 Tagen</span> · <span class="reason">100.000 €'
    ) in body
