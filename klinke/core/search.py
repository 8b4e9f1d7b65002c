"""Full-text search through an index, the same way on PostgreSQL and SQLite.

A searchable row stores its *search document* (`matching.analysis.search_document`: the
space-separated terms of its texts, already stemmed in German and English, compounds split,
lexicon translations added) in a `search_document` column, written whenever the row is saved.
This module looks terms up in that column through an index instead of scanning the table:

- **PostgreSQL**: a generated column ``search_vector`` = ``to_tsvector('simple',
  search_document)`` (stored, so it can never lag behind the column, and ranking reads it
  instead of parsing every found document again) with a GIN index. The 'simple' configuration
  only lower-cases: the terms are analysed already and must not be stemmed a second time. A
  query is a ``tsquery`` of the same terms.
- **SQLite**: an FTS5 table ``<table>_search`` (rowid = the row's primary key) that triggers
  keep in step with the column on insert, update and delete, so every write path (a model's
  save, ``QuerySet.update``, ``bulk_create``, a raw import) is covered. A query is an FTS5
  ``MATCH`` expression of the same terms.

`first_matches` gives the first page of matches in an order an index keeps (the directory's:
most focused profile first), without reading every match when there are many.

Both are created by each app's migration (`index_operations`). SQLite drops a table's triggers
when a later migration rebuilds the table, so `heal` re-creates missing triggers (and refills
the FTS table) after every `migrate`; `manage.py rebuild_search` recomputes every search
document from the texts (after a change of the analyser) and refills the indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps as global_apps
from django.db import connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations import RunPython
from django.db.migrations.state import StateApps
from django.db.models.expressions import Combinable, RawSQL

__all__ = [
    "TextQuery",
    "first_matches",
    "heal",
    "index_operations",
    "matching",
    "rebuild",
    "register",
    "registered_models",
]

COLUMN = "search_document"
VECTOR_COLUMN = "search_vector"
"""PostgreSQL only: the tsvector of the search document, a generated column the models do not
declare (Django never selects or writes it)."""
CONFIG = "simple"

_Row = TypeVar("_Row", bound=models.Model)
_QS = TypeVar("_QS", bound=models.QuerySet[Any])

_registered: dict[str, type[models.Model]] = {}


@dataclass(frozen=True)
class TextQuery:
    """What a search asks for: every word must be found; a word is found when all terms of any
    one of its alternatives are (AND of OR of AND). Most searches have one alternative of one
    term per word (`all_of`); the knowledge search adds translations of compounds."""

    words: tuple[tuple[tuple[str, ...], ...], ...]

    @classmethod
    def all_of(cls, terms: Iterable[str]) -> TextQuery:
        return cls(tuple(((term,),) for term in terms if term))

    def __bool__(self) -> bool:
        return any(any(alternative for alternative in word) for word in self.words)

    def fts5(self) -> str:
        """The query as an FTS5 MATCH expression, every term a quoted string (never syntax)."""

        def quoted(term: str) -> str:
            return '"' + term.replace('"', '""') + '"'

        def group(parts: list[str], operator: str) -> str:
            return parts[0] if len(parts) == 1 else "(" + f" {operator} ".join(parts) + ")"

        return group(
            [
                group(
                    [group([quoted(t) for t in alternative], "AND") for alternative in word],
                    "OR",
                )
                for word in self.words
                if word
            ],
            "AND",
        )

    def tsquery(self) -> Combinable:
        """The query as a PostgreSQL tsquery (`plainto_tsquery` per term: no syntax)."""
        from django.contrib.postgres.search import SearchQuery

        def each(terms: Iterable[Any], join: Callable[[Any, Any], Any]) -> Any:
            combined: Any = None
            for part in terms:
                combined = part if combined is None else join(combined, part)
            return combined

        return each(  # type: ignore[no-any-return]
            (
                each(
                    (
                        each(
                            (SearchQuery(t, config=CONFIG, search_type="plain") for t in alt),
                            lambda a, b: a & b,
                        )
                        for alt in word
                    ),
                    lambda a, b: a | b,
                )
                for word in self.words
                if word
            ),
            lambda a, b: a & b,
        )


def fts_table(model: type[models.Model]) -> str:
    return f"{model._meta.db_table}_search"


def _vector(model: type[models.Model]) -> Any:
    """The row's stored tsvector (PostgreSQL): a generated column, so it is always in step."""
    from django.contrib.postgres.search import SearchVectorField

    sql = f'"{model._meta.db_table}"."{VECTOR_COLUMN}"'
    return RawSQL(sql, [], output_field=SearchVectorField())  # noqa: S611


