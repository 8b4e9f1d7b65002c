"""Consortia (*Bietergemeinschaften*): collectives bidding for one tender together.

The rules, held here and (where the database can) in constraints:

- A consortium is started for one tender by one collective, the initiator; it takes part from
  the start. Only members of the initiator invite, and only while the consortium is forming or
  preparing the bid.
- A collective is in at most one consortium per tender while it is invited or taking part
  (a partial unique constraint on `ConsortiumMember`).
- Each member taking part names the lots it takes and its share in percent (a `Decimal`).
  A lot is taken by at most one member (a unique constraint on `ConsortiumLot`; sharing a lot
  is not allowed: say who is responsible for it), and the shares of the members taking part
  add up to at most 100 %. Both are checked with the consortium row locked
  (``select_for_update``), so two members taking the same lot at once cannot both win.
- Deciding together reuses the workbench's decisions: when a collective takes part (the
  initiator when it starts, the others when they accept), the tender becomes a lead in its own
  workbench through the inbox's own action, and a decision "Do we bid together?" is opened
  there, linked to that lead. Each collective decides by its own rule and quorum; the shared
  page shows every member's decision state and count, never who answered what, and never
  the lead itself.
- Invitations are mailed to the invited collective's members (kind "your collective's
  workbench", so a mute is respected).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.core.mail import notify_users
from klinke.core.models import NotificationKind
from klinke.tenders.actions import TenderError, do_turn_entry_into_lead, screen_entry
from klinke.tenders.models import (
    ACTIVE_CONSORTIUM_STATES,
    SEEING_STATES,
    Consortium,
    ConsortiumLot,
    ConsortiumMember,
    ConsortiumState,
    EntryState,
    InboxEntry,
    Lot,
    MemberState,
    Tender,
)
from klinke.workbench.actions import WorkbenchError, do_open_decision
from klinke.workbench.models import Decision, Lead, RedLine

HUNDRED = Decimal(100)
DECISION_DAYS = 7
"""A member's "do we bid together?" decision runs this long, or until the day before the
tender's deadline when that is sooner."""


class ConsortiumError(TenderError):
    """A move the consortium's rules do not allow; the message says why."""


@dataclass(frozen=True, kw_only=True)
class Part:
    """What one member takes on: lot ids of the tender (``Lot.lot_id``) and a share."""

    lot_ids: Sequence[str] = field(default_factory=tuple)
    share: Decimal | None = None


def _require_member(collective: Collective, user: User) -> None:
    if not collective.has_member(user):
        raise ConsortiumError(_("Only members of the collective can do this."))


def parse_share(raw: str | Decimal | None) -> Decimal | None:
    """A share in percent from a form or the API: empty is None, else 0–100, two decimals."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise ConsortiumError(_("The share is a number of percent, such as 40 or 12.5.")) from None
    if not value.is_finite() or value < 0 or value > HUNDRED:
        raise ConsortiumError(_("A share lies between 0 and 100 percent."))
    return value.quantize(Decimal("0.01"))


def _locked(consortium: Consortium) -> Consortium:
    # No joins: PostgreSQL cannot lock the nullable side of an outer join.
    return Consortium.objects.select_for_update().get(pk=consortium.pk)


def _entry_for(collective: Collective, tender: Tender) -> InboxEntry:
    """The collective's inbox entry for the tender, made (screened) when it has none."""
    entry = InboxEntry.objects.filter(collective=collective, tender=tender).first()
    if entry is not None:
        return entry
    entry = InboxEntry(collective=collective, tender=tender, fits=False)
    screen_entry(entry, list(RedLine.objects.filter(collective=collective)))
    entry.save()
    return entry


def _lead_for(collective: Collective, tender: Tender, user: User, language: str) -> Lead | None:
    """The tender as a lead of the collective's own workbench, through the inbox's action."""
    entry = _entry_for(collective, tender)
    if entry.lead_id is not None:
        return entry.lead
    if entry.state == EntryState.DISMISSED:
        entry.state = EntryState.NEW
        entry.save(update_fields=["state", "updated_at"])
    return do_turn_entry_into_lead(entry=entry, user=user, language=language)


