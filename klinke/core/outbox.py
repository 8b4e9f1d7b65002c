"""The email outbox: post_office stores every message; this sends and retries with backoff."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from post_office.mail import send_queued
from post_office.models import STATUS, Email

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=2)


def backoff_delay(retries: int) -> timedelta:
    """Wait 30 s, 1 min, 2 min, … up to two hours between attempts at one message."""
    # The exponent is bounded so a large retry count gives the cap instead of OverflowError.
    exponent = min(max(retries - 1, 0), 16)
    return min(BACKOFF_BASE * (1 << exponent), BACKOFF_CAP)


def deliver_outbox() -> tuple[int, int, int]:
    """Send what is due; return (sent, failed for good, requeued).

    post_office requeues a failed message after a fixed interval; we stretch that interval
    exponentially so an SMTP outage is not hammered, while each message is still sent once.
    """
    started = timezone.now()
    sent, failed, requeued = send_queued()
    if requeued:
        retried = Email.objects.filter(status=STATUS.requeued, last_updated__gte=started)
        for email in retried.only("pk", "number_of_retries"):
            Email.objects.filter(pk=email.pk).update(
                scheduled_time=timezone.now() + backoff_delay(email.number_of_retries or 1)
            )
    return sent, failed, requeued


def outbox_settings_summary() -> str:
    return f"SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
