"""The members' pages: create from a lead and a template, edit packages, share, versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from klinke.estimates.models import Estimate, EstimateState
from klinke.estimates.tests.conftest import make_estimate
from klinke.workbench.tests.conftest import make_lead

pytestmark = pytest.mark.django_db


def url(name, estimate, **query):
    path = reverse(f"estimates:{name}", args=[estimate.collective.slug, estimate.pk])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_it_links_from_the_lead_page_to_a_new_estimate(network):
    lead = make_lead(network.collective_a, "Mitgliederportal")
    alice = network.client_for(network.alice)
    page = alice.get(reverse("workbench:lead_detail", args=[network.collective_a.slug, lead.pk]))
    assert page.status_code == 200
    create = reverse("estimates:create", args=[network.collective_a.slug])
    assert f"{create}?lead={lead.pk}" in page.content.decode()


def test_it_creates_an_estimate_from_a_lead_and_the_template(network):
    lead = make_lead(network.collective_a, "Mitgliederportal", client_name="Mieterverein")
    alice = network.client_for(network.alice)
    create = reverse("estimates:create", args=[network.collective_a.slug])
    form = alice.get(create, {"lead": lead.pk})
    assert form.status_code == 200
    assert "Website-Relaunch mit CMS" in form.content.decode()
    response = alice.post(
        create,
        {
            "lead": lead.pk,
            "start": "starter:website-relaunch-cms",
            "hourly_rate": "95",
            "title": "Mitgliederportal",
            "client_name": "Mieterverein",
            "client_language": "en",
            "currency": "EUR",
            "vat_category": "S",
            "vat_rate": "19",
            "hours_per_day": "8",
            "valid_until": "",
        },
    )
    assert response.status_code == 302
    estimate = Estimate.objects.get()
    assert estimate.lead == lead
    names = [p.name for p in estimate.latest_version().packages.all()]
    assert names[0] == "Kick-off and requirements"
    detail = alice.get(url("detail", estimate))
    assert detail.status_code == 200
    assert "E = (O + 4M + P) / 6" in detail.content.decode()


def test_it_shows_the_form_again_for_bad_input_and_writes_nothing(network):
    alice = network.client_for(network.alice)
    response = alice.post(
        reverse("estimates:create", args=[network.collective_a.slug]),
        {"start": "blank", "title": "", "vat_rate": "500", "hourly_rate": "1"},
    )
    assert response.status_code == 200
    assert not Estimate.objects.exists()


def _content_post(estimate, rows, **extra):
    data = {
        "packages-TOTAL_FORMS": str(len(rows)),
        "packages-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
        "packages-MIN_NUM_FORMS": "0",
        "packages-MAX_NUM_FORMS": "1000",
        "assumptions": "Ihr liefert Texte\nEin Termin pro Woche",
        "exclusions": "Hosting",
        "risk_buffer_percent": "10",
        "risk_buffer_reason": "",
        "change_note": "",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"packages-{i}-{key}"] = value
    data.update(extra)
    return data


def _rows(estimate):
    return [
        {
            "id": str(p.pk),
            "name": p.name,
            "optimistic_hours": str(p.optimistic_hours),
            "likely_hours": str(p.likely_hours),
            "pessimistic_hours": str(p.pessimistic_hours),
            "hourly_rate": str(p.hourly_rate),
            "role": p.role,
            "notes": p.notes,
        }
        for p in estimate.latest_version().packages.all()
    ]


def test_it_saves_packages_and_makes_a_new_version_after_sharing(network, estimate):
    alice = network.client_for(network.alice)
    rows = [
        *_rows(estimate),
        {
            "name": "Wartung",
            "optimistic_hours": "1",
            "likely_hours": "2",
            "pessimistic_hours": "4",
            "hourly_rate": "80",
            "role": "",
            "notes": "",
        },
    ]
    assert alice.get(url("content", estimate)).status_code == 200
    response = alice.post(url("content", estimate), _content_post(estimate, rows))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert estimate.latest_version().packages.count() == 4
    assert alice.post(url("share", estimate)).status_code == 302
    # After sharing, saving without a change note is refused; with one it makes version 2.
    refused = alice.post(url("content", estimate), _content_post(estimate, _rows(estimate)))
    assert refused.status_code == 200
    assert (
        "what changed" in refused.content.decode().lower() or "geändert" in refused.content.decode()
    )
    rows = _rows(estimate)
    rows[0]["likely_hours"] = "6"
    saved = alice.post(
        url("content", estimate), _content_post(estimate, rows, change_note="Mehr Konzept")
    )
    assert saved.status_code == 302
    assert estimate.versions.count() == 2
    assert estimate.versions.get(number=1).packages.get(name="Konzept").likely_hours == Decimal(4)
    page = alice.get(url("detail", estimate)).content.decode()
    assert "Mehr Konzept" in page


def test_it_refuses_packages_with_hours_out_of_order_on_the_page(network, estimate):
    alice = network.client_for(network.alice)
    rows = _rows(estimate)
    rows[0]["optimistic_hours"] = "50"
    response = alice.post(url("content", estimate), _content_post(estimate, rows))
    assert response.status_code == 200
    assert estimate.latest_version().packages.get(name="Konzept").optimistic_hours == Decimal(2)


def test_it_shows_the_new_link_once_after_sharing(network, estimate):
    alice = network.client_for(network.alice)
    response = alice.post(url("share", estimate), follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "/e/est_" in body
    again = alice.get(url("detail", estimate)).content.decode()
    assert "/e/est_" not in again
    estimate.refresh_from_db()
    assert estimate.state == EstimateState.SHARED


def test_it_answers_404_to_another_collective_and_sends_anonymous_to_log_in(network, estimate):
    bob = network.client_for(network.bob)
    for name in ("detail", "content", "edit", "pdf", "share", "revoke_link", "withdraw"):
        assert bob.get(url(name, estimate)).status_code == 404
        assert bob.post(url(name, estimate)).status_code == 404
    own = reverse("estimates:detail", args=[network.collective_b.slug, estimate.pk])
    assert bob.get(own).status_code == 404
    anonymous = network.client_for(None)
    assert anonymous.get(url("detail", estimate)).status_code == 302


def test_it_lists_estimates_in_a_fixed_number_of_queries(network, django_assert_max_num_queries):
    lead = make_lead(network.collective_a, "Portal")
    for i in range(8):
        make_estimate(network.collective_a, network.alice, lead=lead, title=f"Schätzung {i}")
    alice = network.client_for(network.alice)
    index = reverse("estimates:index", args=[network.collective_a.slug])
    alice.get(index)
    with django_assert_max_num_queries(12):
        response = alice.get(index)
    assert response.status_code == 200
    assert response.content.decode().count("Schätzung") >= 8


def test_it_keeps_estimate_fields_when_edited(network, estimate):
    alice = network.client_for(network.alice)
    data = {
        "title": "Neues Portal",
        "client_name": "Mieterverein",
        "client_language": "de",
        "currency": "eur",
        "vat_category": "S",
        "vat_rate": "19",
        "hours_per_day": "7.5",
        "valid_until": "2031-01-15",
        "en16931_seller_country": "de",
        "en16931_buyer_country": "DE",
    }
    response = alice.post(url("edit", estimate), data)
    assert response.status_code == 302
    estimate.refresh_from_db()
    assert estimate.title == "Neues Portal"
    assert estimate.currency == "EUR"
    assert estimate.hours_per_day == Decimal("7.5")