def _decision_deadline(tender: Tender, now: dt.datetime) -> dt.datetime:
    deadline = now + dt.timedelta(days=DECISION_DAYS)
    if tender.deadline is not None and not tender.deadline_placeholder:
        before = tender.deadline - dt.timedelta(days=1)
        if now + dt.timedelta(hours=2) < before < deadline:
            deadline = before
    return deadline


def _open_decision(member: ConsortiumMember, user: User, language: str) -> Decision | None:
    tender = member.consortium.tender
    title = tender.title_in(language) or tender.procedure_id
    with override(language):
        question = _("Do we bid for “%(title)s” together with the consortium?") % {
            "title": title[:200]
        }
        details = _(
            "The consortium's page shows the lots and shares of every collective: %(url)s"
        ) % {
            "url": reverse(
                "tenders:consortium_detail", args=[member.collective.slug, member.consortium_id]
            )
        }
    try:
        return do_open_decision(
            collective=member.collective,
            user=user,
            question=question[:300],
            details=details,
            deadline=_decision_deadline(tender, timezone.now()),
            lead=member.lead,
        )
    except WorkbenchError:
        return None


def _take_part(member: ConsortiumMember, user: User, language: str) -> None:
    """The tender becomes the member's lead, and its decision opens, linked to the lead."""
    member.lead = _lead_for(member.collective, member.consortium.tender, user, language)
    member.decision = _open_decision(member, user, language)
    member.save(update_fields=["lead", "decision"])


def _in_another_consortium(collective: Collective, tender: Tender) -> bool:
    return ConsortiumMember.objects.filter(
        collective=collective, tender=tender, state__in=SEEING_STATES
    ).exists()


def do_start_consortium(
    *, tender: Tender, collective: Collective, user: User, language: str = "de"
) -> Consortium:
    """Start a consortium for the tender; the collective takes part and the user is its contact.

    The tender becomes a lead of the collective (if it is not one yet) and its decision
    "do we bid together?" opens.
    """
    _require_member(collective, user)
    if tender.state != "open" or tender.is_past_deadline():
        raise ConsortiumError(_("This tender is no longer open."))
    if _in_another_consortium(collective, tender):
        raise ConsortiumError(_("Your collective is already in a consortium for this tender."))
    try:
        with transaction.atomic():
            consortium = Consortium.objects.create(
                tender=tender, initiator=collective, started_by=user
            )
            member = ConsortiumMember.objects.create(
                consortium=consortium,
                collective=collective,
                tender=tender,
                state=MemberState.ACCEPTED,
                invited_by=user,
                answered_by=user,
                answered_at=timezone.now(),
                contact=user,
            )
            _take_part(member, user, language)
    except IntegrityError:
        raise ConsortiumError(
            _("Your collective is already in a consortium for this tender.")
        ) from None
    return consortium


def _acting_member(consortium: Consortium, collective: Collective) -> ConsortiumMember:
    member = ConsortiumMember.objects.filter(
        consortium=consortium, collective=collective, state__in=SEEING_STATES
    ).first()
    if member is None:
        raise ConsortiumError(_("Your collective is not in this consortium."))
    return member


