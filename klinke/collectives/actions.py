"""Writes that change a collective together with its memberships, invitations or email."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klinke.accounts.models import User
from klinke.collectives.models import Collective, Invitation, Membership, Reference
from klinke.core.mail import send_notification
from klinke.core.personal_data import erase_collective_data
from klinke.topics.models import Topic


class MembershipError(Exception):
    """A membership change that the collective's rules do not allow."""


class InvitationError(Exception):
    """An invitation that cannot be used."""


@dataclass(frozen=True)
class ReferenceChanges:
    """The collective's references to save (new or changed) and to delete."""

    save: Sequence[Reference] = ()
    delete: Sequence[Reference] = ()


def _save_profile(
    collective: Collective,
    *,
    languages: Sequence[str],
    topics: Iterable[Topic],
    references: ReferenceChanges,
) -> None:
    collective.language_codes = list(languages)
    previous_city = (
        Collective.objects.filter(pk=collective.pk).values_list("city", flat=True).first()
        if collective.pk
        else None
    )
    collective.fill_place_from_city(previous_city=previous_city or "")
    collective.save()
    collective.topics.set(list(topics))
    for reference in references.delete:
        reference.delete()
    for reference in references.save:
        reference.collective = collective
        reference.save()
    collective.refresh_search_document()


@transaction.atomic
def do_create_collective(
    *,
    creator: User,
    collective: Collective,
    languages: Sequence[str] = (),
    topics: Iterable[Topic] = (),
    references: ReferenceChanges = ReferenceChanges(),
) -> Collective:
    """Save the new `collective`, its field values already set, with `creator` as member."""
    _save_profile(collective, languages=languages, topics=topics, references=references)
    Membership.objects.create(collective=collective, user=creator)
    return collective


@transaction.atomic
def do_update_collective(
    *,
    collective: Collective,
    languages: Sequence[str] = (),
    topics: Iterable[Topic] = (),
    references: ReferenceChanges = ReferenceChanges(),
) -> Collective:
    _save_profile(collective, languages=languages, topics=topics, references=references)
    return collective


@transaction.atomic
def do_save_profile_essentials(
    *,
    collective: Collective,
    user: User,
    description: str,
    language: str,
    city: str,
    topics: Iterable[Topic],
) -> Collective:
    """The first step after creating a collective: what it does, where, and on which topics.

    `description` goes into the description of `language` ("de" or "en"); everything else of
    the profile stays as it is.
    """
    if not collective.has_member(user):
        raise MembershipError(_("You are not a member of this collective."))
    if language not in ("de", "en"):
        raise ValueError(f"no description field for language {language!r}")
    setattr(collective, f"description_{language}", description.strip())
    previous_city, collective.city = collective.city, city.strip()
    derived = collective.fill_place_from_city(previous_city=previous_city)
    collective.save(update_fields=[f"description_{language}", "city", *derived])
    collective.topics.set(list(topics))
    collective.refresh_search_document()
    return collective


def do_invite_member(
    *, collective: Collective, inviter: User, email: str
) -> tuple[Invitation, str]:
    """Invite `email` by a one-time link; returns the invitation and the secret in its link."""
    email = email.strip().lower()
    if collective.memberships.filter(user__email__iexact=email).exists():
        raise InvitationError(_("%(email)s is already a member.") % {"email": email})
    with transaction.atomic():
        # A fresh invitation replaces older pending ones for the same address.
        collective.invitations.pending().filter(email__iexact=email).update(
            revoked_at=timezone.now()
        )
        invitation, secret = Invitation.issue(
            collective=collective, email=email, invited_by=inviter
        )
        recipient = User.objects.filter(email__iexact=email).first()
        send_notification(
            to=email,
            template="collectives/email/invitation",
            context={
                "invitation": invitation,
                "accept_path": Invitation.accept_path(secret),
                "collective": collective,
                "inviter": inviter,
            },
            language=recipient.language if recipient else inviter.language,
        )
    return invitation, secret


@transaction.atomic
def do_accept_invitation(*, token: str, user: User) -> Membership:
    # Locking the row makes the link single-use even when it is clicked twice at once.
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("collective")
        .with_secret(token)
        .first()
    )
    if invitation is None or not invitation.is_usable:
        raise InvitationError(_("This invitation link has expired or was already used."))
    if invitation.collective.is_archived:
        raise InvitationError(_("This collective is archived."))
    membership, _created = Membership.objects.get_or_create(
        collective=invitation.collective, user=user
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def do_leave_collective(*, collective: Collective, user: User) -> None:
    # Lock the collective's memberships so two last members cannot both leave at once.
    members = list(Membership.objects.select_for_update().filter(collective=collective))
    mine = [m for m in members if m.user_id == user.pk]
    if not mine:
        raise MembershipError(_("You are not a member of this collective."))
    if len(members) == 1 and not collective.is_archived:
        raise MembershipError(
            _("You are the last member. Invite someone to hand the collective over, or archive it.")
        )
    mine[0].delete()


@transaction.atomic
def do_archive_collective(*, collective: Collective, user: User) -> None:
    if not collective.has_member(user):
        raise MembershipError(_("You are not a member of this collective."))
    collective.archived_at = timezone.now()
    collective.save(update_fields=["archived_at"])
    collective.invitations.pending().update(revoked_at=timezone.now())


def do_delete_collective(*, collective: Collective, user: User, confirmation: str) -> None:
    """Delete the collective and everything private to it, the other sides of its open
    introductions told first (each app's part: `klinke.core.personal_data`).

    `confirmation` is the collective's short name, typed by the member, so that no stray click
    deletes a collective.
    """
    if not collective.has_member(user):
        raise MembershipError(_("You are not a member of this collective."))
    if confirmation.strip().lower() != collective.slug.lower():
        raise MembershipError(
            _("Type the short name “%(slug)s” to confirm.") % {"slug": collective.slug}
        )
    with transaction.atomic():
        erase_collective_data(collective, user)
        collective.delete()
