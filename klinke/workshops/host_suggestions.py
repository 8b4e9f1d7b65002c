"""Suggesting hosts for a workshop idea with the matching engine.

The idea becomes a query document asking for the kind "workshop". It is ranked against the
exchange's shared helpers index (current offers and supporter profiles, built by the worker,
see `klinke.exchange.match_index`), so no request builds an index; offers of other kinds are
dropped from the result. Each person or collective is suggested once, under their
best-scoring document (a supporter with a workshop offer usually under that offer).
"""

from __future__ import annotations

from klinke.core.models import Visibility, Visitor, is_network_member
from klinke.exchange import match_index
from klinke.exchange.candidates import RankedCandidate, kind_labels, topic_tree
from klinke.exchange.models import HelpKind, Offer
from klinke.matching.documents import MatchDocument
from klinke.supporters.models import Supporter
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
    live = match_index.live_index(match_index.HELPERS)
    if live is None:  # the worker has not built the first index yet
        return []
    proposer_ids = {person.pk for person in idea.proposers.all()}
    # Offers of other kinds are in the pool too and are dropped below: ask for more.
    matches = match_index.rank(
        document, live, topics=topic_tree(), limit=limit * 6 + 20, kind_labels=kind_labels()
    )
    objects = live.objects
    seen: set[str] = set()
    result: list[RankedCandidate] = []
    for match in matches:
        obj = objects.get(match.ref)
        # The pool holds offers and supporters only.
        if not isinstance(obj, Offer | Supporter) or not _visible(obj, user):
            continue
        if isinstance(obj, Offer) and WORKSHOP not in obj.kind_codes:
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
