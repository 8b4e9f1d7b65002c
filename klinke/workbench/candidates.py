"""Which collectives could take a lead: collectives and leads as `MatchDocument`s for the
pure matching engine, ranked with the same reasons the support exchange shows.
"""

from __future__ import annotations

from django.db.models import Prefetch

from klinke.collectives.models import Collective, Reference
from klinke.core.models import Visitor
from klinke.exchange.candidates import RankedCandidate, topic_tree
from klinke.matching.documents import MatchDocument, Region
from klinke.matching.engine import rank
from klinke.workbench.models import Lead

HOURS_PER_PERSON_DAY = 8


def _region(
    city: str, country: str, nuts_code: str = "", lat: float | None = None, lon: float | None = None
) -> Region | None:
    if not (city or country or nuts_code or lat is not None):
        return None
    return Region(city=city, country=country, nuts_code=nuts_code, lat=lat, lon=lon)


def collective_document(collective: Collective) -> MatchDocument:
    """A collective as a candidate: its topics, descriptions, technologies and references."""
    texts = [
        collective.description_de,
        collective.description_en,
        collective.technologies,
        collective.values_statement,
        *(reference.summary for reference in collective.references.all()),
    ]
    capacity = collective.capacity_person_days_per_month
    return MatchDocument(
        ref=f"collective:{collective.slug}",
        type="collective",
        title=collective.name,
        text="\n".join(text for text in texts if text),
        topics=frozenset(t.slug for t in collective.topics.all()),
        languages=frozenset(collective.language_codes),
        region=_region(
            collective.city,
            collective.country,
            collective.nuts_code,
            collective.latitude,
            collective.longitude,
        ),
        remote=collective.remote_friendly,
        capacity_hours=float(capacity * HOURS_PER_PERSON_DAY) if capacity is not None else None,
    )


def lead_document(lead: Lead) -> MatchDocument:
    """A lead as the query: what the client wants, where, in the collective's languages."""
    organisation = lead.organisation
    region = _region(organisation.city, organisation.country) if organisation else None
    return MatchDocument(
        ref=f"lead:{lead.pk}",
        type="lead",
        title=lead.title,
        text=lead.description,
        topics=frozenset(t.slug for t in lead.topics.all()),
        languages=frozenset(lead.collective.language_codes),
        region=region,
        remote=region is None,
    )


def rank_collectives_for_lead(
    lead: Lead, *, user: Visitor, limit: int = 8
) -> list[RankedCandidate]:
    """Other active collectives that could take `lead`, best first, with reasons."""
    collectives = (
        Collective.objects.active()
        .visible_to(user)
        .exclude(pk=lead.collective_id)
        .prefetch_related("topics", Prefetch("references", Reference.objects.order_by("pk")))
    )
    objects = {}
    documents = []
    for collective in collectives:
        document = collective_document(collective)
        documents.append(document)
        objects[document.ref] = collective
    if not documents:
        return []
    matches = rank(lead_document(lead), documents, topics=topic_tree(), limit=limit)
    return [
        RankedCandidate(
            type=match.type,
            ref=match.ref.split(":", 1)[1],
            score=match.score,
            reasons=match.reasons,
            obj=objects[match.ref],
        )
        for match in matches
        if match.ref in objects
    ]
