"""Notifications by email, rendered in the recipient's language.

Every message goes through Django's mail API into the post_office outbox: it is stored before it
is sent, sent by the outbox worker, and retried when the SMTP server is unreachable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_notification(
    *, to: str, template: str, context: Mapping[str, Any], language: str = "de"
) -> None:
    """Render `<template>_subject.txt`, `.txt` and `.html` in `language` and queue the mail."""
    with translation.override(language):
        full_context = {"SITE_URL": settings.SITE_URL, **context}
        subject = render_to_string(f"{template}_subject.txt", full_context).strip()
        text = render_to_string(f"{template}.txt", full_context)
        html = render_to_string(f"{template}.html", full_context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(html, "text/html")
    message.send()
