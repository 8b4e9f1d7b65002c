"""Who could answer a question: supporters and collectives' members, ranked by the matching engine.

The engine ranks documents, not people. Supporters are documents as in the support exchange
(`exchange.candidates.supporter_document`); each active collective is one document built from
its topics and descriptions, and a good collective match puts all of its members forward. The
people are then taken in the engine's order, without the asker, each with the reasons of the
document that brought them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from klinke.accounts.models import User
from klinke.collectives.models import Collective, Membership
from klinke.exchange.candidates import kind_labels, supporter_document, topic_tree
from klinke.knowledge.models import Question
from klinke.matching.documents import MatchDocument, Region
from klinke.matching.engine import rank
from klinke.matching.reasons import Reason
from klinke.supporters.models import Supporter

# How many ranked supporters and collectives to take, and at most how many people to tell.
DOCUMENTS_PER_QUESTION = 12
PEOPLE_PER_QUESTION = 20
# Factors that show a person fits the question itself; language and place alone do not.
FITTING_FACTORS = frozenset({"topic", "text"})


@dataclass(frozen=True)
class PersonFit:
    user_id: int
    score: float
    reasons: Sequence[Reason]
    via: str
    """"supporter:<slug>" or "collective:<slug>"."""

    def reason_dicts(self) -> list[dict[str, object]]:
        return [reason.as_dict() for reason in self.reasons]


def question_document(question: Question) -> MatchDocument:
    return MatchDocument(
        ref=f"question:{question.pk}",
        type="question",
        title=question.title,
        text=question.body,
        topics=frozenset(t.slug for t in question.topics.all()),
        # The asker's languages say nothing certain about who may answer; leave them unknown.
    )


def collective_document(collective: Collective) -> MatchDocument:
    region = None
    if collective.city or collective.country or collective.nuts_code:
        region = Region(
            city=collective.city,
            country=collective.country,
            nuts_code=collective.nuts_code,
            lat=collective.latitude,
            lon=collective.longitude,
        )
    return MatchDocument(
        ref=f"collective:{collective.slug}",
        type="collective",
        title=collective.name,
        text="\n".join(
            part
            for part in (
                collective.description_de,
                collective.description_en,
                collective.technologies,
            )
            if part
        ),
        topics=frozenset(t.slug for t in collective.topics.all()),
        languages=frozenset(collective.language_codes),
        region=region,
        remote=collective.remote_friendly,
    )


def rank_people_for_question(question: Question) -> list[PersonFit]:
    """The people best placed to answer `question`, best first; never the asker."""
    supporters = {
        f"supporter:{s.slug}": s
        for s in Supporter.objects.filter(
            user__isnull=False, user__is_active=True
        ).prefetch_related("topics")
    }
    collectives = {
        f"collective:{c.slug}": c for c in Collective.objects.active().prefetch_related("topics")
    }
    documents = [supporter_document(s) for s in supporters.values()]
    documents += [collective_document(c) for c in collectives.values()]
    if not documents:
        return []
    members: dict[int, list[int]] = {}
    for collective_id, user_id in Membership.objects.filter(
        collective__in=collectives.values(), user__is_active=True
    ).values_list("collective_id", "user_id"):
        members.setdefault(collective_id, []).append(user_id)
    matches = rank(
        question_document(question),
        documents,
        topics=topic_tree(),
        limit=DOCUMENTS_PER_QUESTION,
        kind_labels=kind_labels(),
    )
    people: dict[int, PersonFit] = {}
    for match in matches:
        if not any(
            reason.factor in FITTING_FACTORS and reason.score > 0 for reason in match.reasons
        ):
            continue
        if match.ref in supporters:
            user_ids = [supporters[match.ref].user_id]
        else:
            user_ids = members.get(collectives[match.ref].pk, [])
        for user_id in user_ids:
            if user_id is None or user_id == question.asker_id or user_id in people:
                continue
            people[user_id] = PersonFit(user_id, match.score, match.reasons, match.ref)
            if len(people) == PEOPLE_PER_QUESTION:
                return list(people.values())
    return list(people.values())


def users_by_id(fits: Sequence[PersonFit]) -> dict[int, User]:
    return User.objects.in_bulk([fit.user_id for fit in fits])
