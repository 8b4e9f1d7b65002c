"""Rendered parts of pages, kept by each web process until a table they read changes.

A list page of a big network spends most of its time building the same HTML again: the
directory's cards for a search, the exchange's list, the upcoming workshops. What such a part
shows depends on the database, on a few plain values (the filters, the page number, whether
the visitor belongs to the network) and on the language, nothing else. So it is kept in this
process's memory (the ``fragments`` cache, `CACHES` in settings) under those values, with the
*generations* of the tables its build read, and built again when any of them moved on.

The generations are exact, not a guess with a timeout:

- Every statement that changes rows, on every connection of every process (the ORM, bulk
  writes, raw SQL through Django), is seen by `_watch`, an execute wrapper each connection
  gets when it opens. It moves on the generation of the table the statement writes (or of
  every table, when the statement does not say which: DDL, TRUNCATE, a WITH). Outside a
  transaction the write is committed when the statement returns, and the generation moves on
  at once. Inside one it moves on when the transaction commits (a part another process built
  meanwhile was kept under the old token). A rollback needs nothing: what was kept before
  still shows the data as it is. INSERTs, UPDATEs and DELETEs that changed no row move
  nothing (the worker's jobs ask "anything due?" that way every minute).
- The same wrapper notes the tables each SELECT reads (its FROM and JOIN clauses; a SQLite
  search table ``<table>_search``, which triggers fill, counts as its table). A part depends
  on what its build read and on everything its request read before the build began (a view
  hands its build what it checked access to: the need, the collective). A part or value
  kept counts as read when it is served, too. The visitor's session and user row are read
  first on every page but no part is built from them (`kept_value(feeds_parts=False)`), so
  they do not count. A SELECT whose tables cannot be told (a comma join) makes the part
  unkeepable: it is built every time, never served stale.
- So an edited offer makes the parts that read offers stale, and leaves the visitor's
  session, their collectives and a need's facts kept in every process.
- Inside a transaction of the application, parts are neither served nor kept: it may read
  its own writes, which may yet be rolled back.
- The generations are random tokens in a small file (`KLINKE_FRAGMENT_GENERATION_FILE`, in
  the var directory that the web processes and the worker already share), each table's in a
  slot picked by a hash of its name (two tables sharing a slot only make each other's parts
  stale more often), overwritten in place. Slot 0 stands for every table: a write it cannot
  place, or `bump_generation`, moves it on. Checking a kept part costs one `pread` per table
  it read; a token never repeats, so a part kept under an old one can never come back.
- A build must depend on nothing but its key's values and what the database holds: not on
  what a process keeps in memory without asking the database. With `KLINKE_FRAGMENT_CHECK`
  (on in the test suite) every part served is built again and compared, so a part served
  stale fails the test that sees it.

Time moves on without a write (an event begins, a need expires at midnight), so a part is kept
at most `KLINKE_FRAGMENT_SECONDS` (60 by default; 0 turns keeping off) and its key holds the
date.

What keeps this safe from showing one person's view to another: a part is built by a function
of the key's values alone, and its templates are rendered without the request (`render_part`),
so `user`, `request`, `perms` and `csrf_token` are not there to be used by mistake. The test
suite runs with keeping on, so every page test also checks that the kept parts are right.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import secrets
import threading
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping
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

EVERY_TABLE = "*"
"""What `written_table` says of a write whose table cannot be told."""

# Statements that change no rows. Anything else (INSERT, UPDATE, DELETE, a WITH that might
# write, DDL) counts as a write.
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "SHOW", "EXPLAIN", "PRAGMA", "SET")
_TARGET = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I)
# The tables a SELECT reads: each name after FROM or JOIN (quoted as Django quotes them, or
# not), and, to refuse them, FROM lists with a comma (`FROM "a", "b"`), whose later tables
# this would miss. A name that is no table (`EXTRACT(YEAR FROM "t"."c")` gives t, a table all
# the same) only makes a part depend on more than it needs.
_FROM = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_][\w$]*)"?', re.I)
_FROM_LIST = re.compile(
    r'\bFROM\s+"?[A-Za-z_][\w$]*"?(?:\s+(?:AS\s+)?"?(?!WHERE|INNER|LEFT|ON)\w+"?)?\s*,', re.I
)
_SEARCH_SUFFIX = "_search"  # klinke.core.search: the FTS5 table of <table>, filled by triggers

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


# The file holds SLOTS tokens of _TOKEN bytes. Slot 0 is every table's; each table's own slot
# is one of the others, picked by a hash of its name. A slot never written reads as b"".
_TOKEN = 32
SLOTS = 4096
_EVERY = 0
_UNKNOWN = -1  # a recorded read whose tables could not be told


def table_slot(table: str) -> int:
    """The slot of `table`'s generation (a SQLite search table shares its table's)."""
    name = table.lower()
    if name.endswith(_SEARCH_SUFFIX):
        name = name[: -len(_SEARCH_SUFFIX)]
    return 1 + zlib.crc32(name.encode()) % (SLOTS - 1)


def _read_slots(slots: Iterable[int]) -> tuple[bytes, ...] | None:
    path = _generation_file()
    try:
        fd = _descriptor(path)
        return tuple(os.pread(fd, _TOKEN, slot * _TOKEN) for slot in slots)
    except OSError:
        logger.exception("cannot read %s; page parts are not kept", path)
        return None


def _snapshot() -> bytes | None:
    """Every slot at once, slot 0 made a token first if it is none yet: what a build is kept
    under is read before it starts, so a write during the build makes it stale."""
    path = _generation_file()
    try:
        fd = _descriptor(path)
        if not os.pread(fd, _TOKEN, 0).strip(b"\0"):
            # A new (or emptied) file: a fresh token for every table, so that nothing kept
            # under an earlier file's empty slots can match it.
            _write_slot(_EVERY)
        return os.pread(fd, SLOTS * _TOKEN, 0)
    except OSError:
        logger.exception("cannot read %s; page parts are not kept", path)
        return None


def _slot_of(snapshot: bytes, slot: int) -> bytes:
    return snapshot[slot * _TOKEN : (slot + 1) * _TOKEN]


def _write_slot(slot: int) -> None:
    path = _generation_file()
    try:
        os.pwrite(_descriptor(path), secrets.token_hex(_TOKEN // 2).encode(), slot * _TOKEN)
    except OSError:
        # Parts could no longer be told stale: stop keeping them in this process.
        logger.exception("cannot write %s; page parts are no longer kept", path)
        _disabled.add(os.getpid())


def generation(tables: Iterable[str] = ()) -> str | None:
    """The generation of every table and of `tables`, as one string that changes whenever
    a write to any of them is seen (None when the file cannot be read: then nothing is kept).

    A read that overlaps a write may see a mix of the old and the new token: a token that is
    neither, under which nothing kept is found."""
    tokens = _read_slots([_EVERY, *(table_slot(t) for t in tables)])
    return None if tokens is None else b"|".join(tokens).decode("ascii", "replace")


def bump_generation() -> None:
    """Move every table's generation on: every part kept so far, in every process, is
    stale. The file is written in place (its descriptor stays open in every process)."""
    _write_slot(_EVERY)


_disabled: set[int] = set()


def written_table(sql: str) -> str | None:
    """The table `sql` may change rows of: None for a read, `EVERY_TABLE` when the statement
    does not say (DDL, TRUNCATE, a WITH)."""
    if sql.lstrip()[:10].upper().startswith(_READS):
        return None
    target = _TARGET.match(sql)
    return EVERY_TABLE if target is None else target.group(1).lower()


def read_tables(sql: str) -> frozenset[str] | None:
    """The tables a SELECT reads, or None when they cannot be told (a comma join)."""
    if _FROM_LIST.search(sql):
        return None
    return frozenset(name.lower() for name in _FROM.findall(sql))


@functools.lru_cache(maxsize=4096)
def _slots_read(sql: str) -> frozenset[int]:
    """The slots of the tables `sql` reads (`_UNKNOWN` when they cannot be told), worked out
    once per statement text: every SELECT of a request asks."""
    tables = read_tables(sql)
    return frozenset({_UNKNOWN} if tables is None else map(table_slot, tables))


def _app_atomic_blocks(connection: BaseDatabaseWrapper) -> list[Any]:
    """The connection's open transaction blocks, without those a test case wraps around each
    test (those are rolled back behind the application's back; see conftest)."""
    return [b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)]


