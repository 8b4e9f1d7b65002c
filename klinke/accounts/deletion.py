"""Deleting one's account (GDPR article 17) with the care the people around them deserve.

After the person proves it is them (password, and a code when they set up a second factor),
every app's registered eraser (`klinke.core.personal_data`) runs, highest app first: open
introductions are withdrawn or declined (the other side is told), event places are given up,
memberships end (a collective left without members is archived), the supporter profile goes.
Then the account row is anonymised rather than deleted, so what the person wrote for a
collective keeps an author, shown as "former member"; sessions, and mail about or for them
still in the outbox, are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from post_office.models import Email

from klinke.accounts.models import User
from klinke.core.personal_data import deletion_consequences, registered_personal_data

MIN_NAME_LENGTH_TO_SEARCH = 4
"""Shorter names match inside too many unrelated words to drop mail by them."""

CODE_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES)


class DeletionRefused(Exception):
    """The person could not prove it is them; nothing was changed."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Proof:
    """What the person typed to prove it is them."""

    password: str
    code: str = ""


def needs_second_factor(user: User) -> bool:
    found: bool = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return found


def check_proof(*, user: User, proof: Proof) -> None:
    """Raise DeletionRefused unless the password (and the second factor, if set) are right."""
    if not proof.password or not user.check_password(proof.password):
        raise DeletionRefused(_("The password is not right."), field="password")
    if not needs_second_factor(user):
        return
    code = proof.code.strip().replace(" ", "")
    if not code:
        raise DeletionRefused(
            _("Enter a code from your authenticator app or a recovery code."), field="code"
        )
    for authenticator in Authenticator.objects.filter(user=user, type__in=CODE_TYPES):
        if authenticator.wrap().validate_code(code):
            return
    raise DeletionRefused(_("The code is not right."), field="code")


def what_deletion_changes(user: User) -> list[str]:
    """What deleting the account does beyond the person's own data, for the confirmation."""
    return deletion_consequences(user)


def former_member_email(user: User) -> str:
    """A unique address that reaches nobody (.invalid is reserved, RFC 2606)."""
    return f"former-member-{user.pk}@deleted.invalid"


def _forget_sessions(user: User) -> int:
    # Database sessions are stored encoded; a person has few, but which are theirs shows only
    # once decoded. Deleting one's account is rare enough to read them all.
    mine = [
        session.pk
        for session in Session.objects.iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


def _drop_mail(*, email: str, name: str, phone: str) -> int:
    """Mail to them, and mail that names them, sent or not, leaves the outbox."""
    about = Q(to__icontains=email) | Q(cc__icontains=email) | Q(bcc__icontains=email)
    for text in (email, phone if len(phone) >= MIN_NAME_LENGTH_TO_SEARCH else "", name):
        if len(text) >= MIN_NAME_LENGTH_TO_SEARCH:
            about |= (
                Q(subject__icontains=text)
                | Q(message__icontains=text)
                | Q(html_message__icontains=text)
            )
    deleted: int = Email.objects.filter(about).delete()[0]
    return deleted


def do_delete_account(*, user: User, proof: Proof) -> None:
    """Check the proof, then erase and anonymise everything of `user` in one transaction."""
    check_proof(user=user, proof=proof)
    email, name, phone = user.email, user.name, user.phone
    now = timezone.now()
    with transaction.atomic():
        # First hide the person, so mail the erasers send to others names a former member.
        User.objects.filter(pk=user.pk).update(name="", phone="", is_active=False, deleted_at=now)
        user.deleted_at = now
        user.is_active = False
        for entry in reversed(registered_personal_data()):
            entry.erase(user)
        user.groups.clear()
        user.user_permissions.clear()
        user.email = former_member_email(user)
        user.name = ""
        user.phone = ""
        user.is_staff = False
        user.is_superuser = False
        user.last_login = None
        user.set_unusable_password()
        user.save()
        _forget_sessions(user)
        _drop_mail(email=email, name=name, phone=phone)
