"""Feeding the pure matching engine from the database, and mapping its results back.

The engine (`klinke.matching`) knows nothing of models: this module turns needs, offers and
supporters into `MatchDocument`s and returns ranked objects with their reasons. The index a
request ranks against is the worker's shared one plus the changes since
(`klinke.exchange.match_index`); no request builds an index over a whole pool.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypedDict

from django.conf import settings
from django.db.models import Count, Max, Model, Q, QuerySet
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from klinke.collectives.models import Collective, Membership
from klinke.core.languages import interface_language
from klinke.core.models import Visitor
from klinke.exchange import match_index
from klinke.exchange.match_index import Live, rank
from klinke.exchange.models import (
    HelpKind,
    Introduction,
    Need,
    Offer,
)
from klinke.matching.documents import Label, MatchDocument, Region, TopicTree
from klinke.matching.documents import Topic as TopicNode
from klinke.matching.engine import MatchIndex
from klinke.matching.reasons import Match, Reason
from klinke.matching.semantic import Embedder, load_embedder
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic

# The fewest results asked of the engine for one need's helpers (see _rank_helpers).
MIN_ENGINE_RESULTS = 50

# A collective's free person-days become hours for the availability factor.
HOURS_PER_PERSON_DAY = 8

# A rating from which an introduction counts as helpful, as does answering "helpful".
HELPFUL_RATING = 4

# Scores from which a match "fits very well", "well", "in part"; below: "a little".
STRENGTH_BANDS = (0.75, 0.6, 0.45)


@functools.cache
def _installed_embedder() -> Embedder | None:
    return load_embedder()


def semantic_embedder() -> Embedder | None:
    """The optional embedding model, when installed and not turned off in the settings."""
    return _installed_embedder() if settings.KLINKE_SEMANTIC_MATCHING else None


def topic_tree() -> TopicTree:
    """The topics as they are now: read each time (one query of plain rows), built into a
    tree only when they differ from the last ones read, so the tree and what it has worked
    out (related topics) live on between requests."""
    rows = tuple(
        Topic.objects.order_by("kind", "name_en", "pk").values_list(
            "slug", "name_en", "name_de", "parent__slug"
        )
    )
    return _tree_of(rows)


@functools.lru_cache(maxsize=2)
def _tree_of(rows: tuple[tuple[str, str, str, str | None], ...]) -> TopicTree:
    return TopicTree.from_topics(TopicNode(*row) for row in rows)


def kind_labels() -> dict[str, Label]:
    from django.utils import translation

    labels = {}
    for code, label in HelpKind.choices:
        with translation.override("en"):
            en = str(label)
        with translation.override("de"):
            de = str(label)
        labels[code] = Label(en=en, de=de)
    return labels


def _region(obj: Need | Offer | Supporter | Collective) -> Region | None:
    if not (obj.city or obj.country or obj.nuts_code or obj.latitude is not None):
        return None
    return Region(
        city=obj.city,
        country=obj.country,
        nuts_code=obj.nuts_code,
        lat=obj.latitude,
        lon=obj.longitude,
    )


def _place(own: Need | Offer, owner: Supporter | Collective) -> Region | None:
    """Where an entry is: its own place, completed from its owner's where it says no more.

    A need that only names its country (or its owner's city) still gets the owner's
    coordinates, so a reason can say "Berlin, 378 km away" instead of "also in Germany".
    """
    mine, theirs = _region(own), _region(owner)
    if mine is None or theirs is None or mine.has_coordinates:
        return mine or theirs
    same_place = not mine.city or mine.city == theirs.city
    if not same_place or (mine.country and theirs.country and mine.country != theirs.country):
        return mine
    return Region(
        city=mine.city or theirs.city,
        country=mine.country or theirs.country,
        nuts_code=mine.nuts_code or theirs.nuts_code,
        lat=theirs.lat,
        lon=theirs.lon,
    )


def need_document(need: Need) -> MatchDocument:
    collective = need.collective
    return MatchDocument(
        ref=f"need:{need.ref}",
        type="need",
        title=need.title,
        text=need.description,
        topics=frozenset(t.slug for t in need.topics.all()),
        kinds=frozenset(need.kind_codes),
        languages=frozenset(need.language_codes or collective.language_codes),
        region=_place(need, collective),
        remote=need.remote_ok,
        capacity_hours=float(need.effort_hours) if need.effort_hours else None,
    )


def offer_document(offer: Offer, open_introductions: int = 0) -> MatchDocument:
    owner = offer.owner
    languages = offer.language_codes or owner.language_codes
    return MatchDocument(
        ref=f"offer:{offer.ref}",
        type="offer",
        title=offer.title,
        text=offer.description,
        topics=frozenset(t.slug for t in offer.topics.all()),
        kinds=frozenset(offer.kind_codes),
        languages=frozenset(languages),
        region=_place(offer, owner),
        remote=offer.remote_ok,
        capacity_hours=owner_hours_per_month(owner),
        open_introductions=open_introductions,
    )


def owner_hours_per_month(owner: Supporter | Collective) -> float | None:
    """Free hours per month of whoever stands behind an offer.

    An offer's own effort is a total, not a monthly figure, so the availability factor (and
    its "h/month free" reason) reads the owner's profile instead.
    """
    if isinstance(owner, Supporter):
        return float(owner.hours_per_month) if owner.hours_per_month is not None else None
    days = owner.capacity_person_days_per_month
    return float(days * HOURS_PER_PERSON_DAY) if days is not None else None


def supporter_document(supporter: Supporter, open_introductions: int = 0) -> MatchDocument:
    return MatchDocument(
        ref=f"supporter:{supporter.slug}",
        type="supporter",
        title=supporter.name,
        text="\n".join(
            part for part in (supporter.bio_de, supporter.bio_en, supporter.organisation) if part
        ),
        topics=frozenset(t.slug for t in supporter.topics.all()),
        # A supporter profile says nothing about kinds; the engine treats that as unknown.
        kinds=frozenset(),
        languages=frozenset(supporter.language_codes),
        region=_region(supporter),
        # Advice and brokering work at a distance; a supporter's place still counts when near.
        remote=True,
        capacity_hours=float(supporter.hours_per_month)
        if supporter.hours_per_month is not None
        else None,
        open_introductions=open_introductions,
    )


Candidate: TypeAlias = Need | Offer | Supporter
"""What the engine can suggest: a need (to helpers), an offer or a supporter (to needs)."""

Pool: TypeAlias = dict[str, Candidate]
"""The candidates of one index, by their engine reference."""


class MatchDict(TypedDict):
    """A ranked candidate as the API sends it."""

    type: str
    ref: str
    score: float
    name: str
    reasons: list[dict[str, object]]
    also: list[MatchDict]


@dataclass(frozen=True)
class RankedCandidate:
    """One suggestion: the object, its score and the reasons, ready for templates and APIs."""

    type: str
    ref: str
    score: float
    reasons: Sequence[Reason]
    obj: Any
    """The suggested object: mostly a `Candidate`; the workbench ranks collectives too."""
    # The party's other fitting offers, best first, each with its own (lower) score.
    also: tuple[RankedCandidate, ...] = ()

    @classmethod
    def from_match(cls, match: Match, obj: object) -> RankedCandidate:
        """The engine's match for `obj`; the engine's ref is "<type>:<ref>", ours the part after."""
        return cls(
            type=match.type,
            ref=match.ref.split(":", 1)[1],
            score=match.score,
            reasons=match.reasons,
            obj=obj,
        )

    @property
    def score_text(self) -> str:
        """The score as a page shows it ("Passung 0,88"), as `{% blocktranslate with
        score=...|floatformat:2 %}score {{ score }}{% endblocktranslate %}` would."""
        return _score_text(self.score, interface_language())

    @property
    def strength(self) -> str:
        """The score in plain words, for beside the number ("Passung 0,77")."""
        return fit_strength(self.score)

    @property
    def reason_texts(self) -> list[str]:
        language = interface_language()
        return [text for reason in self.reasons if (text := reason.text(language))]

    # Templates read these several times per row: each is worked out once (a frozen
    # dataclass still has a __dict__ for cached_property to keep its value in).
    @functools.cached_property
    def name(self) -> str:
        return str(getattr(self.obj, "title", None) or self.obj.name)

    @functools.cached_property
    def owner_name(self) -> str:
        return str(getattr(self.obj, "owner_name", "") or "")

    @functools.cached_property
    def item_url(self) -> str:
        """The offer to read before asking, or "" for a supporter suggested as a whole."""
        return self.obj.get_absolute_url() if isinstance(self.obj, Offer) else ""

    @functools.cached_property
    def profile_url(self) -> str:
        """The profile of the person or collective behind the suggestion."""
        return str(self.counterpart.get_absolute_url())

    @property
    def counterpart(self) -> Supporter | Collective:
        if isinstance(self.obj, Offer):
            return self.obj.owner
        assert isinstance(self.obj, Supporter)
        return self.obj

    def as_dict(self) -> MatchDict:
        return {
            "type": self.type,
            "ref": self.ref,
            "score": self.score,
            "name": self.name,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "also": [entry.as_dict() for entry in self.also],
        }


@functools.lru_cache(maxsize=1024)
def _score_text(score: float, language: str) -> str:
    # Scores have four decimals and repeat (a party's offers): each is formatted once per
    # language; `language` is the active one, which gettext and floatformat read.
    return _("score %(score)s") % {"score": floatformat(score, 2)}


def fit_strength(score: float) -> str:
    """A match score in plain words; the bands are documented in `matching/weights.py`."""
    if score >= STRENGTH_BANDS[0]:
        return _("fits very well")
    if score >= STRENGTH_BANDS[1]:
        return _("fits well")
    if score >= STRENGTH_BANDS[2]:
        return _("fits in part")
    return _("fits a little")


def helpful_feedback() -> dict[str, dict[str, int]]:
    """Helpful introductions per engine ref and need topic, for `rank(feedback=...)`.

    An introduction is helpful when its requester said so or rated it 4 or 5 (see
    `Weights.feedback`); it counts for the counterpart's profile and for all its offers. Read
    per request, so the index never holds it: one query, and two more only if any exist.
    """
    rows = (
        Introduction.objects.filter(Q(helpful=True) | Q(rating__gte=HELPFUL_RATING))
        .values_list("counterpart_key", "need__topics__slug")
        .annotate(n=Count("pk", distinct=True))
    )
    by_party: dict[str, dict[str, int]] = {}
    for key, slug, n in rows:
        if slug is not None:  # a need without topics
            by_party.setdefault(key, {})[slug] = n
    if not by_party:
        return {}
    supporters = {int(k.split(":")[1]) for k in by_party if k.startswith("supporter:")}
    collectives = {int(k.split(":")[1]) for k in by_party if k.startswith("collective:")}
    feedback: dict[str, dict[str, int]] = {}
    for slug, pk in Supporter.objects.filter(pk__in=supporters).values_list("slug", "pk"):
        feedback[f"supporter:{slug}"] = by_party[f"supporter:{pk}"]
    offers = Offer.objects.filter(
        Q(supporter_id__in=supporters) | Q(collective_id__in=collectives)
    ).values_list("ref", "supporter_id", "collective_id")
    for ref, supporter_id, collective_id in offers:
        key = f"supporter:{supporter_id}" if supporter_id else f"collective:{collective_id}"
        feedback[f"offer:{ref}"] = by_party[key]
    return feedback


class _IndexCache:
    """Built indexes kept per process until their pool's version stamp changes.

    Only for small pools built from few rows (workshop hosts); the exchange's pools are
    built by the worker and shared (`klinke.exchange.match_index`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[tuple[object, ...], MatchIndex, Pool]] = {}

    def get(
        self, name: str, version: tuple[object, ...], build: Callable[[], tuple[MatchIndex, Pool]]
    ) -> tuple[MatchIndex, Pool]:
        with self._lock:
            entry = self._entries.get(name)
            if entry is not None and entry[0] == version:
                return entry[1], entry[2]
        index, objects = build()
        with self._lock:
            self._entries[name] = (version, index, objects)
        return index, objects

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
        match_index.overlay_cache.clear()
        match_index.ranking_cache.clear()
        match_index.generation_rankings.clear()


