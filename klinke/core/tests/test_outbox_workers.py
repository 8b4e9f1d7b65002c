"""Several outbox workers at once send every message exactly once, on SQLite and PostgreSQL.

On PostgreSQL each worker is a thread with its own database connection, as a second
`run_worker` process would have; a barrier starts them together so they read the same due
messages. SQLite's in-memory test database locks whole tables between threads, so there the
workers are real processes sharing an SQLite file, as in production.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.utils import timezone
from post_office.models import STATUS, Email

from klinke.core.mail import send_notification
from klinke.core.outbox import claim, deliver_outbox
from klinke.testing import postgresql_only

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 40
WORKERS = 3


def queue_messages(count: int) -> None:
    for number in range(count):
        send_notification(
            to=f"person{number}@example.org",
            template="exchange/email/item_expired",
            context={"item": {"title": f"Item {number}"}, "renew_url": "http://x.test/r/"},
        )


def run_workers(count: int) -> list[str]:
    barrier = threading.Barrier(count)
    errors: list[str] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            while deliver_outbox() != (0, 0, 0):
                pass
        except Exception as exc:  # reported by the caller's assertion
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return errors


@postgresql_only  # SQLite is covered by the processes test below
def test_it_sends_each_message_once_with_several_worker_threads(smtp_server: Any) -> None:
    queue_messages(MESSAGES)
    expected = set(Email.objects.values_list("message_id", flat=True))
    assert len(expected) == MESSAGES

    assert run_workers(WORKERS) == []

    received = Counter(str(m["Message-ID"]) for m in smtp_server.messages)
    assert set(received) == expected
    assert set(received.values()) == {1}
    assert set(Email.objects.values_list("status", flat=True)) == {STATUS.sent}


QUEUE = f"""
import django
django.setup()
from django.core.mail import send_mail
from django.db import connection
from post_office.models import Attachment, Email, EmailTemplate, Log
# Only the outbox's tables: this database exists for this test alone.
with connection.schema_editor() as editor:
    for model in (EmailTemplate, Email, Log, Attachment):
        editor.create_model(model)
for number in range({MESSAGES}):
    send_mail(f"Message {{number}}", "Hello", None, [f"person{{number}}@example.org"])
"""
WORKER = """
import time, django
django.setup()
from klinke.core.outbox import deliver_outbox
time.sleep(max(0.0, float(__import__("sys").argv[1]) - time.time()))
while deliver_outbox() != (0, 0, 0):
    pass
"""


def test_it_sends_each_message_once_with_several_worker_processes_on_sqlite(
    smtp_server: Any, tmp_path: Any
) -> None:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "klinke.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'outbox.sqlite3'}",
        "EMAIL_HOST": smtp_server.host,
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_FILE_PATH": "",
        "DEBUG": "true",
    }
    python = [sys.executable, "-c"]
    cwd = str(django_settings.BASE_DIR)
    subprocess.run([*python, QUEUE], env=environment, cwd=cwd, check=True, timeout=120)

    start_at = __import__("time").time() + 3
    workers = [
        subprocess.Popen(
            [*python, WORKER, str(start_at)],
            env=environment,
            cwd=cwd,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    for worker in workers:
        _out, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors

    received = Counter(str(m["Message-ID"]) for m in smtp_server.messages)
    assert len(received) == MESSAGES
    assert set(received.values()) == {1}


def test_it_lets_only_one_worker_claim_a_message(settings: Any) -> None:
    settings.EMAIL_BACKEND = "klinke.core.outbox.OutboxBackend"
    queue_messages(1)
    email = Email.objects.get()

    assert claim(email.pk, email.scheduled_time) is True
    # A second worker that read the row before the first claimed it loses.
    assert claim(email.pk, email.scheduled_time) is False
    # The claimed message is not due for anyone else until the lease ends.
    assert deliver_outbox() == (0, 0, 0)


def test_it_retries_a_claimed_message_whose_worker_died(smtp_server: Any) -> None:
    queue_messages(1)
    email = Email.objects.get()
    assert claim(email.pk, email.scheduled_time)

    # The worker that claimed it never came back; once the lease is over, another sends it.
    Email.objects.filter(pk=email.pk).update(scheduled_time=timezone.now() - timedelta(seconds=1))
    assert deliver_outbox() == (1, 0, 0)
    assert len(smtp_server.messages) == 1
