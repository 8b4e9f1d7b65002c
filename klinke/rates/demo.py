"""Demo day rate for Kollektiv Quellcode: two versions with realistic German numbers, the
second raising the members' pay and adding a new office, with a bilingual change note.
Everything is invented and marked `is_demo`; running it again adds nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from klinke.collectives.models import Collective
from klinke.rates.actions import RateValues, do_save_day_rate
from klinke.rates.models import DayRate

DEMO_COLLECTIVE = "kollektiv-quellcode"

FIRST = RateValues(
    members=4,
    net_pay_per_member=Decimal("2400"),
    fixed_costs_per_month=Decimal("1800"),
    solidarity="surplus",
    reduction_percent=Decimal("30"),
    reduced_mix_percent=Decimal("20"),
)
SECOND = replace(
    FIRST,
    net_pay_per_member=Decimal("2600"),
    net_pay_list="2600\n2600\n2600\n2900",
    fixed_costs_per_month=Decimal("2200"),
)
VERSIONS = (
    ("mira", FIRST, 240, "Demo: erste Rechnung im Plenum / Demo: first calculation in the plenary"),
    (
        "janne",
        SECOND,
        30,
        "Demo: Nettolöhne auf 2.600 € angehoben (Deniz 2.900 € mit Kind), neues Büro mit 400 € "
        "mehr Miete / Demo: net pay raised to 2,600 € (Deniz 2,900 € with a child), new office "
        "with 400 € more rent",
    ),
)


@transaction.atomic
def load_demo_content() -> str:
    collective = Collective.objects.filter(slug=DEMO_COLLECTIVE).first()
    if collective is None:
        return "rates: no demo collective, nothing to add"
    if DayRate.objects.filter(collective=collective, is_demo=True).exists():
        return f"rates: {collective.name} already has its demo day rate"
    members = collective.member_users()
    fallback = members[0] if members else None
    if fallback is None:
        return f"rates: {collective.name} has no members, nothing to add"
    for login, values, days_ago, note in VERSIONS:
        user = next((u for u in members if u.email.startswith(f"{login}@")), fallback)
        day_rate = do_save_day_rate(
            collective=collective, user=user, values=values, change_note=note
        )
        DayRate.objects.filter(pk=day_rate.pk).update(
            is_demo=True, created_at=timezone.now() - timedelta(days=days_ago)
        )
    current = DayRate.objects.current_for(collective)
    rate = current.result().day_rate if current else "?"
    return f"rates: 2 day-rate versions for {collective.name} (current {rate} €)"
