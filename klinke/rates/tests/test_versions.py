"""Saving day rates: each save is a new version with who, when and a note; the latest is the
current one; refusals write nothing; the versions go with a deleted collective and stay, under
"former member", when their author deletes their account."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from klinke.collectives.actions import do_delete_collective
from klinke.rates.actions import RatesError, do_save_day_rate
from klinke.rates.models import DayRate
from klinke.rates.personal_data import describe_collective, export
from klinke.rates.tests.conftest import HAND_VALUES, save_rate

pytestmark = pytest.mark.django_db


def test_it_numbers_versions_per_collective_and_keeps_the_old_ones(network) -> None:
    first = save_rate(network.collective_a, network.alice)
    second = save_rate(network.collective_a, network.alice2, change_note="  Neues Büro ")
    other = save_rate(network.collective_b, network.bob)

    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert second.change_note == "Neues Büro"
    assert DayRate.objects.current_for(network.collective_a) == second
    assert DayRate.objects.current_for(network.collective_b) == other
    first.refresh_from_db()
    assert first.result().day_rate == Decimal("589")


def test_it_has_no_current_rate_before_the_first_save(network) -> None:
    assert DayRate.objects.current_for(network.collective_a) is None


def test_it_stores_amounts_in_cents_and_each_members_pay_as_typed(network) -> None:
    version = save_rate(
        network.collective_a,
        network.alice,
        net_pay_list="2.000,004\n2640\n3280.5",
        fixed_costs_per_month=Decimal("1500.004"),
    )
    version.refresh_from_db()
    assert version.net_pay_list == "2000\n2640\n3280.5"
    assert version.members == 3
    assert version.fixed_costs_per_month == Decimal("1500.00")


def test_it_refuses_a_non_member(network) -> None:
    with pytest.raises(RatesError):
        do_save_day_rate(collective=network.collective_a, user=network.bob, values=HAND_VALUES)
    assert not DayRate.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"billable_percent": Decimal("0")}, "billable_percent"),
        ({"net_pay_per_member": Decimal("-1")}, "net_pay"),
        ({"net_pay_per_member": Decimal("1E+30")}, "net_pay_per_member"),
        ({"members": 0}, "members"),
        ({"solidarity": "unknown"}, "solidarity"),
        ({"net_pay_list": "x"}, "net_pay"),
    ],
)
def test_it_refuses_bad_input_by_field_and_writes_nothing(network, changes, field) -> None:
    with pytest.raises(ValidationError) as refusal:
        save_rate(network.collective_a, network.alice, **changes)
    assert field in refusal.value.message_dict
    assert not DayRate.objects.exists()


def test_it_exports_a_members_versions_and_names_them_for_a_deleting_collective(network):
    save_rate(network.collective_a, network.alice, change_note="Unsere erste Rechnung")
    save_rate(network.collective_a, network.alice2)

    (file,) = export(network.alice)
    assert file.content["versions"][0]["change_note"] == "Unsere erste Rechnung"
    assert len(file.content["versions"]) == 1
    assert describe_collective(network.collective_a) == ["The day rate with all its versions: 2."]
    assert describe_collective(network.collective_b) == []


def test_it_deletes_the_versions_with_their_collective(network) -> None:
    save_rate(network.collective_a, network.alice)
    do_delete_collective(
        collective=network.collective_a,
        user=network.alice,
        confirmation=network.collective_a.slug,
    )
    assert not DayRate.objects.exists()


def test_it_keeps_a_version_when_its_author_goes(network) -> None:
    version = save_rate(network.collective_a, network.alice)
    network.alice.delete()
    version.refresh_from_db()
    assert version.created_by is None
