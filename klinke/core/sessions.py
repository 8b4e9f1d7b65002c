"""Database sessions that each web process keeps until a session row changes.

Every page of a signed-in person reads their session first. The rows are Django's own
(`django.contrib.sessions.backends.db`, so sessions made before keep working); what changes is
that `load` asks `klinke.core.fragments.kept_value` first, under the session table's
generation, which every write to it moves on, in every process (a login, a logout
elsewhere, `clearsessions`). A kept row is served only while it has not expired.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from klinke.core import fragments


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict[str, Any]:
        key = self.session_key
        if not key:
            return {}
        row = fragments.kept_value("session", (key,), self._row, feeds_parts=False)
        if row is None or row[1] <= timezone.now():
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(row[0])
        return data

    def _row(self) -> tuple[str, datetime] | None:
        """(session data, expiry) of this session's row; None when there is none, which
        `_get_session_from_db` also notes by forgetting the key."""
        session = self._get_session_from_db()  # type: ignore[attr-defined]  # not in the stubs
        return None if session is None else (session.session_data, session.expire_date)
