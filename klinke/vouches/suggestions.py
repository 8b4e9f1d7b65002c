"""Who a collective or supporter has worked with, from what the network already knows, as
suggestions: "You worked with X on Y: vouch?".

The sources are accepted referrals, consortia both took part in, and introductions that ended
"helpful". A suggestion that is already a pending or public vouch is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from klinke.collectives.models import Collective
from klinke.core.languages import interface_language
from klinke.exchange.models import Introduction
from klinke.supporters.models import Supporter
from klinke.tenders.models import ConsortiumMember, MemberState
from klinke.vouches.models import OPEN_STATES, Vouch, VouchSource
from klinke.workbench.models import Referral, ReferralState

Side = Collective | Supporter


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A past partner and the project done together, with what may be done about it."""

    partner: Side
    project: str
    source: VouchSource
    source_id: int
    can_offer: bool
    """We may vouch for the partner (it is a collective and we have not yet)."""
    can_ask: bool
    """We may ask the partner to vouch for us (only a collective can be vouched for)."""

    @property
    def partner_kind(self) -> str:
        return "supporter" if isinstance(self.partner, Supporter) else "collective"


def _open_pairs(side: Side) -> set[tuple[str, str, str]]:
    """(voucher key, collective key, project) of every open vouch `side` is part of."""
    key = Vouch.key_for(side)
    vouches = Vouch.objects.filter(state__in=OPEN_STATES).filter(
        Q(voucher_key=key) | Q(collective_id=side.pk if isinstance(side, Collective) else None)
    )
    return {
        (v.voucher_key, f"collective:{v.collective_id}", v.project.lower())
        for v in vouches.only("voucher_key", "collective_id", "project")
    }


def _raw_for_collective(collective: Collective) -> list[tuple[Side, str, VouchSource, int]]:
    found: list[tuple[Side, str, VouchSource, int]] = []
    referrals = (
        Referral.objects.involving(collective)
        .filter(state=ReferralState.ACCEPTED)
        .select_related("from_collective", "to_collective")
    )
    for referral in referrals:
        other = (
            referral.to_collective
            if referral.from_collective_id == collective.pk
            else referral.from_collective
        )
        found.append((other, referral.title, VouchSource.REFERRAL, referral.pk))
    ours = ConsortiumMember.objects.filter(collective=collective, state=MemberState.ACCEPTED)
    partners = (
        ConsortiumMember.objects.filter(
            consortium_id__in=ours.values("consortium_id"), state=MemberState.ACCEPTED
        )
        .exclude(collective=collective)
        .select_related("collective", "consortium__tender")
    )
    language = interface_language()
    for member in partners:
        tender = member.consortium.tender
        title = tender.title_in(language) or tender.procedure_id
        found.append((member.collective, title[:200], VouchSource.CONSORTIUM, member.consortium_id))
    introductions = (
        Introduction.objects.filter(helpful=True)
        .filter(Q(need__collective=collective) | Q(collective=collective))
        .select_related("need__collective", "collective", "supporter")
    )
    for introduction in introductions:
        if introduction.need.collective_id == collective.pk:
            partner: Side = introduction.counterpart
        else:
            partner = introduction.need.collective
        found.append((partner, introduction.need.title, VouchSource.INTRODUCTION, introduction.pk))
    return found


def for_collective(collective: Collective) -> list[Suggestion]:
    """Past partners of `collective`: whom it could vouch for, or ask to vouch for it."""
    open_pairs = _open_pairs(collective)
    ours = Vouch.key_for(collective)
    suggestions = []
    seen = set()
    for partner, project, source, source_id in _raw_for_collective(collective):
        if partner.pk == collective.pk and isinstance(partner, Collective):
            continue
        if isinstance(partner, Collective) and partner.is_archived:
            continue
        theirs = Vouch.key_for(partner)
        can_offer = isinstance(partner, Collective) and (
            (ours, theirs, project.lower()) not in open_pairs
        )
        can_ask = (theirs, f"collective:{collective.pk}", project.lower()) not in open_pairs
        if isinstance(partner, Supporter) and partner.user_id is not None:
            can_ask = (
                can_ask and not collective.memberships.filter(user_id=partner.user_id).exists()
            )
        marker = (theirs, project.lower())
        if (can_offer or can_ask) and marker not in seen:
            seen.add(marker)
            suggestions.append(Suggestion(partner, project, source, source_id, can_offer, can_ask))
    return suggestions


def for_supporter(supporter: Supporter) -> list[Suggestion]:
    """Collectives `supporter` helped through an introduction that ended "helpful"."""
    open_pairs = _open_pairs(supporter)
    ours = Vouch.key_for(supporter)
    introductions = Introduction.objects.filter(helpful=True, supporter=supporter).select_related(
        "need__collective"
    )
    suggestions = []
    for introduction in introductions:
        collective = introduction.need.collective
        project = introduction.need.title
        if collective.is_archived or (ours, f"collective:{collective.pk}", project.lower()) in (
            open_pairs
        ):
            continue
        if supporter.user_id and collective.memberships.filter(user_id=supporter.user_id).exists():
            continue
        suggestions.append(
            Suggestion(collective, project, VouchSource.INTRODUCTION, introduction.pk, True, False)
        )
    return suggestions
