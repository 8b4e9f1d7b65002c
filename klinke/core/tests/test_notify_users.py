"""One way to mail a list of people: each once, in their own language, honouring their mutes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from klinke.conftest import make_user
from klinke.core.mail import notify_users
from klinke.core.models import NotificationKind, NotificationMute

pytestmark = pytest.mark.django_db

CONTEXT = {"item": {"title": "Bohrer"}, "renew_url": "http://x.test/r/"}


def test_it_mails_each_person_once_in_their_own_language():
    german = make_user("de@example.org", language="de")
    english = make_user("en@example.org", language="en")
    muted = make_user("muted@example.org", language="en")
    gone = make_user("gone@example.org", language="en", is_active=False)
    NotificationMute.objects.create(user=muted, kind=NotificationKind.EXPIRY)

    sent = notify_users(
        [german, english, german, muted, gone],
        template="exchange/email/item_expired",
        context=CONTEXT,
        kind=NotificationKind.EXPIRY,
    )

    assert sent == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"de@example.org", "en@example.org"}
    assert by_address["de@example.org"].subject != by_address["en@example.org"].subject
    assert "abgelaufen" in by_address["de@example.org"].body.lower()


LOOP_OF_NOTIFY_USER = re.compile(r"for \w+ in [^\n]*:\n\s+(sent \+= )?notify_user\(")
MUTE_QUERY = re.compile(r"NotificationMute\.objects\.filter\([^)]*\)\.(exists|values_list)")


@pytest.mark.parametrize("app", ["collectives", "exchange", "knowledge", "workbench", "workshops"])
def test_it_leaves_lists_of_people_mutes_and_members_to_one_place(app):
    source = (Path(settings.BASE_DIR) / "klinke" / app / "actions.py").read_text()
    assert not LOOP_OF_NOTIFY_USER.search(source), "use core.mail.notify_users"
    assert not MUTE_QUERY.search(source), "use core.mail.has_muted / muted_user_ids"
    assert 'memberships.select_related("user")' not in source, "use Collective.member_users()"
