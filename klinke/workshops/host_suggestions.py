"""Suggesting hosts for a workshop idea with the matching engine.

The idea becomes a query document asking for the kind "workshop". Candidates are current
offers of that kind and supporter profiles, built with the exchange's document builders; a
supporter who has a workshop offer is marked as offering workshops. The engine ranks them with
reasons, and each person or collective is suggested once, under their best-scoring document.
"""

from __future__ import annotations

import dataclasses

from django.db.models import Count, Max
from django.utils import timezone

from klinke.core.models import Visibility, Visitor, is_network_member
from klinke.exchange.candidates import (
    Pool,
    RankedCandidate,
    index_cache,
    kind_labels,
    offer_document,
    supporter_document,
    topic_tree,
)
from klinke.exchange.models import HelpKind, Offer, OfferQuerySet
from klinke.matching.documents import MatchDocument
from klinke.matching.engine import MatchIndex, rank
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic
from klinke.workshops.models import WorkshopIdea

WORKSHOP = HelpKind.WORKSHOP.value


def idea_document(idea: WorkshopIdea) -> MatchDocument:
    return MatchDocument(
        ref=f"idea:{idea.pk}",
        type="idea",
        title=idea.title,
        text=idea.description,
        topics=frozenset(t.slug for t in idea.topics.all()),
        kinds=frozenset({WORKSHOP}),
        languages=frozenset({idea.language}),
        region=None,
        remote=True,
        capacity_hours=None,
    )


def _workshop_offers() -> OfferQuerySet:
    # Kinds are stored comma-separated; no other kind's code contains "workshop".
    return (
        Offer.objects.current()
        .filter(kinds__contains=WORKSHOP)
        .select_related("supporter", "collective")
        .prefetch_related("topics")
    )


def _pool_version() -> tuple[object, ...]:
    offers = Offer.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    supporters = Supporter.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return (
        timezone.localdate(),
        tuple(offers.values()),
        tuple(supporters.values()),
        Topic.objects.count(),
    )


def _build_pool() -> tuple[MatchIndex, Pool]:
    documents: list[MatchDocument] = []
    objects: Pool = {}
    offering: set[int] = set()
    for offer in _workshop_offers():
        doc = offer_document(offer)
        documents.append(doc)
        objects[doc.ref] = offer
        if offer.supporter_id is not None:
            offering.add(offer.supporter_id)
    for supporter in Supporter.objects.prefetch_related("topics"):
        doc = supporter_document(supporter)
        if supporter.pk in offering:
            doc = dataclasses.replace(doc, kinds=frozenset({WORKSHOP}))
        documents.append(doc)
        objects[doc.ref] = supporter
    return MatchIndex.build(documents), objects


def _owner_key(obj: Offer | Supporter) -> str:
    if isinstance(obj, Offer):
        if obj.supporter_id is not None:
            return f"supporter:{obj.supporter_id}"
        return f"collective:{obj.collective_id}"
    return f"supporter:{obj.pk}"


def _visible(obj: Offer | Supporter, user: Visitor | None) -> bool:
    if is_network_member(user):
        return True
    if obj.visibility != Visibility.PUBLIC:
        return False
    if isinstance(obj, Offer):
        return bool(obj.owner.visibility == Visibility.PUBLIC)
    return True


def suggest_hosts(
    idea: WorkshopIdea, *, user: Visitor | None = None, limit: int = 5
) -> list[RankedCandidate]:
    """Supporters and workshop offers that could host `idea`, best first, with reasons.

    The idea's own proposers are left out; so is anything `user` may not see.
    """
    document = idea_document(idea)
    if not document.topics and not document.text.strip():
        return []
    index, objects = index_cache.get("workshop-hosts", _pool_version(), _build_pool)
    proposer_ids = {person.pk for person in idea.proposers.all()}
    matches = rank(
        document, index, topics=topic_tree(), limit=limit * 3 + 10, kind_labels=kind_labels()
    )
    seen: set[str] = set()
    result: list[RankedCandidate] = []
    for match in matches:
        obj = objects.get(match.ref)
        # The pool holds offers and supporters only.
        if not isinstance(obj, Offer | Supporter) or not _visible(obj, user):
            continue
        supporter = obj if isinstance(obj, Supporter) else obj.supporter
        if supporter is not None and supporter.user_id in proposer_ids:
            continue
        key = _owner_key(obj)
        if key in seen:
            continue
        seen.add(key)
        result.append(RankedCandidate.from_match(match, obj))
        if len(result) == limit:
            break
    return result
