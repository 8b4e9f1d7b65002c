"""Notifications by email, rendered in the recipient's language.

klinke renders every message once, from its own templates: `<name>_subject.txt` and `<name>.txt`
as plain text (autoescaping off, so `<` stays `<`), `<name>.html` as HTML (autoescaped). What
people wrote is only ever a value in the context, never template code. The finished text goes
through Django's mail API into the outbox (klinke.core.outbox), which stores it unchanged
before the worker sends it, and retries when the SMTP server is unreachable. A notification of a
kind the recipient has turned off is not sent; every one carries a link that turns its kind off.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Protocol

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.backends.django import DjangoTemplates
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from klinke.core.models import NotificationKind, NotificationMute

UNSUBSCRIBE_SALT = "klinke.notifications.off"


def unsubscribe_token(user_pk: int, kind: str) -> str:
    return signing.dumps({"u": user_pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The (user pk, kind) a token names; raises signing.BadSignature when forged."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if data.get("k") not in NotificationKind.values:
        raise signing.BadSignature("unknown notification kind")
    return int(data["u"]), str(data["k"])


@functools.cache
def _plain_text_engine(dirs: tuple[str, ...]) -> DjangoTemplates:
    return DjangoTemplates(
        {
            "NAME": "klinke-plain-text",
            "DIRS": list(dirs),
            "APP_DIRS": True,
            "OPTIONS": {"autoescape": False},
        }
    )


def render_plain_text(template_name: str, context: Mapping[str, object]) -> str:
    """Render a subject or text-body template without HTML escaping: email text is not HTML."""
    folders = settings.TEMPLATES[0]["DIRS"]
    assert isinstance(folders, list | tuple)
    dirs = tuple(str(folder) for folder in folders)
    return _plain_text_engine(dirs).get_template(template_name).render(dict(context))


class Recipient(Protocol):
    """A person klinke mails: an account (core cannot name the accounts app's User)."""

    @property
    def pk(self) -> int: ...

    @property
    def email(self) -> str: ...

    @property
    def language(self) -> str: ...

    @property
    def is_active(self) -> bool: ...


def has_muted(user: Recipient, kind: NotificationKind) -> bool:
    """Whether this person turned off notifications of this kind."""
    return NotificationMute.objects.filter(user_id=user.pk, kind=kind).exists()


def muted_user_ids(kind: NotificationKind) -> set[int]:
    """Everyone who turned off this kind, for jobs that decide about many people at once."""
    return set(NotificationMute.objects.filter(kind=kind).values_list("user_id", flat=True))


def send_notification(
    *,
    to: str,
    template: str,
    context: Mapping[str, object],
    language: str = "de",
    user: Recipient | None = None,
    kind: NotificationKind | None = None,
) -> bool:
    """Render `<template>_subject.txt`, `.txt` and `.html` in `language` and queue the mail.

    With `user` and `kind`, the mail is skipped when that person turned the kind off, and it
    carries a link (and a List-Unsubscribe header) that turns it off. Returns whether queued.
    """
    headers: dict[str, str] = {}
    full_context: dict[str, object] = {
        "SITE_URL": settings.SITE_URL,
        "LANGUAGE_CODE": language,
        **context,
    }
    if user is not None and kind is not None:
        if has_muted(user, kind):
            return False
        url = settings.SITE_URL + reverse(
            "notifications_off", args=[unsubscribe_token(user.pk, kind)]
        )
        full_context["unsubscribe_url"] = url
        full_context["notification_kind"] = kind.label
        headers["List-Unsubscribe"] = f"<{url}>"
    with translation.override(language):
        subject = render_plain_text(f"{template}_subject.txt", full_context).strip()
        text = render_plain_text(f"{template}.txt", full_context)
        html = render_to_string(f"{template}.html", full_context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return True


def notify_user(
    user: Recipient, *, template: str, context: Mapping[str, object], kind: NotificationKind
) -> bool:
    """`send_notification` to one person, in their language, honouring their mutes."""
    return send_notification(
        to=user.email,
        template=template,
        context={"recipient": user, **context},
        language=user.language,
        user=user,
        kind=kind,
    )


def notify_users(
    users: Iterable[Recipient],
    *,
    template: str,
    context: Mapping[str, object],
    kind: NotificationKind,
) -> int:
    """`notify_user` each person once, each in their own language; returns how many were queued.

    Inactive accounts and people without an address are skipped.
    """
    sent = 0
    seen: set[int] = set()
    for user in users:
        if user.pk in seen or not user.is_active or not user.email:
            continue
        seen.add(user.pk)
        sent += notify_user(user, template=template, context=context, kind=kind)
    return sent
