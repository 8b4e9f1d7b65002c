"""Notifications by email, rendered in the recipient's language.

Every message goes through Django's mail API into the post_office outbox: it is stored before it
is sent, sent by the outbox worker, and retried when the SMTP server is unreachable. A
notification of a kind the recipient has turned off is not sent; every one carries a link that
turns its kind off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
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


def send_notification(
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    language: str = "de",
    user: Any = None,
    kind: NotificationKind | None = None,
) -> bool:
    """Render `<template>_subject.txt`, `.txt` and `.html` in `language` and queue the mail.

    With `user` and `kind`, the mail is skipped when that person turned the kind off, and it
    carries a link (and a List-Unsubscribe header) that turns it off. Returns whether queued.
    """
    headers: dict[str, str] = {}
    full_context: dict[str, Any] = {
        "SITE_URL": settings.SITE_URL,
        "LANGUAGE_CODE": language,
        **context,
    }
    if user is not None and kind is not None:
        if NotificationMute.objects.filter(user=user, kind=kind).exists():
            return False
        url = settings.SITE_URL + reverse(
            "notifications_off", args=[unsubscribe_token(user.pk, kind)]
        )
        full_context["unsubscribe_url"] = url
        full_context["notification_kind"] = kind.label
        headers["List-Unsubscribe"] = f"<{url}>"
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", full_context).strip()
        text = render_to_string(f"{template}.txt", full_context)
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
    user: Any, *, template: str, context: Mapping[str, Any], kind: NotificationKind
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