class _Bump:
    """Moves one slot on when called: one per slot (`_bump`), so that a transaction asks for
    it once (`_note_write` compares the callbacks it has by identity)."""

    __slots__ = ("slot",)

    def __init__(self, slot: int) -> None:
        self.slot = slot

    def __call__(self) -> None:
        _write_slot(self.slot)

    def __repr__(self) -> str:
        return f"<bump slot {self.slot}>"


_bumps: dict[int, _Bump] = {}


def _bump(table: str) -> _Bump:
    slot = _EVERY if table == EVERY_TABLE else table_slot(table)
    bump = _bumps.get(slot)
    if bump is None:
        bump = _bumps.setdefault(slot, _Bump(slot))
    return bump


def _note_write(connection: BaseDatabaseWrapper, table: str) -> None:
    """Move on `table`'s generation, now or when the transaction commits."""
    bump = _bump(table)
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


class _Recordings(threading.local):
    """The slots read in this thread: at the bottom, since the request began
    (`start_request`); above it, by each build running, innermost last."""

    def __init__(self) -> None:
        self.open: list[set[int]] = []


_recordings = _Recordings()


def _note_reads(slots: Collection[int]) -> None:
    # A collection, not an iterator: each open record takes all of it.
    for read in _recordings.open:
        read.update(slots)


def start_request(sender: object = None, **kwargs: object) -> None:
    """`request_started` receiver: what the request reads from now on counts for every part
    it builds later. A build may be handed what was read before it (the need a view checked
    access to, the collective of a workbench): its part must be stale when that changes too.
    """
    _recordings.open = [set()]