index_cache = _IndexCache()


def _stamp(queryset: QuerySet[Model], field: str = "updated_at") -> tuple[object, ...]:
    row = queryset.aggregate(n=Count("pk"), last=Max(field))
    return (row["n"], row["last"])


def _visible(obj: Candidate, user: Visitor | None) -> bool:
    from klinke.core.models import Visibility, is_network_member

    return obj.visibility == Visibility.PUBLIC or is_network_member(user)


def _ranked(
    matches: Iterable[Match],
    objects: Pool,
    keep: Callable[[Candidate], bool],
    limit: int,
    *,
    one_per_counterpart: bool = False,
) -> list[RankedCandidate]:
    """Turn engine matches into ranked objects, dropping those `keep` refuses.

    With `one_per_counterpart`, a supporter (or collective) and their offers are one party
    to ask. The party takes the place of its best entry and shows that very entry, so the
    score on a row is the one that placed it and rows read in score order for any `limit`.
    Its other fitting offers follow in `also`, best first; a profile that ranks below one of
    the party's offers adds nothing the offer does not say and is left out.
    """
    kept: list[RankedCandidate] = []
    for match in matches:
        obj = objects.get(match.ref)
        if obj is None or not keep(obj):
            continue
        kept.append(RankedCandidate.from_match(match, obj))
    if not one_per_counterpart:
        return kept[:limit]
    # `kept` is best first, so a party's first entry is its best and dicts keep that order.
    by_party: dict[str, list[RankedCandidate]] = {}
    for candidate in kept:
        by_party.setdefault(Introduction.key_for(candidate.counterpart), []).append(candidate)
    result: list[RankedCandidate] = []
    for best, *rest in list(by_party.values())[:limit]:
        further = tuple(entry for entry in rest if isinstance(entry.obj, Offer))
        result.append(dataclasses.replace(best, also=further))
    return result


