"""The calculator's pages: members calculate, save versions and read the history; everyone else
gets 404 (anonymous visitors are sent to log in); the public page explains the calculator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from klinke.rates.models import DayRate
from klinke.rates.tests.conftest import HAND_FORM, save_rate

pytestmark = pytest.mark.django_db


def urls(slug: str, version: DayRate | None = None) -> list[str]:
    pages = [
        reverse("rates:index", args=[slug]),
        reverse("rates:edit", args=[slug]),
        reverse("rates:history", args=[slug]),
    ]
    if version is not None:
        pages.append(reverse("rates:version", args=[slug, version.pk]))
    return pages


def test_it_invites_to_work_out_a_rate_before_the_first_save(network) -> None:
    response = network.client_for(network.alice).get(
        reverse("rates:index", args=[network.collective_a.slug])
    )
    assert response.status_code == 200
    assert "Your collective has no day rate yet." in response.content.decode()


def test_it_prefills_the_calculator_with_german_defaults(network) -> None:
    response = network.client_for(network.alice).get(
        reverse("rates:edit", args=[network.collective_a.slug])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="social_contributions_percent" value="42"' in page
    assert 'name="billable_percent" value="60"' in page
    assert "Deutsche Rentenversicherung" in page


def test_it_calculates_without_saving(network) -> None:
    response = network.client_for(network.alice).post(
        reverse("rates:edit", args=[network.collective_a.slug]), {**HAND_FORM, "calculate": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="day-rate">€589<' in page
    assert 'data-figure="reduced-day-rate">€353<' in page
    assert "Of a day rate of €589, €127 goes to the members as net pay" in page
    assert "Von 589 € Tagessatz gehen 127 €" in page  # the other language, for clients
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert DayRate.objects.count() == 0


def test_it_answers_htmx_with_the_result_alone(network) -> None:
    response = network.client_for(network.alice).post(
        reverse("rates:edit", args=[network.collective_a.slug]),
        {**HAND_FORM, "save": "1"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<section id="rate-result"')
    assert "€589" in page
    assert DayRate.objects.count() == 0, "live recalculation never saves"


def test_it_saves_versions_with_their_change_notes(network) -> None:
    client = network.client_for(network.alice)
    url = reverse("rates:edit", args=[network.collective_a.slug])

    first = client.post(url, {**HAND_FORM, "save": "1"})
    second = client.post(
        url,
        {**HAND_FORM, "fixed_costs_per_month": "2400", "change_note": "Neues Büro", "save": "1"},
    )

    assert first.status_code == second.status_code == 302
    versions = list(DayRate.objects.of(network.collective_a).order_by("number"))
    assert [(v.number, v.change_note, v.created_by) for v in versions] == [
        (1, "", network.alice),
        (2, "Neues Büro", network.alice),
    ]
    index = client.get(first["Location"]).content.decode()
    assert "Version 2" in index and "Neues Büro" in index
    history = client.get(reverse("rates:history", args=[network.collective_a.slug]))
    page = history.content.decode()
    assert history.status_code == 200
    assert "Neues Büro" in page and "€589" not in page  # history shows figures per locale
    old = client.get(reverse("rates:version", args=[network.collective_a.slug, versions[0].pk]))
    assert old.status_code == 200
    assert "€589" in old.content.decode()


def test_it_prefills_the_calculator_from_the_current_version(network) -> None:
    save_rate(network.collective_a, network.alice, fixed_costs_per_month=Decimal("2400"))
    page = (
        network.client_for(network.alice)
        .get(reverse("rates:edit", args=[network.collective_a.slug]))
        .content.decode()
    )
    assert 'name="fixed_costs_per_month" value="2400.00"' in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"net_pay_per_member": "-100"}, "net_pay_per_member", "more than 0"),
        ({"billable_percent": "0"}, "billable_percent", "billable share"),
        ({"billable_percent": "150"}, "billable_percent", "billable share"),
        ({"net_pay_per_member": "99999999999"}, "net_pay_per_member", ""),
        ({"net_pay_list": "2400\nzweitausend"}, "net_pay_list", "is not an amount"),
        ({"holidays": "300"}, "holidays", "working days"),
        ({"members": "0"}, "members", ""),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(network, changes, field, message) -> None:
    response = network.client_for(network.alice).post(
        reverse("rates:edit", args=[network.collective_a.slug]),
        {**HAND_FORM, **changes, "save": "1"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert "error-summary" in response.content.decode()
    assert DayRate.objects.count() == 0


@pytest.mark.parametrize("who", ["bob", "sam", "stella", "outsider"])
def test_it_answers_404_to_everyone_but_members(network, who) -> None:
    version = save_rate(network.collective_a, network.alice, change_note="geheime Notiz")
    client = network.client_for(getattr(network, who))
    for url in urls(network.collective_a.slug, version):
        for method in ("get", "post"):
            response = getattr(client, method)(url, {**HAND_FORM, "save": "1"})
            assert response.status_code == 404, (who, method, url)
            assert "geheime Notiz" not in response.content.decode()
    assert DayRate.objects.count() == 1


def test_it_answers_404_for_another_collectives_version_under_ones_own_slug(network) -> None:
    version = save_rate(network.collective_a, network.alice)
    response = network.client_for(network.bob).get(
        reverse("rates:version", args=[network.collective_b.slug, version.pk])
    )
    assert response.status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(network) -> None:
    client = network.client_for(None)
    for url in urls(network.collective_a.slug):
        response = client.post(url, {**HAND_FORM, "save": "1"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert DayRate.objects.count() == 0


def test_it_reads_the_history_in_a_fixed_number_of_queries(
    network, django_assert_num_queries
) -> None:
    for number in range(5):
        save_rate(network.collective_a, network.alice, change_note=f"Änderung {number}")
    client = network.client_for(network.alice)
    url = reverse("rates:history", args=[network.collective_a.slug])
    client.get(url)
    # session, user, the network-member check of the page layout, the collective with the
    # membership check in one query, then the versions with their authors in one query
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("data-version=") == 5


def test_it_explains_the_calculator_in_public(network) -> None:
    response = network.client_for(None).get(reverse("rates_public:about"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "How it works" in page
    assert 'data-figure="day-rate">' in page
    assert "Log in" in page


def test_it_sends_members_from_the_public_page_to_their_collectives_calculator(network) -> None:
    page = network.client_for(network.alice).get(reverse("rates_public:about")).content.decode()
    assert reverse("rates:index", args=[network.collective_a.slug]) in page
    assert reverse("rates:index", args=[network.collective_b.slug]) not in page


def test_it_is_linked_from_the_workbench_and_the_collective_page(network) -> None:
    client = network.client_for(network.alice)
    target = reverse("rates:index", args=[network.collective_a.slug])
    for url in (
        reverse("workbench:index", args=[network.collective_a.slug]),
        reverse("collectives:detail", args=[network.collective_a.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert target in response.content.decode(), url