def end_request(sender: object = None, **kwargs: object) -> None:
    """`request_finished` receiver: nothing is recorded between requests."""
    _recordings.open = []


def _watch(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Mapping[str, Any]
) -> Any:
    table = written_table(sql)
    if table is None:
        if _recordings.open:
            _note_reads(_slots_read(sql))
        return execute(sql, params, many, context)
    try:
        result = execute(sql, params, many, context)
    except BaseException:
        _note_write(context["connection"], table)  # it may have written some rows
        raise
    if _changed_rows(sql, context.get("cursor")):
        _note_write(context["connection"], table)
    return result


def watch_connection(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """`connection_created` receiver: the connection reports its reads and writes from now
    on. The wrapper goes first in the list, so `connection.execute_wrapper()` blocks, which
    pop the last one when they end, never remove it."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


def _seconds() -> int:
    return int(getattr(settings, "KLINKE_FRAGMENT_SECONDS", 0))


def kept(name: str, values: tuple[Plain, ...], build: Callable[[], str]) -> SafeString:
    """The part `name` for `values`: kept HTML when this process built it since no table its
    build read was written, in the same language and on the same date; else `build()`
    (which must depend on nothing but `values` and the database), kept for next time."""
    where = (translation.get_language(), timezone.localdate().isoformat())
    return mark_safe(_keep(CACHE_ALIAS, (name, values, where), build))


_T = TypeVar("_T")


def kept_value(
    name: str, values: tuple[Plain, ...], build: Callable[[], _T], *, feeds_parts: bool = True
) -> _T:
    """The value `name` for `values`, kept like a part (in the ``kept-values`` cache); else
    `build()`, kept unless it is None. Values are copied in and out (the cache pickles them),
    so a caller may change what it gets. Neither language nor date is part of the key.

    A value from which no part is built (the visitor's session and user row, which parts
    never see) says so with `feeds_parts=False`: parts built later in the request do not
    depend on what it read, so a login elsewhere leaves them kept."""
    return _keep(VALUES_ALIAS, (name, values), build, feeds_parts=feeds_parts)


class StalePart(AssertionError):
    """A kept part or value differs from what its build gives now (`KLINKE_FRAGMENT_CHECK`):
    its build read something that is not in its key or its recorded tables."""


def _keep(
    alias: str, what: tuple[Any, ...], build: Callable[[], _T], *, feeds_parts: bool = True
) -> _T:
    """What `build()` gives, kept in the cache `alias` under `what`, with the tokens of the
    tables read by the build and before it in the request; built afresh (and not kept) when
    keeping is off, inside the application's transaction, when the tokens cannot be read,
    when a read's tables cannot be told, or when it gives None."""
    from django.db import connection

    seconds = _seconds()
    if seconds <= 0 or os.getpid() in _disabled or in_transaction(connection):
        return build()
    key = f"klinke:{alias}:{hashlib.sha256(repr(what).encode()).hexdigest()}"
    cache = caches[alias]
    entry: tuple[tuple[int, ...], tuple[bytes, ...], _T] | None = cache.get(key)
    if entry is not None:
        slots, tokens, value = entry
        if _read_slots(slots) == tokens:
            if feeds_parts:
                _note_reads(slots)  # what is built from it later depends on them too
            if getattr(settings, "KLINKE_FRAGMENT_CHECK", False):
                _check(what, value, build)
            return value
    snapshot = _snapshot()
    read: set[int] = set()
    outer = _recordings.open
    if feeds_parts:
        inherited = set().union(*outer)  # what was read before may be handed to the build
        outer.append(read)
    else:
        inherited, _recordings.open = set(), [read]
    try:
        value = build()
    finally:
        if feeds_parts:
            outer.pop()
            _note_reads(read)
        else:
            _recordings.open = outer
    read |= inherited
    if value is not None and snapshot is not None and _UNKNOWN not in read:
        slots = (_EVERY, *sorted(read - {_EVERY}))
        cache.set(key, (slots, tuple(_slot_of(snapshot, s) for s in slots), value), seconds)
    return value


def _check(what: tuple[Any, ...], value: object, build: Callable[[], object]) -> None:
    from django.db import connection
    from django.test.signals import template_rendered

    # Built again unseen: the queries and templates a test counts are the page's own.
    logging_queries, connection.force_debug_cursor = connection.force_debug_cursor, False
    receivers, template_rendered.receivers = template_rendered.receivers, []
    template_rendered.sender_receivers_cache.clear()
    try:
        fresh = build()
    finally:
        connection.force_debug_cursor = logging_queries
        template_rendered.receivers = receivers
        template_rendered.sender_receivers_cache.clear()
    if fresh != value:
        raise StalePart(
            f"{what[0]!r} for {what[1]!r} was served as kept, but its build now gives"
            " something else: it depends on a read its key and tables do not hold"
            " (klinke.core.fragments)"
        )


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
