"""Demo vouches, clearly marked as demo: a few confirmed ones between demo collectives and
from a demo supporter, and one still waiting for the other side. The inquiries demo asks
`vouch_for_demo_collective` for a vouch for the collective interested in its open inquiry, so the
client's status page shows one. Idempotent; no email is sent (rows are written directly, as
both sides of the invented network have long agreed)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.supporters.models import Supporter
from klinke.vouches.models import Vouch, VouchState

# (voucher kind, voucher slug, collective slug, project, statement, public?)
DEMO_VOUCHES = (
    (
        "collective",
        "rotkehlchen-webkooperative",
        "kollektiv-quellcode",
        "(Demo) Barrierefreies Vereinsportal für den Sportbund Leipzig",
        "(Demo) Verlässlich, gut dokumentiert, pünktlich. / Reliable, well documented, on time.",
        True,
    ),
    (
        "supporter",
        "helga-wintermantel",
        "kollektiv-quellcode",
        "(Demo) Pricing workshop and day-rate calculation",
        "(Demo) Sie haben ihre Tagessätze offen und nachvollziehbar neu gerechnet. / They "
        "re-derived their day rates openly and clearly.",
        True,
    ),
    (
        "collective",
        "wurzelwerk-hosting",
        "datenfalter",
        "(Demo) Datenplattform für einen Naturschutzverband",
        "(Demo) Gemeinsam betrieben seit zwei Jahren. / Run together for two years.",
        True,
    ),
    (
        "collective",
        "datenfalter",
        "rotkehlchen-webkooperative",
        "(Demo) Open-data map for a city council",
        "",
        False,
    ),
)


def _first_member_user(collective: Collective) -> User | None:
    members = collective.member_users()
    return members[0] if members else None


def _make(
    voucher: Collective | Supporter,
    collective: Collective,
    project: str,
    statement: str,
    public: bool,
) -> Vouch | None:
    if Vouch.objects.filter(
        collective=collective, voucher_key=Vouch.key_for(voucher), project=project
    ).exists():
        return None
    now = timezone.now()
    creator = voucher.user if isinstance(voucher, Supporter) else _first_member_user(voucher)
    return Vouch.objects.create(
        collective=collective,
        voucher_collective=voucher if isinstance(voucher, Collective) else None,
        voucher_supporter=voucher if isinstance(voucher, Supporter) else None,
        project=project,
        statement=statement,
        state=VouchState.PUBLIC if public else VouchState.PENDING,
        created_by=creator,
        accepted_by=_first_member_user(collective) if public else None,
        created_at=now - timedelta(days=40),
        accepted_at=now - timedelta(days=38) if public else None,
        is_demo=True,
    )


def vouch_for_demo_collective(collective: Collective) -> Vouch | None:
    """A confirmed demo vouch for `collective` from another public demo collective, unless it
    has one already."""
    if Vouch.objects.filter(collective=collective).public().exists():
        return None
    voucher = (
        Collective.objects.filter(is_demo=True, visibility="public", archived_at__isnull=True)
        .exclude(pk=collective.pk)
        .exclude(memberships__user__memberships__collective=collective)
        .order_by("name")
        .first()
    )
    if voucher is None:
        return None
    return _make(
        voucher,
        collective,
        "(Demo) Gemeinsames Mitgliederportal für einen Verein / A shared member portal",
        "(Demo) Wir würden jederzeit wieder mit ihnen arbeiten. / We would work with them again.",
        True,
    )


def load_demo_content() -> str:
    collectives = {c.slug: c for c in Collective.objects.filter(is_demo=True)}
    supporters = {s.slug: s for s in Supporter.objects.filter(is_demo=True)}
    made = 0
    for kind, voucher_slug, slug, project, statement, public in DEMO_VOUCHES:
        voucher = (supporters if kind == "supporter" else collectives).get(voucher_slug)
        collective = collectives.get(slug)
        if voucher is None or collective is None:
            continue
        made += _make(voucher, collective, project, statement, public) is not None
    return f"vouches: {made} demo vouches (confirmed ones and one waiting for an answer)"
