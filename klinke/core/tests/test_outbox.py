"""The email outbox: notifications are stored, sent by the worker, and survive SMTP outages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from post_office.models import STATUS, Email

from klinke.conftest import deliver_mail, free_port, text_body
from klinke.core.mail import send_notification
from klinke.core.outbox import BACKOFF_CAP, backoff_delay, deliver_outbox

pytestmark = pytest.mark.django_db

LANG = "{% load i18n %}{% get_current_language as lang %}"
TEMPLATES = {
    "notice_subject.txt": LANG + "Notice {{ number }}\nfor {{ name }} ({{ lang }})\n",
    "notice.txt": LANG
    + "Hello {{ name }}, plain text in {{ lang }}. {{ SITE_URL }}/n/{{ number }}\n",
    "notice.html": LANG + "<p>Hello <b>{{ name }}</b>, HTML in {{ lang }}. "
    '<a href="{{ SITE_URL }}/n/{{ number }}">open</a></p>\n',
}


@pytest.fixture
def notice_template(settings: Any, tmp_path: Any) -> str:
    """A notification template in a temporary directory, so this module owns its wording."""
    folder = tmp_path / "templates" / "outboxtest"
    folder.mkdir(parents=True)
    for name, content in TEMPLATES.items():
        (folder / name).write_text(content)
    engine = {**settings.TEMPLATES[0]}
    engine["DIRS"] = [tmp_path / "templates", *engine["DIRS"]]
    settings.TEMPLATES = [engine]
    return "outboxtest/notice"


def notify(template: str, number: int, *, language: str = "en") -> None:
    send_notification(
        to=f"person{number}@example.org",
        template=template,
        context={"name": f"Person {number}", "number": number},
        language=language,
    )


def make_due_now() -> None:
    """Move every waiting message's retry time into the past, as if the backoff had elapsed."""
    Email.objects.filter(status=STATUS.requeued).update(
        scheduled_time=timezone.now() - timedelta(seconds=1)
    )