def rank_helpers_for_need(
    need: Need,
    *,
    user: Visitor | None = None,
    limit: int = 10,
    member_ids: set[int] | None = None,
) -> list[RankedCandidate]:
    """Offers and supporters that could help with `need`, best first, with reasons.

    `member_ids`, the users of the need's collective, when the caller has read them already.
    """
    members = None if member_ids is None else {need.collective_id: member_ids}
    return rank_helpers_for_needs([need], user=user, limit=limit, members=members)[0][1]


def rank_helpers_for_needs(
    needs: Iterable[Need],
    *,
    user: Visitor | None = None,
    limit: int = 10,
    members: dict[int, set[int]] | None = None,
) -> list[tuple[Need, list[RankedCandidate]]]:
    """`rank_helpers_for_need` for several needs, with the same few queries for all of them.

    `members`, the users of each need's collective by its pk, when the caller has them."""
    needs = list(needs)
    if not needs:
        return []
    live = match_index.live_index(match_index.HELPERS)
    if live is None:  # the worker has not built the first index yet
        return [(need, []) for need in needs]
    tree = topic_tree()
    labels = kind_labels()
    feedback = helpful_feedback()
    if members is None:
        members = {need.collective_id: set() for need in needs}
        rows = Membership.objects.filter(collective_id__in=members).order_by()
        for collective_id, user_id in rows.values_list("collective_id", "user_id"):
            members[collective_id].add(user_id)
    if len(needs) > 1:
        # Rank every need first and load the suggested objects for all of them at once.
        live.objects.defer()
        for need in needs:
            _rank_helpers(
                need,
                live,
                live.objects,
                tree,
                labels,
                members[need.collective_id],
                user,
                limit,
                feedback=feedback,
            )
        live.objects.load_deferred()
    return [
        (
            need,
            _rank_helpers(
                need,
                live,
                live.objects,
                tree,
                labels,
                members[need.collective_id],
                user,
                limit,
                feedback=feedback,
            ),
        )
        for need in needs
    ]


