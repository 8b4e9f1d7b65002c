"""Every notification carries what people wrote as text: never run as template code, never escaped
in plain-text parts, HTML-escaped in the HTML part.

The table lists every notification template with the context keys its call site passes. Each
value is a stand-in whose every attribute (title, message, name, venue, …) is the payload, so
every user-writable field a template reaches carries template syntax and HTML.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils.html import escape
from post_office.models import STATUS, Email

from klinke.conftest import deliver_mail, text_body
from klinke.core.mail import send_notification

pytestmark = pytest.mark.django_db

PAYLOAD = "{{ 7|add:35 }}{% widthratio 1 1 42 %}{{ 7*7 }}{% if %}<i>&amp;</i> a<b"

WHEN = datetime(2030, 5, 4, 18, 30, tzinfo=UTC)
FIXED: dict[str, object] = {
    "pk": 7,
    "id": 7,
    "slug": "kollektiv-7",
    "round_closes_at": WHEN,
    "starts_at": WHEN,
    "ends_at": WHEN,
    "expires_at": WHEN,
    "deadline": WHEN,
    "next_action_due": WHEN.date(),
    "time_zone": "Europe/Berlin",
    "state": "accepted",
    "capacity": 12,
    # Rich text reaches HTML through the knowledge base's sanitiser, tested there.
    "body_html": escape(PAYLOAD),
}


class Written:
    """A model instance in which everything a person could have written is the payload."""

    do_not_call_in_templates = True

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in {"alters_data"}:
            raise AttributeError(name)
        if name in FIXED:
            return FIXED[name]
        if name == "get_absolute_url":
            return lambda: "/written/7/"
        return Written()

    def __str__(self) -> str:
        return PAYLOAD


def written() -> Written:
    return Written()


# template → the context its call site passes (see each app's actions.py).
NOTIFICATIONS: dict[str, dict[str, Any]] = {
    "collectives/email/invitation": {
        "invitation": written(),
        "collective": written(),
        "inviter": written(),
    },
    **{
        f"exchange/email/introduction_{name}": {"introduction": written(), "need": written()}
        for name in (
            "requested",
            "accepted",
            "declined",
            "contact_details",
            "expired",
            "withdrawn",
            "completed",
        )
    },
    "exchange/email/item_expired": {"item": written(), "renew_url": "http://x.test/renew/"},
    "knowledge/email/question_answered": {
        "question": written(),
        "question_url": "/q/7/",
        "answer": written(),
        "author": written(),
    },
    "knowledge/email/answer_accepted": {
        "question": written(),
        "question_url": "/q/7/",
        "answer": written(),
    },
    "knowledge/email/question_digest": {"items": [(written(), 2)], "count": 1},
    "workbench/email/decision_opened": {"decision": written(), "collective": written()},
    "workbench/email/decision_decided": {
        "decision": written(),
        "collective": written(),
        "tally": written(),
    },
    "workbench/email/decision_reminder": {"decision": written(), "collective": written()},
    "workbench/email/digest": {
        "overdue": [written()],
        "due_today": [written()],
        "today": WHEN.date(),
        "count": 2,
    },
    "workbench/email/referral_offered": {"referral": written(), "url": "/r/7/"},
    "workbench/email/referral_answered": {
        "referral": written(),
        "collective": written(),
        "url": "/r/7/",
    },
    "tenders/email/digest": {
        "collective": written(),
        "items": [written()],
        "count": 2,
        "inbox_url": "/collectives/x/tenders/",
    },
    "tenders/email/deadline_reminder": {
        "lead": written(),
        "collective": written(),
        "deadline": WHEN,
        "deadline_written": written(),
    },
    "workshops/email/idea_threshold_reached": {
        "idea": written(),
        "interest_count": 3,
        "schedule_url": "/s/7/",
    },
    "workshops/email/registration_open": {"event": written(), "idea": written()},
    "workshops/email/event_changed": {"event": written()},
    "workshops/email/event_cancelled": {"event": written()},
    "workshops/email/host_added": {"event": written(), "added_by": written()},
    "workshops/email/registration_promoted": {"event": written()},
    "workshops/email/registration_confirmed": {"event": written()},
    "workshops/email/registration_waitlisted": {"event": written(), "position": 2},
    "workshops/email/host_message": {
        "event": written(),
        "message": written(),
        "sender": written(),
    },
    "workshops/email/event_reminder": {"event": written()},
    "accounts/email/export_ready": {"download_url": "http://x.test/me/data/7/download/"},
    "estimates/email/decided": {"estimate": written(), "version": written(), "accepted": True},
    "tenders/email/consortium_invitation": {
        "inviter": written(),
        "tender_title": PAYLOAD,
        "message": PAYLOAD,
        "url": "http://x.test/c/7/",
    },
    "vouches/email/vouch_offered": {
        "vouch": written(),
        "voucher_name": PAYLOAD,
        "url": "http://x.test/v/7/",
    },
    "vouches/email/vouch_asked": {
        "vouch": written(),
        "collective": written(),
        "url": "http://x.test/v/7/",
    },
    "vouches/email/vouch_accepted": {
        "vouch": written(),
        "voucher_name": PAYLOAD,
        "collective": written(),
        "url": "http://x.test/c/7/",
    },
    "inquiries/email/client_assigned": {
        "inquiry": written(),
        "interested": [written(), written()],
        "assigned": written(),
    },
    **{
        f"inquiries/email/client_{name}": {
            "inquiry": written(),
            "status_url": "http://x.test/i/secret/",
        }
        for name in ("confirm", "new_link")
    },
    "inquiries/email/client_no_taker": {"inquiry": written(), "nobody_fits": True},
    **{
        f"inquiries/email/collective_{name}": {
            "inquiry": written(),
            "collective": written(),
            "lead": written(),
        }
        for name in ("handed_over", "offered", "reminder")
    },
}


def notification_templates() -> set[str]:
    """Every `<app>/email/<name>_subject.txt` in klinke, as `<app>/email/<name>`."""
    root = Path(settings.BASE_DIR) / "klinke"
    found = set()
    for path in root.glob("*/templates/*/email/*_subject.txt"):
        found.add(f"{path.parent.parent.name}/email/{path.name.removesuffix('_subject.txt')}")
    return found


# Subjects that show only counts or fixed words; every other subject shows what someone wrote.
SUBJECT_WITHOUT_USER_TEXT = {
    "accounts/email/export_ready",
    "exchange/email/introduction_expired",
    "knowledge/email/answer_accepted",
    "knowledge/email/question_digest",
    "workbench/email/digest",
    # An inquiry's mails name no client text in the subject: the inbox shows only fixed words.
    "inquiries/email/client_assigned",
    "inquiries/email/client_confirm",
    "inquiries/email/client_new_link",
    "inquiries/email/client_no_taker",
    "inquiries/email/collective_handed_over",
    "inquiries/email/collective_offered",
    "inquiries/email/collective_reminder",
    "vouches/email/vouch_accepted",
}


def test_it_lists_every_notification_template():
    assert set(NOTIFICATIONS) == notification_templates()


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("template", sorted(NOTIFICATIONS))
def test_it_delivers_user_text_verbatim(smtp_server, template, language):
    assert send_notification(
        to="person@example.org",
        template=template,
        context={"recipient": written(), **NOTIFICATIONS[template]},
        language=language,
    )
    assert deliver_mail() == 1

    [message] = smtp_server.messages
    subject = str(message["Subject"])
    text = text_body(message)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    html = str(html_part.get_content())

    assert PAYLOAD in text
    assert escape(PAYLOAD) in html
    if template not in SUBJECT_WITHOUT_USER_TEXT:
        assert PAYLOAD in subject
    # Plain text is never HTML-escaped; HTML never carries the raw tag.
    for part in (subject, text):
        assert "&lt;" not in part
        assert "&amp;amp;" not in part
        assert "&#x27;" not in part
        assert "&quot;" not in part
    assert "<i>" not in html


def test_it_sends_a_queued_mail_mentioning_template_syntax_later(smtp_server):
    context = {"recipient": written(), **NOTIFICATIONS["exchange/email/item_expired"]}
    send_notification(
        to="person@example.org", template="exchange/email/item_expired", context=context
    )
    send_notification(
        to="other@example.org", template="exchange/email/item_expired", context=context
    )
    stored = Email.objects.order_by("pk").first()
    assert stored is not None
    assert PAYLOAD in stored.subject
    assert PAYLOAD in stored.message

    assert deliver_mail() == 2

    assert set(Email.objects.values_list("status", flat=True)) == {STATUS.sent}
    assert len(smtp_server.messages) == 2
    assert all(PAYLOAD in str(m["Subject"]) for m in smtp_server.messages)


def test_it_leaves_plain_text_to_the_mail_renderer():
    """Text parts are plain because core.mail renders them so, not per template."""
    root = Path(settings.BASE_DIR) / "klinke"
    texts = [*root.glob("*/templates/*/email/*.txt"), *root.glob("templates/*/email/*.txt")]
    assert len(texts) > 60
    assert [str(path) for path in texts if "autoescape" in path.read_text()] == []


def test_it_mails_a_real_introduction_request_with_template_syntax_verbatim(smtp_server, network):
    from klinke.exchange import actions
    from klinke.exchange.tests.factories import make_need

    need = make_need(network.collective_a, PAYLOAD, "Wie kalkulieren wir Tagessätze?")
    actions.do_request_introduction(
        need=need, user=network.alice, counterpart=network.collective_b, message=PAYLOAD
    )
    assert deliver_mail() >= 1

    [message] = smtp_server.to(network.bob.email)
    text = text_body(message)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    assert text.count(PAYLOAD) == 2  # the need's title and the request's message
    assert str(html_part.get_content()).count(escape(PAYLOAD)) == 2
