"""Vouches fixtures: past work together (an accepted referral, a helpful introduction) and
helpers that make vouches through the actions."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.exchange.models import Introduction, IntroductionState, Need
from klinke.supporters.models import Supporter
from klinke.vouches import actions
from klinke.vouches.models import Vouch
from klinke.workbench.models import Referral, ReferralState


def values(project: str = "Mitgliederportal Mieterverein", **extra: Any) -> actions.VouchValues:
    return actions.VouchValues(project=project, **extra)


def offered(
    voucher: Collective | Supporter,
    collective: Collective,
    user: User,
    project: str = "Mitgliederportal Mieterverein",
    **extra: Any,
) -> Vouch:
    return actions.do_offer_vouch(
        voucher=voucher, collective=collective, user=user, values=values(project, **extra)
    )


def public_vouch(
    voucher: Collective | Supporter,
    collective: Collective,
    user: User,
    confirmer: User,
    project: str = "Mitgliederportal Mieterverein",
    **extra: Any,
) -> Vouch:
    vouch = offered(voucher, collective, user, project, **extra)
    return actions.do_confirm_vouch(vouch_id=vouch.pk, user=confirmer)


def accepted_referral(
    from_collective: Collective, to_collective: Collective, title: str = "Website für die Tafel"
) -> Referral:
    return Referral.objects.create(
        from_collective=from_collective,
        to_collective=to_collective,
        client_agreed=True,
        title=title,
        state=ReferralState.ACCEPTED,
        answered_at=timezone.now(),
    )


def helpful_introduction(
    need_collective: Collective, helper: Supporter | Collective, title: str = "Preise kalkulieren"
) -> Introduction:
    need = Need.objects.create(collective=need_collective, title=title, description="…")
    return Introduction.objects.create(
        need=need,
        supporter=helper if isinstance(helper, Supporter) else None,
        collective=helper if isinstance(helper, Collective) else None,
        counterpart_key=Introduction.key_for(helper),
        state=IntroductionState.COMPLETED,
        message="Hallo",
        requester_email="x@example.org",
        helpful=True,
    )