def do_invite_to_consortium(
    *,
    consortium: Consortium,
    collective: Collective,
    user: User,
    invitee: Collective,
    message: str = "",
) -> ConsortiumMember:
    """Invite another collective; only members of the initiator may, while it is forming."""
    _require_member(collective, user)
    if consortium.initiator_id != collective.pk:
        raise ConsortiumError(_("Only the collective that started the consortium invites."))
    if invitee.pk == collective.pk:
        raise ConsortiumError(_("Your collective is in the consortium already."))
    if invitee.archived_at is not None:
        raise ConsortiumError(_("This collective is archived."))
    try:
        with transaction.atomic():
            locked = _locked(consortium)
            if locked.state not in (ConsortiumState.FORMING, ConsortiumState.BIDDING):
                raise ConsortiumError(_("This consortium takes no new members any more."))
            member = ConsortiumMember.objects.filter(consortium=locked, collective=invitee).first()
            if member is not None and member.state in SEEING_STATES:
                raise ConsortiumError(_("This collective is invited already."))
            if _in_another_consortium(invitee, locked.tender):
                raise ConsortiumError(
                    _("This collective is already in another consortium for this tender.")
                )
            if member is None:
                member = ConsortiumMember(
                    consortium=locked, collective=invitee, tender=locked.tender
                )
            member.state = MemberState.INVITED
            member.share = None
            member.message = message.strip()[:2000]
            member.invited_by = user
            member.invited_at = timezone.now()
            member.answered_by = None
            member.answered_at = None
            member.save()
            member.taken_lots.all().delete()
            url = reverse("tenders:consortium_detail", args=[invitee.slug, locked.pk])
            notify_users(
                invitee.member_users(),
                template="tenders/email/consortium_invitation",
                context={
                    "inviter": collective,
                    "tender_title": locked.tender.title_in(locked.tender.language or "de")
                    or locked.tender.procedure_id,
                    "message": member.message,
                    "url": url,
                },
                kind=NotificationKind.WORKBENCH,
            )
    except IntegrityError:
        raise ConsortiumError(
            _("This collective is already in another consortium for this tender.")
        ) from None
    return member


def _set_part(consortium: Consortium, member: ConsortiumMember, part: Part) -> None:
    """Check and store the member's lots and share; the consortium must be locked."""
    share = part.share
    if share is not None and (share < 0 or share > HUNDRED):
        raise ConsortiumError(_("A share lies between 0 and 100 percent."))
    wanted = list(dict.fromkeys(part.lot_ids))
    lots = {lot.lot_id: lot for lot in Lot.objects.filter(tender_id=consortium.tender_id)}
    unknown = [lot_id for lot_id in wanted if lot_id not in lots]
    if unknown:
        raise ConsortiumError(_("The tender has no lot “%(lot)s”.") % {"lot": unknown[0][:60]})
    taken = dict(
        ConsortiumLot.objects.filter(consortium=consortium)
        .exclude(member=member)
        .values_list("lot__lot_id", "member__collective__name")
    )
    clash = [lot_id for lot_id in wanted if lot_id in taken]
    if clash:
        raise ConsortiumError(
            _("Lot “%(lot)s” is taken by %(collective)s already.")
            % {"lot": clash[0], "collective": taken[clash[0]]}
        )
    others = ConsortiumMember.objects.filter(
        consortium=consortium, state=MemberState.ACCEPTED
    ).exclude(pk=member.pk).aggregate(total=Sum("share"))["total"] or Decimal(0)
    if share is not None and others + share > HUNDRED:
        raise ConsortiumError(
            _("The shares would add up to %(total)s %%; %(free)s %% are left.")
            % {"total": others + share, "free": max(HUNDRED - others, Decimal(0))}
        )
    member.share = share
    member.save(update_fields=["share"])
    ConsortiumLot.objects.filter(member=member).exclude(lot__lot_id__in=wanted).delete()
    have = set(member.taken_lots.values_list("lot__lot_id", flat=True))
    ConsortiumLot.objects.bulk_create(
        [
            ConsortiumLot(consortium=consortium, member=member, lot=lots[lot_id])
            for lot_id in wanted
            if lot_id not in have
        ]
    )


def _with_lock(member: ConsortiumMember) -> tuple[Consortium, ConsortiumMember]:
    consortium = _locked(member.consortium)
    fresh = ConsortiumMember.objects.select_for_update().get(pk=member.pk)
    fresh.consortium = consortium
    return consortium, fresh