def _postgres_sql(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """Statements that add (and drop) the generated tsvector column and its GIN index."""
    db_table, table, _pk = _names(model)
    create = [
        f'ALTER TABLE "{db_table}" ADD COLUMN "{VECTOR_COLUMN}" tsvector GENERATED ALWAYS AS'
        f" (to_tsvector('{CONFIG}'::regconfig, COALESCE(\"{COLUMN}\", ''))) STORED",
        # Without a pending list (fastupdate) a new row is in the index at once, and the
        # planner's cost of the index does not grow with unmerged inserts until a VACUUM.
        f'CREATE INDEX "{table}" ON "{db_table}" USING gin ("{VECTOR_COLUMN}")'
        " WITH (fastupdate = off)",
    ]
    drop = [
        f'DROP INDEX IF EXISTS "{table}"',
        f'ALTER TABLE "{db_table}" DROP COLUMN IF EXISTS "{VECTOR_COLUMN}"',
    ]
    return create, drop


def _vendor(queryset: models.QuerySet[Any]) -> str:
    return connections[queryset.db].vendor


def matching(queryset: _QS, query: TextQuery) -> _QS:
    """The rows of `queryset` whose search document answers `query`, found through the index.

    An empty query constrains nothing."""
    if not query:
        return queryset
    if _vendor(queryset) == "postgresql":
        vector = _vector(queryset.model)
        return queryset.alias(_search=vector).filter(_search=query.tsquery())
    table = fts_table(queryset.model)
    # Only identifiers from model metadata are formatted in; the query is a parameter.
    sql = f'SELECT rowid FROM "{table}" WHERE "{table}" MATCH %s'  # noqa: S608
    found = RawSQL(sql, [query.fts5()])  # noqa: S611
    return queryset.filter(pk__in=found)


PROBE_PER_RESULT = 10
"""`first_matches` looks for the first results among this many rows per result wanted."""


def first_matches(
    queryset: models.QuerySet[Any, tuple[Any, ...]],
    query: TextQuery,
    order: Sequence[str],
    stop: int,
    *,
    found: int,
) -> list[tuple[Any, ...]]:
    """The first `stop` rows of `queryset` that answer `query`, in `order`, without reading
    every match when there are many.

    `queryset` is a `values_list` whose columns are all named (annotations), `order` names
    columns ("-name" for descending) that, ending in a unique one, order the rows totally
    through an index, and `found` says about how many rows answer the query (a cached count:
    it only picks the plan, never the result).

    Ordering the matches by an index while testing each row would read the whole table when
    the query's words are rare early in that order; sorting every match reads them all. So,
    on PostgreSQL, when the matches are many: walk the first `PROBE_PER_RESULT * stop` rows in
    order and keep those that answer (stopping at `stop` of them); having found `stop` they
    are exactly the first, since every row after the walk comes later. Otherwise, and when
    there were few matches to begin with, the index finds all matches, and the database sorts
    them and keeps the first `stop`. SQLite, with networks a thousand times smaller, always
    does the latter."""
    ordered = queryset.order_by(*order)
    if not query:
        return list(ordered[:stop])
    if _vendor(queryset) != "postgresql":
        return list(matching(ordered, query)[:stop])
    order_sql = ", ".join(
        f'"{name.removeprefix("-")}" {"DESC" if name.startswith("-") else "ASC"}' for name in order
    )
    connection = connections[queryset.db]
    probe = PROBE_PER_RESULT * stop
    if found > probe:
        answers = models.ExpressionWrapper(
            models.Q(_search=query.tsquery()), output_field=models.BooleanField()
        )
        walk = ordered.alias(_search=_vector(queryset.model)).annotate(_answers=answers)[:probe]
        inner, params = walk.query.sql_with_params()
        with connection.cursor() as cursor:
            # Only names the caller chose are formatted in; values are parameters.
            cursor.execute(
                f'SELECT * FROM ({inner}) AS "walk" WHERE "walk"."_answers"'  # noqa: S608
                f" ORDER BY {order_sql} LIMIT %s",
                [*params, stop],
            )
            rows = [row[:-1] for row in cursor.fetchall()]
        if len(rows) == stop:
            return rows
    # OFFSET 0 keeps the planner from walking the index for the order (which, with the
    # query's words rare early in that order, would read the table): it finds the matches
    # through the search index and sorts only them.
    every, params = matching(queryset.order_by(), query).query.sql_with_params()
    sql = f'SELECT * FROM ({every} OFFSET 0) AS "found" ORDER BY {order_sql} LIMIT %s'  # noqa: S608
    if found <= probe:
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, stop])
            return [tuple(row) for row in cursor.fetchall()]
    # A word in half the rows makes the planner prefer reading the whole table to the search
    # index, costing the test of each row's vector as nothing; but that means fetching every
    # vector from TOAST (60 ms for 20,000 supporters, where the index's bitmap takes a few).
    with transaction.atomic(using=queryset.db, savepoint=False), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        (before,) = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql, [*params, stop])
        rows = [tuple(row) for row in cursor.fetchall()]
        # Only for this query, also inside a longer transaction.
        cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])
    return rows


# --- keeping the indexes -------------------------------------------------------------------


def register(model: type[models.Model]) -> None:
    """Note that `model` is searchable (from its AppConfig.ready()), for `heal` and `rebuild`."""
    _registered[model._meta.label_lower] = model


def registered_models() -> list[type[models.Model]]:
    return [_registered[label] for label in sorted(_registered)]


