"""Writes of vouches: offering one, asking a past partner for one, confirming, withdrawing.

Both sides consent before a vouch is public: whoever starts it (the voucher offering, or the
collective asking) is one side, the other side confirms. Either side may withdraw at any time.
Nobody vouches for their own collective: not the collective itself (also a check constraint),
not its members acting for another collective, not its members as supporters. One vouch per
voucher, collective and project (case-insensitive) while it is pending or public (also a unique
index). Pages and the API call these same functions with plain values.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.core.mail import notify_users
from klinke.core.models import NotificationKind
from klinke.exchange.models import Introduction
from klinke.supporters.models import Supporter
from klinke.tenders.models import ConsortiumMember, MemberState
from klinke.vouches.models import OPEN_STATES, Vouch, VouchSource, VouchState
from klinke.workbench.models import Referral, ReferralState

Voucher = Collective | Supporter


class VouchError(Exception):
    """A move the rules of vouching do not allow; the message says why."""


@dataclass(frozen=True, kw_only=True)
class VouchValues:
    """What a vouch says, from the form or the API alike.

    `source` names where the two worked together; for a referral, consortium or introduction
    its id (`source_id`) must name one that both sides really took part in.
    """

    project: str
    statement: str = ""
    source: str = VouchSource.HAND
    source_id: int | None = None


# --- who is who --------------------------------------------------------------------------


def acts_for(voucher: Voucher, user: User) -> bool:
    """Whether `user` may speak for `voucher`: a member of the collective, or the supporter."""
    if isinstance(voucher, Supporter):
        return voucher.user_id is not None and voucher.user_id == user.pk
    return voucher.has_member(user)


def people_of(side: Voucher) -> list[User]:
    if isinstance(side, Supporter):
        return [side.user] if side.user is not None else []
    return side.member_users()


def _refuse_own(voucher: Voucher, collective: Collective, user: User | None) -> None:
    """Nobody vouches for themselves or their own collective."""
    if isinstance(voucher, Collective) and voucher.pk == collective.pk:
        raise VouchError(_("A collective cannot vouch for itself."))
    if (
        isinstance(voucher, Supporter)
        and voucher.user_id is not None
        and collective.memberships.filter(user_id=voucher.user_id).exists()
    ):
        raise VouchError(_("Nobody can vouch for their own collective."))
    if user is not None and collective.has_member(user):
        raise VouchError(_("Nobody can vouch for their own collective."))


def _require_active(*sides: Voucher) -> None:
    for side in sides:
        if isinstance(side, Collective) and side.is_archived:
            raise VouchError(_("%(name)s is archived.") % {"name": side.name})


# --- where they worked together -----------------------------------------------------------


def _source_links(
    voucher: Voucher, collective: Collective, values: VouchValues
) -> dict[str, object]:
    """The referral, consortium or introduction the vouch names, checked to involve both."""
    source = values.source
    if source == VouchSource.HAND:
        return {}
    if source not in VouchSource.values or values.source_id is None:
        raise VouchError(_("Say where you worked together."))
    if source == VouchSource.REFERRAL:
        referral = Referral.objects.filter(
            pk=values.source_id, state=ReferralState.ACCEPTED
        ).first()
        pair = {referral.from_collective_id, referral.to_collective_id} if referral else set()
        if (
            referral is None
            or pair != {voucher.pk, collective.pk}
            or isinstance(voucher, Supporter)
        ):
            raise VouchError(_("You two did not take part in this referral."))
        return {"referral": referral}
    if source == VouchSource.CONSORTIUM:
        if isinstance(voucher, Supporter):
            raise VouchError(_("You two did not bid together in this consortium."))
        taking_part = set(
            ConsortiumMember.objects.filter(
                consortium_id=values.source_id,
                state=MemberState.ACCEPTED,
                collective__in=[voucher, collective],
            ).values_list("collective_id", flat=True)
        )
        if taking_part != {voucher.pk, collective.pk}:
            raise VouchError(_("You two did not bid together in this consortium."))
        return {"consortium_id": values.source_id}
    introduction = (
        Introduction.objects.filter(pk=values.source_id, helpful=True)
        .select_related("need")
        .first()
    )
    if introduction is None or not _introduced(introduction, voucher, collective):
        raise VouchError(_("You two were not helpfully introduced to each other here."))
    return {"introduction": introduction}


def _introduced(introduction: Introduction, one: Voucher, other: Collective) -> bool:
    asking = introduction.need.collective_id
    helper = introduction.counterpart
    if isinstance(one, Supporter):
        return isinstance(helper, Supporter) and helper.pk == one.pk and asking == other.pk
    pair = {asking, helper.pk} if isinstance(helper, Collective) else set()
    return pair == {one.pk, other.pk}


# --- writes --------------------------------------------------------------------------------


def _create(
    *,
    voucher: Voucher,
    collective: Collective,
    user: User,
    values: VouchValues,
    offered_by_voucher: bool,
) -> Vouch:
    project = values.project.strip()
    if not project:
        raise VouchError(_("Name the project you did together."))
    links = _source_links(voucher, collective, values)
    key = Vouch.key_for(voucher)
    duplicate = (
        Vouch.objects.filter(collective=collective, voucher_key=key, state__in=OPEN_STATES)
        .alias(lower_project=Lower("project"))
        .filter(lower_project=project.lower())
    )
    if duplicate.exists():
        raise VouchError(_("There is already a vouch for this project."))
    vouch = Vouch(
        collective=collective,
        voucher_collective=voucher if isinstance(voucher, Collective) else None,
        voucher_supporter=voucher if isinstance(voucher, Supporter) else None,
        project=project,
        statement=values.statement.strip(),
        source=values.source,
        offered_by_voucher=offered_by_voucher,
        created_by=user,
        **links,
    )
    try:
        with transaction.atomic():
            vouch.save()
    except IntegrityError as exc:
        # Two people asking at once: the unique index keeps one.
        raise VouchError(_("There is already a vouch for this project.")) from exc
    return vouch


def do_offer_vouch(
    *, voucher: Voucher, collective: Collective, user: User, values: VouchValues
) -> Vouch:
    """`user`, speaking for `voucher`, offers to vouch for `collective`; its members confirm."""
    if not acts_for(voucher, user):
        raise VouchError(_("You can only vouch for your own collective or as yourself."))
    _refuse_own(voucher, collective, user)
    _require_active(voucher, collective)
    vouch = _create(
        voucher=voucher, collective=collective, user=user, values=values, offered_by_voucher=True
    )
    notify_users(
        collective.member_users(),
        template="vouches/email/vouch_offered",
        context={"vouch": vouch, "voucher_name": voucher.name, "url": _url_for(collective)},
        kind=NotificationKind.WORKBENCH,
    )
    return vouch


def do_ask_for_vouch(
    *, collective: Collective, voucher: Voucher, user: User, values: VouchValues
) -> Vouch:
    """A member of `collective` asks a past partner to vouch for it; the partner confirms."""
    if not collective.has_member(user):
        raise VouchError(_("Only members of the collective can ask for a vouch."))
    _refuse_own(voucher, collective, None)
    _require_active(voucher, collective)
    vouch = _create(
        voucher=voucher, collective=collective, user=user, values=values, offered_by_voucher=False
    )
    notify_users(
        people_of(voucher),
        template="vouches/email/vouch_asked",
        context={"vouch": vouch, "collective": collective, "url": _url_for(voucher)},
        kind=_kind_for(voucher),
    )
    return vouch


def may_confirm(vouch: Vouch, user: User) -> bool:
    """Whether `user` is on the side that has not said yes yet."""
    if not vouch.is_pending:
        return False
    if vouch.offered_by_voucher:
        return vouch.collective.has_member(user)
    return acts_for(vouch.voucher, user) and not vouch.collective.has_member(user)


def may_withdraw(vouch: Vouch, user: User) -> bool:
    return vouch.state in OPEN_STATES and (
        vouch.collective.has_member(user) or acts_for(vouch.voucher, user)
    )


def do_confirm_vouch(*, vouch_id: int, user: User) -> Vouch:
    """The other side says yes: the vouch is public from now on."""
    with transaction.atomic():
        vouch = _locked(vouch_id)
        if not may_confirm(vouch, user):
            if vouch.is_pending and (
                vouch.collective.has_member(user) or acts_for(vouch.voucher, user)
            ):
                raise VouchError(_("The other side confirms this vouch, not you."))
            raise VouchError(_("This vouch is not waiting for your answer."))
        _refuse_own(vouch.voucher, vouch.collective, None)
        _require_active(vouch.voucher, vouch.collective)
        vouch.state = VouchState.PUBLIC
        vouch.accepted_by = user
        vouch.accepted_at = timezone.now()
        vouch.save(update_fields=["state", "accepted_by", "accepted_at"])
    starter: Voucher = vouch.voucher if vouch.offered_by_voucher else vouch.collective
    notify_users(
        people_of(starter),
        template="vouches/email/vouch_accepted",
        context={
            "vouch": vouch,
            "voucher_name": vouch.voucher_name,
            "collective": vouch.collective,
            "url": vouch.collective.get_absolute_url(),
        },
        kind=_kind_for(starter),
    )
    return vouch


def do_withdraw_vouch(*, vouch_id: int, user: User) -> Vouch:
    """Either side takes a vouch back (or declines one asked of it): it is gone from public
    pages at once."""
    with transaction.atomic():
        vouch = _locked(vouch_id)
        if not may_withdraw(vouch, user):
            raise VouchError(_("This vouch is already withdrawn."))
        vouch.state = VouchState.WITHDRAWN
        vouch.withdrawn_by = user
        vouch.withdrawn_at = timezone.now()
        vouch.save(update_fields=["state", "withdrawn_by", "withdrawn_at"])
    return vouch


def _locked(vouch_id: int) -> Vouch:
    vouch = (
        Vouch.objects.select_for_update(of=("self",))
        .select_related("collective", "voucher_collective", "voucher_supporter")
        .filter(pk=vouch_id)
        .first()
    )
    if vouch is None:
        raise VouchError(_("This vouch does not exist."))
    return vouch


def _url_for(side: Voucher) -> str:
    if isinstance(side, Supporter):
        return reverse("supporter_vouches:index")
    return reverse("vouches:index", args=[side.slug])


def _kind_for(side: Voucher) -> NotificationKind:
    # Collectives hear about vouches with their workbench news; supporters with introductions.
    if isinstance(side, Supporter):
        return NotificationKind.INTRODUCTIONS
    return NotificationKind.WORKBENCH