def do_answer_invitation(
    *,
    member: ConsortiumMember,
    user: User,
    accept: bool,
    part: Part | None = None,
    language: str = "de",
) -> ConsortiumMember:
    """Accept (with lots and a share) or decline an invitation; accepting makes the tender a
    lead of the collective and opens its decision."""
    _require_member(member.collective, user)
    try:
        with transaction.atomic():
            consortium, member = _with_lock(member)
            if member.state != MemberState.INVITED:
                raise ConsortiumError(_("There is no open invitation to answer."))
            if not consortium.is_active:
                raise ConsortiumError(_("This consortium is closed."))
            member.answered_by = user
            member.answered_at = timezone.now()
            if not accept:
                member.state = MemberState.DECLINED
                member.save(update_fields=["state", "answered_by", "answered_at"])
                return member
            member.state = MemberState.ACCEPTED
            member.contact = user
            member.save(update_fields=["state", "answered_by", "answered_at", "contact"])
            _set_part(consortium, member, part or Part())
            _take_part(member, user, language)
    except IntegrityError:
        raise ConsortiumError(
            _("Someone else took one of these lots just now; please look again.")
        ) from None
    return member


def do_set_part(*, member: ConsortiumMember, user: User, part: Part) -> ConsortiumMember:
    """Change the lots and the share a member takes."""
    _require_member(member.collective, user)
    try:
        with transaction.atomic():
            consortium, member = _with_lock(member)
            if member.state != MemberState.ACCEPTED:
                raise ConsortiumError(_("Only a collective taking part names lots and a share."))
            if consortium.state not in (ConsortiumState.FORMING, ConsortiumState.BIDDING):
                raise ConsortiumError(_("The lots and shares are fixed once the bid is in."))
            _set_part(consortium, member, part)
    except IntegrityError:
        raise ConsortiumError(
            _("Someone else took one of these lots just now; please look again.")
        ) from None
    return member


def do_set_contact(*, member: ConsortiumMember, user: User, contact: User) -> ConsortiumMember:
    """Name the collective's contact person for the other members (one of its members)."""
    _require_member(member.collective, user)
    if not member.collective.has_member(contact):
        raise ConsortiumError(_("The contact person must be a member of your collective."))
    member.contact = contact
    member.save(update_fields=["contact"])
    return member


def do_leave_consortium(*, member: ConsortiumMember, user: User) -> ConsortiumMember:
    """Leave the consortium: the lots are free again and the share counts no more.

    The initiator does not leave; it dissolves the consortium instead.
    """
    _require_member(member.collective, user)
    with transaction.atomic():
        consortium, member = _with_lock(member)
        if member.collective_id == consortium.initiator_id:
            raise ConsortiumError(
                _("The collective that started the consortium dissolves it instead.")
            )
        if member.state != MemberState.ACCEPTED:
            raise ConsortiumError(_("Your collective is not taking part."))
        member.state = MemberState.LEFT
        member.share = None
        member.save(update_fields=["state", "share"])
        member.taken_lots.all().delete()
    return member


NEXT_STATES: dict[str, tuple[str, ...]] = {
    ConsortiumState.FORMING: (ConsortiumState.BIDDING, ConsortiumState.DISSOLVED),
    ConsortiumState.BIDDING: (
        ConsortiumState.FORMING,
        ConsortiumState.SUBMITTED,
        ConsortiumState.DISSOLVED,
    ),
    ConsortiumState.SUBMITTED: (ConsortiumState.WON, ConsortiumState.LOST),
    ConsortiumState.WON: (),
    ConsortiumState.LOST: (),
    ConsortiumState.DISSOLVED: (),
}


def do_set_consortium_state(
    *, consortium: Consortium, collective: Collective, user: User, state: str
) -> Consortium:
    """Move the consortium on (forming → bidding → submitted → won/lost, or dissolved).

    Only members of the initiator do; a dissolved consortium frees its open invitations.
    """
    _require_member(collective, user)
    if consortium.initiator_id != collective.pk:
        raise ConsortiumError(_("Only the collective that started the consortium does this."))
    with transaction.atomic():
        locked = _locked(consortium)
        if state not in NEXT_STATES.get(locked.state, ()):
            raise ConsortiumError(_("The consortium cannot go there from here."))
        locked.state = state
        locked.save(update_fields=["state", "updated_at"])
        if state not in ACTIVE_CONSORTIUM_STATES:
            # Members stay visible on the page, but are free for another consortium.
            ConsortiumMember.objects.filter(consortium=locked, state=MemberState.INVITED).update(
                state=MemberState.DECLINED
            )
    consortium.state = state
    return consortium