def _trigger_sql(db_table: str, table: str, pk: str) -> list[str]:
    insert = f'INSERT INTO "{table}"(rowid, document) VALUES (new."{pk}", new."{COLUMN}");'  # noqa: S608
    delete = f'DELETE FROM "{table}" WHERE rowid = old."{pk}";'  # noqa: S608
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{table}_insert" AFTER INSERT ON "{db_table}"'
        f" BEGIN {insert} END",
        f'CREATE TRIGGER IF NOT EXISTS "{table}_update" AFTER UPDATE OF "{COLUMN}", "{pk}"'
        f' ON "{db_table}" BEGIN {delete} {insert} END',
        f'CREATE TRIGGER IF NOT EXISTS "{table}_delete" AFTER DELETE ON "{db_table}"'
        f" BEGIN {delete} END",
    ]


_TRIGGER_SUFFIXES = ("insert", "update", "delete")


def _names(model: type[models.Model]) -> tuple[str, str, str]:
    pk = model._meta.pk
    assert pk is not None
    return model._meta.db_table, fts_table(model), pk.column


def _refill_sqlite(connection: BaseDatabaseWrapper, model: type[models.Model]) -> None:
    db_table, table, pk = _names(model)
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608
        cursor.execute(
            f'INSERT INTO "{table}"(rowid, document)'  # noqa: S608
            f' SELECT "{pk}", "{COLUMN}" FROM "{db_table}"'
        )


def _create_sqlite(connection: BaseDatabaseWrapper, model: type[models.Model]) -> None:
    """The FTS5 table and its triggers (each created only if missing), refilled from the rows."""
    db_table, table, pk = _names(model)
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE VIRTUAL TABLE IF NOT EXISTS "{table}"'
            " USING fts5(document, tokenize = 'unicode61 remove_diacritics 0')"
        )
        for statement in _trigger_sql(db_table, table, pk):
            cursor.execute(statement)
    _refill_sqlite(connection, model)


def create_index(schema_editor: BaseDatabaseSchemaEditor, model: type[models.Model]) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for statement in _postgres_sql(model)[0]:
            schema_editor.execute(statement)
    elif connection.vendor == "sqlite":
        _create_sqlite(connection, model)


def drop_index(schema_editor: BaseDatabaseSchemaEditor, model: type[models.Model]) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for statement in _postgres_sql(model)[1]:
            schema_editor.execute(statement)
    elif connection.vendor == "sqlite":
        _db_table, table, _pk = _names(model)
        for suffix in _TRIGGER_SUFFIXES:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_{suffix}"')
        schema_editor.execute(f'DROP TABLE IF EXISTS "{table}"')


def index_operations(app_label: str, *model_names: str) -> list[RunPython]:
    """Migration operations that create (and on reversal drop) the search index of each model."""

    def models_of(apps: StateApps) -> list[type[models.Model]]:
        return [apps.get_model(app_label, name) for name in model_names]

    def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for model in models_of(apps):
            create_index(schema_editor, model)

    def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for model in models_of(apps):
            drop_index(schema_editor, model)

    return [RunPython(forwards, backwards, elidable=False)]


def _has_sqlite_index(connection: BaseDatabaseWrapper, model: type[models.Model]) -> bool:
    _db_table, table, _pk = _names(model)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
            [f"{table}%"],
        )
        names = {row[0] for row in cursor.fetchall()}
    return {table, *(f"{table}_{suffix}" for suffix in _TRIGGER_SUFFIXES)} <= names


def heal(using: str = "default") -> list[str]:
    """Re-create what a table rebuild dropped (SQLite triggers) and refill those indexes.

    Runs after every `migrate`; returns the labels of the models it had to repair."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    repaired = []
    for model in registered_models():
        if model._meta.db_table not in connection.introspection.table_names():
            continue  # not migrated yet (migrate --plan, or a partial migration)
        if _has_sqlite_index(connection, model):
            continue
        _create_sqlite(connection, model)
        repaired.append(model._meta.label)
    return repaired


def rebuild(model: type[models.Model], using: str = "default") -> int:
    """Recompute every row's search columns from its texts and refill the index; returns how
    many rows changed. A searchable model says what its columns should hold through
    `search_documents()` (and may name relations to prefetch in `SEARCH_PREFETCH`)."""
    connection = connections[using]
    manager = model._default_manager.using(using)
    rows = manager.all().prefetch_related(*getattr(model, "SEARCH_PREFETCH", ()))
    changed: list[models.Model] = []
    columns: set[str] = set()
    count = 0
    for row in rows.iterator(chunk_size=500):
        documents: dict[str, str] = row.search_documents()  # type: ignore[attr-defined]
        if any(getattr(row, column) != value for column, value in documents.items()):
            for column, value in documents.items():
                setattr(row, column, value)
            columns.update(documents)
            changed.append(row)
        if len(changed) >= 500:
            manager.bulk_update(changed, sorted(columns))
            count += len(changed)
            changed = []
    if changed:
        manager.bulk_update(changed, sorted(columns))
        count += len(changed)
    if connection.vendor == "sqlite":
        _create_sqlite(connection, model)
    return count


def heal_after_migrate(using: str = "default", **_kwargs: Any) -> None:
    """The post_migrate receiver (connected once by core's AppConfig)."""
    if global_apps.ready:
        heal(using)
