"""The email outbox: every message is stored as finished text, then sent by the worker.

`OutboxBackend` is Django's EMAIL_BACKEND. It stores each message in post_office's `Email`
table exactly as klinke rendered it. (post_office's own backend runs every subject and body
through Django's template engine a second time, which would execute template syntax in text
people wrote.) Nothing renders a stored message again.

`deliver_outbox()` is the worker's job. Each worker claims a message before sending it with
one conditional UPDATE that only one worker can win, on SQLite and PostgreSQL alike: the claim
moves the message's `scheduled_time` a lease into the future, so other workers no longer see it
as due, and a worker that dies mid-send leaves the message to be retried when the lease ends.
Failures are retried with exponential backoff (30 s doubling to 2 h) up to
`POST_OFFICE["MAX_RETRIES"]` times.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import make_msgid
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Q
from django.utils import timezone
from post_office.models import STATUS, Email, Log

logger = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=2)
BATCH_SIZE = 100
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
FILE_BACKEND = "klinke.core.outbox.EmlFileBackend"


def backoff_delay(retries: int) -> timedelta:
    """Wait 30 s, 1 min, 2 min, … up to two hours between attempts at one message."""
    # The exponent is bounded so a large retry count gives the cap instead of OverflowError.
    exponent = min(max(retries - 1, 0), 16)
    return min(BACKOFF_BASE * (1 << exponent), BACKOFF_CAP)


def claim_lease() -> timedelta:
    """How long a claimed message stays invisible to other workers while one sends it.

    Longer than one SMTP attempt can take (connect plus send, each bounded by EMAIL_TIMEOUT), so
    a slow send is never taken over; short enough that a crashed worker's message goes out soon.
    """
    return max(timedelta(minutes=5), timedelta(seconds=4 * settings.EMAIL_TIMEOUT))


def max_retries() -> int:
    return int(settings.POST_OFFICE.get("MAX_RETRIES", 0))


class OutboxBackend(BaseEmailBackend):
    """Store messages in the outbox as they are, for the worker to send."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        stored = 0
        for message in email_messages:
            html = ""
            if isinstance(message, EmailMultiAlternatives):
                for content, mimetype in message.alternatives:
                    if mimetype == "text/html":
                        html = str(content)
            if message.attachments:
                raise ValueError("the outbox does not store attachments")
            headers = dict(message.extra_headers)
            if message.reply_to:
                headers.setdefault("Reply-To", ", ".join(message.reply_to))
            message_id = headers.pop("Message-ID", None) or make_msgid(domain=_message_id_domain())
            # Built with the model's constructor and saved directly: no template engine is
            # involved, so user text stays text.
            Email.objects.create(
                from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
                to=list(message.to),
                cc=list(message.cc),
                bcc=list(message.bcc),
                subject=message.subject,
                message=message.body,
                html_message=html,
                headers=headers or None,
                message_id=message_id,
                status=STATUS.queued,
            )
            stored += 1
        return stored


def _message_id_domain() -> str:
    fqdn = settings.POST_OFFICE.get("MESSAGE_ID_FQDN")
    if fqdn:
        return str(fqdn)
    address = str(settings.DEFAULT_FROM_EMAIL).rsplit("@", 1)[-1].strip(" >")
    return address or "localhost"


class EmlFileBackend(BaseEmailBackend):
    """Write each message as a readable `.eml` file into `EMAIL_FILE_PATH` (development mail)."""

    def __init__(self, fail_silently: bool = False, **kwargs: object) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.folder = Path(settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        written = 0
        for message in email_messages:
            msg = message.message()
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            ident = re.sub(r"[^A-Za-z0-9.-]+", "", str(msg["Message-ID"] or ""))[:60]
            path = self.folder / f"{stamp}-{ident or written}.eml"
            path.write_bytes(msg.as_bytes(linesep="\n"))
            written += 1
        return written


def delivery_backend() -> str:
    """The backend the worker sends with: SMTP, or `.eml` files when EMAIL_FILE_PATH is set."""
    return FILE_BACKEND if getattr(settings, "EMAIL_FILE_PATH", "") else SMTP_BACKEND


def _due(now: datetime) -> Q:
    return (
        Q(status__in=[STATUS.queued, STATUS.requeued])
        & (Q(scheduled_time__lte=now) | Q(scheduled_time__isnull=True))
        & (Q(expires_at__gt=now) | Q(expires_at__isnull=True))
    )


def claim(email_pk: int, seen_scheduled_time: datetime | None) -> bool:
    """Claim one message for this worker; False when another worker was faster.

    The UPDATE only matches while the message still has the status and scheduled time this worker
    read, and it changes the scheduled time. Of two workers racing for it, the database lets one
    UPDATE match: SQLite serialises writers, and PostgreSQL re-checks the WHERE clause against
    the row the first worker committed.
    """
    now = timezone.now()
    same_time = (
        Q(scheduled_time__isnull=True)
        if seen_scheduled_time is None
        else Q(scheduled_time=seen_scheduled_time)
    )
    claimed: int = Email.objects.filter(_due(now) & same_time, pk=email_pk).update(
        scheduled_time=now + claim_lease(), last_updated=now
    )
    return claimed == 1


def _record_failure(email: Email, error: Exception) -> bool:
    """Requeue with backoff, or give up after the last retry; returns whether requeued."""
    retries = (email.number_of_retries or 0) + 1
    now = timezone.now()
    requeue = retries <= max_retries()
    Email.objects.filter(pk=email.pk).update(
        status=STATUS.requeued if requeue else STATUS.failed,
        number_of_retries=retries if requeue else retries - 1,
        scheduled_time=now + backoff_delay(retries) if requeue else email.scheduled_time,
        last_updated=now,
    )
    Log.objects.create(
        email=email, status=STATUS.failed, message=str(error), exception_type=type(error).__name__
    )
    return requeue


def deliver_outbox() -> tuple[int, int, int]:
    """Send what is due; return (sent, failed for good, requeued).

    Safe to run in several workers at once: each message is claimed before it is sent, so it is
    sent by one of them.
    """
    now = timezone.now()
    candidates = list(
        Email.objects.filter(_due(now))
        .order_by("-priority", "scheduled_time", "pk")
        .values_list("pk", "scheduled_time")[:BATCH_SIZE]
    )
    sent = failed = requeued = 0
    connection: BaseEmailBackend | None = None
    try:
        for pk, scheduled_time in candidates:
            if not claim(pk, scheduled_time):
                continue
            email = Email.objects.get(pk=pk)
            try:
                if connection is None:
                    connection = get_connection(delivery_backend(), fail_silently=False)
                    connection.open()
                connection.send_messages([email.prepare_email_message()])
            except Exception as error:  # any failure is logged and retried
                logger.warning("Could not send email #%s: %s", pk, error)
                if _record_failure(email, error):
                    requeued += 1
                else:
                    failed += 1
                # The connection may be broken; the next message opens a fresh one.
                if connection is not None:
                    _close_quietly(connection)
                    connection = None
                continue
            Email.objects.filter(pk=pk).update(status=STATUS.sent, last_updated=timezone.now())
            sent += 1
    finally:
        if connection is not None:
            _close_quietly(connection)
    return sent, failed, requeued


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception:  # a dead connection may fail to close
        logger.debug("closing the mail connection failed", exc_info=True)


def outbox_settings_summary() -> str:
    if delivery_backend() == FILE_BACKEND:
        return f"mail is written to {Path(settings.EMAIL_FILE_PATH).resolve()}/*.eml"
    return f"SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
