"""What collectives and supporters share: a findable directory profile."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeAlias, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models, router
from django.db.models import Exists, Q, Value
from django.db.models.functions import Length, Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.core import gazetteer
from klinke.core.languages import LANGUAGE_NAMES, WORKING_LANGUAGES

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest

Visitor: TypeAlias = "AbstractBaseUser | AnonymousUser"
"""Whoever makes a request: `request.user`, signed in or not."""


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Network members only")


# Who belongs to the network is decided by the apps above core: each registers, from its
# AppConfig.ready(), a check for the role it grants (a collective's member, a supporter, a
# steward) and the rows that prove it. Core asks the question without importing the apps that
# know the answer, and asks it in one query: every page asks it once for its visitor.
_network_roles: dict[str, Callable[[Visitor], bool]] = {}
_network_role_rows: dict[str, Callable[[int], models.QuerySet[Any]]] = {}


def register_network_role(
    name: str,
    holds_role: Callable[[Visitor], bool],
    rows: Callable[[int], models.QuerySet[Any]],
) -> None:
    """Count everyone for whom `holds_role(user)` is true as a network member; `rows(user_pk)`
    are the rows that exist exactly when it is true (the same question as a subquery)."""
    _network_roles[name] = holds_role
    _network_role_rows[name] = rows
    _network_member_sql.clear()


# Building and compiling the OR of the roles' EXISTS subqueries costs several times what the
# query itself costs (about 2 ms of CPU against 0.3 ms), and every page of a signed-in person
# asks it. The SQL depends only on the registered roles and the database, so it is compiled
# once per process and database, with a stand-in primary key whose parameter slots are then
# filled with the visitor's.
_STAND_IN_PK = -7_340_033  # no row has it: primary keys are positive
_network_member_sql: dict[str, tuple[str, tuple[Any, ...], tuple[int, ...]]] = {}


def _compiled_network_member_query(alias: str) -> tuple[str, tuple[Any, ...], tuple[int, ...]]:
    """(sql, params, the positions in params that hold the visitor's primary key)."""
    compiled = _network_member_sql.get(alias)
    if compiled is None:
        proofs = [Q(Exists(rows(_STAND_IN_PK))) for rows in _network_role_rows.values()]
        users = get_user_model()._default_manager.using(alias)
        query = users.filter(pk=_STAND_IN_PK).filter(reduce(or_, proofs)).query.exists()
        sql, params = query.get_compiler(alias).as_sql()
        slots = tuple(i for i, param in enumerate(params) if param == _STAND_IN_PK)
        # The visitor's key appears once for the user and at least once in each role's rows;
        # a role whose rows() does not filter on it would be asked for nobody in particular.
        assert len(slots) > len(_network_role_rows), "a network role's rows ignore the user"
        compiled = _network_member_sql[alias] = (sql, tuple(params), slots)
    return compiled


def _ask_network_member(pk: int) -> bool:
    """Whether the user `pk` belongs to the network, kept by each web process until the data
    change (`klinke.core.fragments.kept_value`)."""
    from klinke.core import fragments

    return fragments.kept_value("network-member", (pk,), lambda: _query_network_member(pk))


def _query_network_member(pk: int) -> bool:
    alias = router.db_for_read(get_user_model())
    sql, params, slots = _compiled_network_member_query(alias)
    values = list(params)
    for slot in slots:
        values[slot] = pk
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone() is not None


def signed_in_pk(user: Visitor | None) -> int | None:
    """The primary key of a signed-in person; None for an anonymous visitor or nobody."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    pk: int = user.pk
    return pk


def network_roles() -> list[str]:
    return sorted(_network_roles)


def is_network_member(user: Visitor | None) -> bool:
    """Whether `user` belongs to the network: holds a role an app registered (a steward, a
    collective's member, a supporter). Asked once per request and user object, in one query."""
    pk = signed_in_pk(user)
    if pk is None:
        return False
    cached: bool | None = getattr(user, "_is_network_member", None)
    if cached is None:
        held: dict[str, bool] = getattr(user, "_network_roles_held", {})
        if getattr(user, "is_superuser", False) or any(held.values()):
            cached = True
        else:
            cached = bool(_network_role_rows) and _ask_network_member(pk)
        setattr(user, "_is_network_member", cached)  # noqa: B010 - a per-request cache
    return cached


def holds_network_role(user: Visitor | None, name: str) -> bool:
    """Whether `user` holds the role an app registered as `name` ("supporter"), asked once
    per request and user object."""
    if user is None or not user.is_authenticated or name not in _network_roles:
        return False
    held: dict[str, bool] | None = getattr(user, "_network_roles_held", None)
    if held is None:
        held = {}
        setattr(user, "_network_roles_held", held)  # noqa: B010 - a per-request cache
    if name not in held:
        held[name] = _network_roles[name](user)
    return held[name]


# The roles a signed-in person's session remembers, so the user menu on every page can say
# "My supporter profile" or "Become a supporter" without asking the database each time. Set
# when they log in and when the app that grants the role changes it; asked once otherwise.
SESSION_ROLES_KEY = "network_roles"


def remember_network_role(session: SessionBase, name: str, held: bool) -> None:
    session[SESSION_ROLES_KEY] = {**session.get(SESSION_ROLES_KEY, {}), name: held}


def session_holds_network_role(request: HttpRequest, name: str) -> bool:
    """Whether the signed-in person holds role `name`, as their session remembers it."""
    if not request.user.is_authenticated:
        return False
    roles: dict[str, bool] = request.session.get(SESSION_ROLES_KEY, {})
    if name not in roles:
        remember_network_role(request.session, name, holds_network_role(request.user, name))
        roles = request.session[SESSION_ROLES_KEY]
    return bool(roles[name])


def split_languages(value: str) -> list[str]:
    return [code for code in value.split(",") if code]


_Profile = TypeVar("_Profile", bound="DirectoryProfile")


class DirectoryProfileQuerySet(models.QuerySet[_Profile]):
    def visible_to(self, user: Visitor) -> Self:
        if is_network_member(user):
            return self
        return self.filter(visibility=Visibility.PUBLIC)

    def speaking(self, language: str) -> Self:
        # Languages are stored as ",de,en," so one code cannot match inside another.
        return self.filter(languages__contains=f",{language},")

    def in_region(self, region: str) -> Self:
        region = region.strip()
        if not region:
            return self
        # Codes are stored in capitals (their validators say so), so each part of this can be
        # answered by an index: nuts_code and country (with PostgreSQL's pattern index for the
        # prefix), and the profile's index on UPPER(city).
        code = region.upper()
        return self.filter(Q(nuts_code__startswith=code) | Q(country=code) | Q(city__iexact=region))

    def matching_terms(self, terms: list[str]) -> Self:
        """Profiles whose search document holds every term, found through the search index."""
        from klinke.core import search

        return search.matching(self, search.TextQuery.all_of(terms))

    def found_by(
        self,
        *,
        text: str = "",
        topics: models.QuerySet[models.Model] | None = None,
        region: str = "",
        language: str = "",
    ) -> Self:
        """The directory's filters: every term of `text`, any of `topics`, region, language.

        `topics` is a Topic queryset (already widened to subtopics) or None for no filter.
        """
        from klinke.matching.analysis import query_terms

        queryset = self
        if text:
            queryset = queryset.matching_terms(query_terms(text))
        if topics is not None:
            queryset = queryset.filter(topics__in=topics).distinct()
        if region:
            queryset = queryset.in_region(region)
        if language:
            queryset = queryset.speaking(language)
        return queryset


class NamedTopic(Protocol):
    name_de: str
    name_en: str


class TopicSet(Protocol):
    """A row's topics (a many-to-many to `topics.Topic`, an app above core)."""

    def all(self) -> Iterable[NamedTopic]: ...


def topic_names(topics: TopicSet) -> list[str]:
    """Both languages' names of each topic, for a search document."""
    return [f"{topic.name_de} {topic.name_en}" for topic in topics.all()]


class DirectoryProfile(models.Model):
    """Fields and behaviour common to everything the directory lists."""

    # Each concrete profile declares its own many-to-many to Topic (an app above core).
    topics: TopicSet

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        db_index=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter country code, e.g. DE."))],
        help_text=_("Two-letter code, e.g. DE, AT, CH."),
    )
    nuts_code = models.CharField(
        _("NUTS code"),
        max_length=5,
        blank=True,
        db_index=True,
        validators=[RegexValidator(r"^[A-Z]{2}[A-Z0-9]{0,3}$", _("A NUTS code such as DED51."))],
        help_text=_("The EU region code, e.g. DED51 for Leipzig."),
    )
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    languages = models.CharField(_("languages"), max_length=200, blank=True, default="")
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Invented for the demo network.")
    )
    search_document = models.TextField(editable=False, default="")
    # How many terms the search document holds (" a b c " has four spaces: three terms), kept
    # by the database itself, so every write path stays in step. It ranks search results: a
    # document holds each term once, so for a query whose terms must all be found, BM25 comes
    # down to the document's length (the more focused profile first), and an index on
    # (search_length, LOWER(name), id) yields the best results in order without ranking every
    # match (`directory.search`).
    search_length = models.GeneratedField(
        expression=Length("search_document")
        - Length(Replace("search_document", Value(" "), Value("")))
        - 1,
        output_field=models.IntegerField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def language_codes(self) -> list[str]:
        return split_languages(self.languages)

    @language_codes.setter
    def language_codes(self, codes: list[str]) -> None:
        known = [code for code, _label in WORKING_LANGUAGES]
        ordered = sorted(set(codes), key=known.index)
        self.languages = f",{','.join(ordered)}," if ordered else ""

    @property
    def language_names(self) -> list[str]:
        return [str(LANGUAGE_NAMES.get(code, code)) for code in self.language_codes]

    @property
    def region_label(self) -> str:
        return ", ".join(part for part in (self.city, self.country) if part)

    def fill_place_from_city(self, *, previous_city: str = "") -> list[str]:
        """Fill the country, NUTS code and coordinates that are empty from the city, where
        the offline gazetteer knows it; returns the names of the fields it set.

        What people typed stays. A value the gazetteer gave for ``previous_city`` counts as
        not typed: a profile that moves from Leipzig to Köln does not keep Leipzig's region.
        """
        before = gazetteer.find(previous_city) if previous_city else None
        typed_country = "" if before and self.country == before.country else self.country
        place = gazetteer.find(self.city, typed_country)
        if place is None:
            return []
        derived = {
            "country": place.country,
            "nuts_code": place.nuts_code,
            "latitude": place.latitude,
            "longitude": place.longitude,
        }
        changed = []
        for field, value in derived.items():
            current = getattr(self, field)
            was_derived = before is not None and current == getattr(before, field)
            if current in ("", None) or (was_derived and current != value):
                setattr(self, field, value)
                changed.append(field)
        return changed

    def texts_for_search(self) -> list[str]:
        """Texts the directory search indexes; subclasses add their own."""
        return [self.name, self.city, *topic_names(self.topics)]

    def search_documents(self) -> dict[str, str]:
        """The search columns and what they should hold (see `core.search.rebuild`)."""
        from klinke.matching.analysis import search_document

        return {"search_document": search_document(*self.texts_for_search())}

    def refresh_search_document(self) -> None:
        """Store the search document; the database's search index follows the column."""
        self.search_document = self.search_documents()["search_document"]
        type(self)._default_manager.filter(pk=self.pk).update(search_document=self.search_document)


class NotificationKind(models.TextChoices):
    """Kinds of email a person can turn off, each with a link in every such email."""

    INTRODUCTIONS = "introductions", _("introductions")
    EXPIRY = "expiry", _("expiring needs and offers")
    DIGESTS = "digests", _("digests and reminders")
    EVENTS = "events", _("workshops and events")
    QUESTIONS = "questions", _("questions that fit you")
    WORKBENCH = "workbench", _("your collective's workbench")


class NotificationMute(models.Model):
    """A kind of notification one person has turned off."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="muted_notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_mute_per_kind")]

    def __str__(self) -> str:
        return f"{self.user} mutes {self.kind}"