class OutageServer:
    """An SMTP server on loopback that can go down in the middle of a batch and come back."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.accept_until: int | None = None
        self.controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.accept_until is not None and len(self.messages) >= self.accept_until:
            # The server dies while the client is waiting for the reply to DATA.
            server.transport.close()
            return "421 4.3.2 shutting down"
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def outage_server(settings: Any) -> Iterator[OutageServer]:
    server = OutageServer()
    server.start()
    # The test runner swaps in the locmem backend; restore the outbox in front of SMTP.
    settings.EMAIL_BACKEND = "klinke.core.outbox.OutboxBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        server.stop()


def assert_waiting_with_backoff(retries: int, *, after: Any, before: Any) -> None:
    waiting = list(Email.objects.filter(status=STATUS.requeued))
    assert waiting
    delay = backoff_delay(retries)
    for email in waiting:
        assert email.number_of_retries == retries
        # Our backoff, not post_office's fixed two-minute RETRY_INTERVAL.
        assert after + delay <= email.scheduled_time <= before + delay


# --- storing and sending -----------------------------------------------------------------------


def test_it_stores_the_email_before_anything_is_sent(smtp_server, notice_template):
    notify(notice_template, 1)

    email = Email.objects.get()
    assert email.status == STATUS.queued
    assert email.to == ["person1@example.org"]
    assert email.subject == "[klinke] Notice 1 for Person 1 (en)"
    assert "plain text in en" in email.message
    assert "<b>Person 1</b>" in email.html_message
    assert email.message_id
    assert smtp_server.messages == []


def test_it_sends_text_and_html_alternatives_through_smtp(smtp_server, notice_template, settings):
    notify(notice_template, 1, language="de")

    assert deliver_mail() == 1

    [message] = smtp_server.to("person1@example.org")
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "[klinke] Notice 1 for Person 1 (de)"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Message-ID"] == Email.objects.get().message_id
    assert text_body(message).strip() == (
        f"Hello Person 1, plain text in de. {settings.SITE_URL}/n/1"
    )
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert html.get_content_type() == "text/html"
    assert f'<a href="{settings.SITE_URL}/n/1">' in html.get_content()
    assert Email.objects.get().status == STATUS.sent


def test_it_sends_each_message_once(smtp_server, notice_template):
    notify(notice_template, 1)
    notify(notice_template, 2)

    assert deliver_mail() == 2
    assert deliver_mail() == 0

    assert sorted(str(m["To"]) for m in smtp_server.messages) == [
        "person1@example.org",
        "person2@example.org",
    ]


# --- outages -----------------------------------------------------------------------------------


def test_it_requeues_with_backoff_while_smtp_is_unreachable(smtp_server, notice_template, settings):
    for number in range(3):
        notify(notice_template, number)
    up_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there

    started = timezone.now()
    assert deliver_outbox() == (0, 0, 3)
    assert_waiting_with_backoff(1, after=started, before=timezone.now())
    # Nothing is due before the backoff has elapsed.
    assert deliver_outbox() == (0, 0, 0)

    make_due_now()
    started = timezone.now()
    assert deliver_outbox() == (0, 0, 3)
    assert_waiting_with_backoff(2, after=started, before=timezone.now())
    assert smtp_server.messages == []

    settings.EMAIL_PORT = up_port
    make_due_now()
    assert deliver_mail() == 3

    assert Counter(str(m["To"]) for m in smtp_server.messages) == {
        "person0@example.org": 1,
        "person1@example.org": 1,
        "person2@example.org": 1,
    }
    assert set(Email.objects.values_list("status", flat=True)) == {STATUS.sent}


def test_it_delivers_every_message_exactly_once_after_an_outage_mid_batch(
    outage_server, notice_template
):
    for number in range(5):
        notify(notice_template, number)
    outage_server.accept_until = 2

    started = timezone.now()
    sent, failed, requeued = deliver_outbox()
    outage_server.stop()

    assert (sent, failed, requeued) == (2, 0, 3)
    assert len(outage_server.messages) == 2
    assert Email.objects.filter(status=STATUS.sent).count() == 2
    assert_waiting_with_backoff(1, after=started, before=timezone.now())

    # Still down when the retry comes due: the messages wait longer and are not lost.
    make_due_now()
    started = timezone.now()
    assert deliver_outbox() == (0, 0, 3)
    assert_waiting_with_backoff(2, after=started, before=timezone.now())

    outage_server.accept_until = None
    outage_server.start()
    make_due_now()
    assert deliver_outbox() == (3, 0, 0)
    assert deliver_outbox() == (0, 0, 0)

    received = Counter(str(m["Message-ID"]) for m in outage_server.messages)
    assert set(received.values()) == {1}
    assert set(received) == set(Email.objects.values_list("message_id", flat=True))
    assert Counter(str(m["Subject"]) for m in outage_server.messages) == {
        f"[klinke] Notice {n} for Person {n} (en)": 1 for n in range(5)
    }
    assert set(Email.objects.values_list("status", flat=True)) == {STATUS.sent}


def test_it_keeps_a_message_that_ran_out_of_retries(smtp_server, notice_template, settings):
    settings.POST_OFFICE = {**settings.POST_OFFICE, "MAX_RETRIES": 1}
    settings.EMAIL_PORT = free_port()
    notify(notice_template, 1)

    assert deliver_outbox() == (0, 0, 1)
    make_due_now()
    assert deliver_outbox() == (0, 1, 0)

    email = Email.objects.get()
    assert email.status == STATUS.failed
    assert email.logs.filter(status=STATUS.failed).count() == 2


# --- backoff -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("retries", "delay"),
    [
        (0, timedelta(seconds=30)),
        (1, timedelta(seconds=30)),
        (2, timedelta(minutes=1)),
        (3, timedelta(minutes=2)),
        (4, timedelta(minutes=4)),
        (6, timedelta(minutes=16)),
        (8, timedelta(minutes=64)),
        (9, timedelta(hours=2)),
        (10, timedelta(hours=2)),
    ],
)
def test_it_doubles_the_backoff_delay(retries, delay):
    assert backoff_delay(retries) == delay


def test_it_caps_the_backoff_delay_for_any_retry_count():
    delays = [backoff_delay(retries) for retries in range(200)]
    assert delays == sorted(delays)
    assert max(delays) == BACKOFF_CAP == timedelta(hours=2)
    assert backoff_delay(10_000) == BACKOFF_CAP