def _rank_helpers(
    need: Need,
    index: Live,
    objects: Pool,
    tree: TopicTree,
    labels: dict[str, Label],
    member_ids: set[int],
    user: Visitor | None,
    limit: int,
    *,
    feedback: dict[str, dict[str, int]] | None = None,
) -> list[RankedCandidate]:
    def keep(obj: Candidate) -> bool:
        # Nobody is suggested to help their own collective: not the collective's own
        # offers, nor its members' supporter profiles or their offers.
        if isinstance(obj, Offer):
            if obj.collective_id == need.collective_id:
                return False
            if obj.supporter is not None and obj.supporter.user_id in member_ids:
                return False
        if isinstance(obj, Supporter) and obj.user_id in member_ids:
            return False
        return _visible(obj, user)

    # Ask for extra results, since some are filtered out after ranking: own members, and a
    # party's further entries. Never fewer than a page's worth, so that which further offers
    # a party shows does not depend on how many rows were asked for.
    matches = rank(
        need_document(need),
        index,
        topics=tree,
        limit=max(2 * limit, MIN_ENGINE_RESULTS) + len(member_ids) + 10,
        kind_labels=labels,
        feedback=feedback,
    )
    return _ranked(matches, objects, keep, limit, one_per_counterpart=True)


def rank_needs_for_document(
    document: MatchDocument,
    *,
    exclude_collective_id: int | None,
    user: Visitor | None = None,
    limit: int = 10,
) -> list[RankedCandidate]:
    live = match_index.live_index(match_index.NEEDS)
    if live is None:  # the worker has not built the first index yet
        return []
    index, objects = live, live.objects

    def keep(obj: Candidate) -> bool:
        return (
            isinstance(obj, Need)
            and obj.collective_id != exclude_collective_id
            and _visible(obj, user)
        )

    matches = rank(
        document, index, topics=topic_tree(), limit=limit + 20, kind_labels=kind_labels()
    )
    return _ranked(matches, objects, keep, limit)


def rank_needs_for_offer(
    offer: Offer, *, user: Visitor | None = None, limit: int = 10
) -> list[RankedCandidate]:
    """Needs that `offer` could answer, best first, with reasons."""
    return rank_needs_for_document(
        offer_document(offer), exclude_collective_id=offer.collective_id, user=user, limit=limit
    )


def rank_needs_for_supporter(
    supporter: Supporter, *, user: Visitor | None = None, limit: int = 10
) -> list[RankedCandidate]:
    return rank_needs_for_document(
        supporter_document(supporter), exclude_collective_id=None, user=user, limit=limit
    )
