"""Rendered parts of pages, kept by each web process until anything in the database changes.

A list page of a big network spends most of its time building the same HTML again: the
directory's cards for a search, the exchange's list, the upcoming workshops. What such a part
shows depends on the database, on a few plain values (the filters, the page number, whether
the visitor belongs to the network) and on the language, nothing else. So it is kept in this
process's memory (the ``fragments`` cache, `CACHES` in settings) under those values and the
database's current *generation*, and built again when any of them differ.

The generation is exact, not a guess with a timeout:

- Every statement that changes rows, on every connection of every process (the ORM, bulk
  writes, raw SQL through Django), is seen by `_watch_writes`, an execute wrapper each
  connection gets when it opens. Outside a transaction the write is committed when the
  statement returns, and the generation moves on at once. Inside one it moves on when the
  transaction commits (a part another process built meanwhile was kept under the old token).
  A rollback needs nothing: what was kept before still shows the data as it is.
- Inside a transaction of the application, parts are neither served nor kept: it may read
  its own writes, which may yet be rolled back.
- The generation is a random token in a small file (`KLINKE_FRAGMENT_GENERATION_FILE`, in the
  var directory that the web processes and the worker already share), overwritten in place.
  Reading it costs one `pread` per part; a token never repeats, so a part kept under an old
  one can never come back.
- Writes to tables that no part shows are left out (sessions, the cache table, the mail
  outbox): a visit that saves its session, or the worker sending mail, does not make
  everyone's parts stale. So are INSERTs, UPDATEs and
  DELETEs that changed no row (the worker's jobs ask "anything due?" that way every minute).
- Sessions have a generation of their own, in the same file, moved on by every write to the
  session table (and by writes whose table cannot be told). It keeps what every page of a
  signed-in person asks first (their session, their user row, whether they belong to the
  network) with `kept_value`: see `klinke.core.sessions` and `KeptUserMiddleware`.

Time moves on without a write (an event begins, a need expires at midnight), so a part is kept
at most `KLINKE_FRAGMENT_SECONDS` (60 by default; 0 turns keeping off) and its key holds the
date.

What keeps this safe from showing one person's view to another: a part is built by a function
of the key's values alone, and its templates are rendered without the request (`render_part`),
so `user`, `request`, `perms` and `csrf_token` are not there to be used by mistake. The test
suite runs with keeping on, so every page test also checks that the kept parts are right.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

CACHE_ALIAS = "fragments"
VALUES_ALIAS = "kept-values"

SESSIONS_TABLE = "django_session"

# Tables whose rows no page part shows: writing them does not change any part. Sessions and
# the cache change on visits; the outbox changes as the worker sends (and retries) mail.
UNSHOWN_TABLES = frozenset(
    {"django_session", "klinke_cache", "post_office_email", "post_office_log"}
)

# Statements that change no rows. Anything else (INSERT, UPDATE, DELETE, a WITH that might
# write, DDL) counts as a write.
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "SHOW", "EXPLAIN", "PRAGMA", "SET")
_TARGET = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I)

Plain = str | int | bool | None | tuple["Plain", ...]


def _generation_file() -> Path:
    return Path(settings.KLINKE_FRAGMENT_GENERATION_FILE)


_files: dict[tuple[int, str], int] = {}
"""(process, path) -> an open descriptor of the generation file: reading and writing it in
place costs a few microseconds, where opening it each time costs ten times that."""


def _descriptor(path: Path) -> int:
    key = (os.getpid(), str(path))
    fd = _files.get(key)
    if fd is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _files[key] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return fd


# The file holds two tokens of _TOKEN bytes: the data's at offset 0, the sessions' after it.
_TOKEN = 32
_DATA, _SESSIONS = 0, _TOKEN


def _read_token(offset: int) -> str | None:
    path = _generation_file()
    try:
        return os.pread(_descriptor(path), _TOKEN, offset).decode("ascii", "replace")
    except OSError:
        logger.exception("cannot read %s; page parts are not kept", path)
        return None


def _write_token(offset: int) -> None:
    path = _generation_file()
    try:
        os.pwrite(_descriptor(path), secrets.token_hex(_TOKEN // 2).encode(), offset)
    except OSError:
        # Parts could no longer be told stale: stop keeping them in this process.
        logger.exception("cannot write %s; page parts are no longer kept", path)
        _disabled.add(os.getpid())


def generation() -> str | None:
    """The database's current generation token ("" when none was written yet, None when it
    cannot be read: then nothing is kept).

    A read that overlaps a write may see a mix of the old and the new token: a token that is
    neither, under which nothing kept is found."""
    return _read_token(_DATA)


def session_generation() -> str | None:
    """The sessions' current generation token, as `generation` is the data's."""
    return _read_token(_SESSIONS)


def bump_generation() -> None:
    """Move the generation on: every part kept so far, in every process, is stale. The file
    is written in place (its descriptor stays open in every process)."""
    _write_token(_DATA)


def bump_session_generation() -> None:
    """Move the sessions' generation on: every session (and signed-in user) kept so far, in
    every process, is stale."""
    _write_token(_SESSIONS)


_disabled: set[int] = set()


def is_write(sql: str) -> bool:
    """Whether `sql` may change rows that page parts show."""
    return _writes(sql)[0]


def writes_sessions(sql: str) -> bool:
    """Whether `sql` may change rows of the session table: a write to it, or a write whose
    table cannot be told (DDL, TRUNCATE, a WITH)."""
    return _writes(sql)[1]


def _writes(sql: str) -> tuple[bool, bool]:
    """(`is_write`, `writes_sessions`) of `sql`, told apart in one look at it."""
    if sql.lstrip()[:10].upper().startswith(_READS):
        return False, False
    target = _TARGET.match(sql)
    if target is None:
        return True, True
    table = target.group(1).lower()
    return table not in UNSHOWN_TABLES, table == SESSIONS_TABLE


def _app_atomic_blocks(connection: BaseDatabaseWrapper) -> list[Any]:
    """The connection's open transaction blocks, without those a test case wraps around each
    test (those are rolled back behind the application's back; see conftest)."""
    return [b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)]


