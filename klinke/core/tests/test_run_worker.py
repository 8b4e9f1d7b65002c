"""`manage.py run_worker`: its help names every job; development mail lands in .eml files."""

from __future__ import annotations

import subprocess
import sys
from email import message_from_bytes, policy
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from klinke.core.jobs import all_jobs
from klinke.core.mail import send_notification

pytestmark = pytest.mark.django_db


def worker_help() -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "run_worker", "--help"],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    # argparse wraps lines; compare with whitespace collapsed.
    return " ".join(result.stdout.split())


def test_it_names_every_job_in_the_help():
    text = worker_help()
    jobs = all_jobs()
    assert len(jobs) >= 9
    for job in jobs:
        assert " ".join(job.name.split()) in text


# The worker closes stale connections between jobs, as it must in production; only outside a
# test transaction does that leave the test's own connection usable (on PostgreSQL).
@pytest.mark.django_db(transaction=True)
def test_it_writes_each_message_as_an_eml_file_without_a_traceback(
    settings: Any, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    settings.EMAIL_BACKEND = "klinke.core.outbox.OutboxBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    # Nothing listens here: with EMAIL_FILE_PATH set, SMTP must not even be tried.
    settings.EMAIL_PORT = 9
    for number in (1, 2):
        send_notification(
            to=f"person{number}@example.org",
            template="exchange/email/item_expired",
            context={"item": {"title": f"Drill <{number}>"}, "renew_url": "http://x.test/r/"},
        )

    out = StringIO()
    call_command("run_worker", "--once", stdout=out, stderr=out)

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    messages = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(str(m["To"]) for m in messages) == ["person1@example.org", "person2@example.org"]
    for message in messages:
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        assert "Drill <" in str(body.get_content())
        assert "Drill <" in str(message["Subject"])
    assert "outbox: (2, 0, 0)" in out.getvalue()
    captured = capfd.readouterr()
    for output in (out.getvalue(), captured.out, captured.err):
        assert "Traceback" not in output
        assert "Connection refused" not in output