def _note_write(connection: BaseDatabaseWrapper, bump: Callable[[], None]) -> None:
    """Move on the generation that `bump` moves, now or when the transaction commits."""
    if not in_transaction(connection):
        # Committed when the statement returned; or, in a test, inside the transaction a test
        # case wraps around each test, which stands for the database and never commits.
        bump()
        return
    if _in_test_case(connection):
        bump()  # the application's transaction is a savepoint of the test's
    # Once per transaction (and per savepoint, which may be rolled back on its own).
    here = set(connection.savepoint_ids)
    if not any(e[1] is bump and e[0] == here for e in connection.run_on_commit):
        transaction.on_commit(bump, using=connection.alias, robust=True)


def _in_test_case(connection: BaseDatabaseWrapper) -> bool:
    return any(getattr(b, "_from_testcase", False) for b in connection.atomic_blocks)


def in_transaction(connection: BaseDatabaseWrapper) -> bool:
    """Whether the application has a transaction open on `connection`: what it reads there
    may be its own uncommitted writes, so kept parts are neither served nor kept."""
    return connection.in_atomic_block and bool(_app_atomic_blocks(connection))


_ROW_WRITES = re.compile(r"^\s*(?:INSERT|UPDATE|DELETE)\b", re.I)


def _changed_rows(sql: str, cursor: Any) -> bool:
    """Whether a write statement that went through changed rows: an INSERT, UPDATE or DELETE
    that says it touched none (a job's conditional UPDATE with nothing due) changed nothing;
    anything else (DDL, a WITH, a RETURNING whose rows are not fetched yet, which SQLite
    counts only as they are) is taken to have changed something."""
    if not _ROW_WRITES.match(sql) or "RETURNING" in sql.upper():
        return True
    count = getattr(cursor, "rowcount", -1)
    return count is None or count != 0


def _watch_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Mapping[str, Any]
) -> Any:
    data, sessions = _writes(sql)
    if not (data or sessions):
        return execute(sql, params, many, context)
    try:
        result = execute(sql, params, many, context)
    except BaseException:
        _note_writes(context["connection"], data, sessions)  # it may have written some rows
        raise
    if _changed_rows(sql, context.get("cursor")):
        _note_writes(context["connection"], data, sessions)
    return result


def _note_writes(connection: BaseDatabaseWrapper, data: bool, sessions: bool) -> None:
    if data:
        _note_write(connection, bump_generation)
    if sessions:
        _note_write(connection, bump_session_generation)


def watch_connection(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """`connection_created` receiver: the connection reports its writes from now on. The
    wrapper goes first in the list, so `connection.execute_wrapper()` blocks, which pop the
    last one when they end, never remove it."""
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch_writes)


def _seconds() -> int:
    return int(getattr(settings, "KLINKE_FRAGMENT_SECONDS", 0))


def kept(name: str, values: tuple[Plain, ...], build: Callable[[], str]) -> SafeString:
    """The part `name` for `values`: kept HTML when this process built it under the current
    generation, language and date; else `build()` (which must depend on nothing but `values`
    and the database), kept for next time when it may be."""
    where = (translation.get_language(), timezone.localdate().isoformat())
    return mark_safe(_keep(CACHE_ALIAS, (name, values, where), build, data=True, sessions=False))


_T = TypeVar("_T")


def kept_value(
    name: str,
    values: tuple[Plain, ...],
    build: Callable[[], _T],
    *,
    data: bool = True,
    sessions: bool = False,
) -> _T:
    """The value `name` for `values`, kept like a part (in the ``kept-values`` cache) under
    the data's generation when `data` and the sessions' when `sessions`; else `build()`, kept
    unless it is None. Values are copied in and out (the cache pickles them), so a caller may
    change what it gets. Neither language nor date is part of the key."""
    return _keep(VALUES_ALIAS, (name, values), build, data=data, sessions=sessions)


def _keep(
    alias: str, what: tuple[Any, ...], build: Callable[[], _T], *, data: bool, sessions: bool
) -> _T:
    """What `build()` gives, kept in the cache `alias` under `what` and the tokens asked for;
    built afresh (and not kept) when keeping is off, inside the application's transaction,
    when a token cannot be read, or when it gives None."""
    from django.db import connection

    seconds = _seconds()
    if seconds <= 0 or os.getpid() in _disabled or in_transaction(connection):
        return build()
    tokens = (generation() if data else "", session_generation() if sessions else "")
    if None in tokens:
        return build()
    text = repr((tokens, what))
    key = f"klinke:{alias}:{hashlib.sha256(text.encode()).hexdigest()}"
    cache = caches[alias]
    value: _T | None = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, seconds)
    return value


def forget_all() -> None:
    """Drop every part and value this process keeps (tests start from nothing kept)."""
    caches[CACHE_ALIAS].clear()
    caches[VALUES_ALIAS].clear()


class NotInAPart:
    """What `user`, `request`, `perms` and `csrf_token` are while a kept part renders: any use
    of them (printing, testing, an attribute) fails loudly instead of baking one visitor's view
    into what the next visitor gets."""

    def __init__(self, name: str) -> None:
        self._name = name

    def _refuse(self, *args: object, **kwargs: object) -> Any:
        raise ImproperlyConfigured(
            f"a kept page part may not use {self._name!r}: its key would not hold it"
            " (klinke.core.fragments)"
        )

    __str__ = __bool__ = __iter__ = __len__ = __html__ = _refuse

    def __getattr__(self, name: str) -> Any:
        self._refuse()


REFUSED = ("user", "request", "perms", "csrf_token")


def render_part(template_name: str, context: Mapping[str, Any]) -> str:
    """`template_name` rendered with `context` alone: no request and no context processors,
    and `user`, `request`, `perms` or `csrf_token` fail when used (see `NotInAPart`)."""
    clash = set(REFUSED) & set(context)
    if clash:
        raise ImproperlyConfigured(f"a kept page part may not be given {sorted(clash)}")
    return render_to_string(
        template_name,
        {**{name: NotInAPart(name) for name in REFUSED}, "csrf_slot": CSRF_SLOT, **context},
    )


def query_values(query: Mapping[str, Any]) -> tuple[Plain, ...]:
    """A request's GET parameters as key values: every name with all its values, sorted."""
    lists = query.lists() if hasattr(query, "lists") else ((k, [v]) for k, v in query.items())
    return tuple(sorted((str(name), tuple(str(v) for v in values)) for name, values in lists))


# --- slots: the few visitor-specific bits inside a kept part ----------------------------

_SLOT = re.compile(r"<!--klinke-slot:(\w+):(\w+)-->")


def slot(name: str, key: int | str) -> SafeString:
    """A mark in a kept part where `fill_slots` puts the visitor's own bit for `key` (their
    registration for an event, say). A mark cannot come from user text, which is escaped."""
    return mark_safe(f"<!--klinke-slot:{name}:{key}-->")


def slot_keys(html: str, name: str) -> list[str]:
    """The keys of the marks named `name` in `html`, in order."""
    return [key for found, key in _SLOT.findall(html) if found == name]


def fill_slots(html: str, name: str, fillings: Mapping[str, str]) -> SafeString:
    """`html` with each mark named `name` replaced by its filling (escaped HTML), or by
    nothing when `fillings` has none for its key."""

    def fill(match: re.Match[str]) -> str:
        return fillings.get(match.group(2), "") if match.group(1) == name else match.group(0)

    return mark_safe(_SLOT.sub(fill, html))


CSRF_SLOT = slot("csrf", "token")
"""Where a form in a kept part takes the visitor's CSRF token: ``{{ csrf_slot }}``, which
`render_part` provides, in place of ``{% csrf_token %}``; `fill_csrf` puts it in."""


def fill_csrf(html: str, request: HttpRequest) -> SafeString:
    """`html` with the CSRF slots of its forms filled with `request`'s token."""
    if CSRF_SLOT not in html:
        return mark_safe(html)
    token = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    return fill_slots(html, "csrf", {"token": token})
