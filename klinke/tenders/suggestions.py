"""Which collectives could join a consortium for a tender: ranked by the shared matching engine.

The tender is the query: its titles, descriptions and lot titles as text, its CPV codes as
topics of the CPV tree (`klinke.tenders.cpv.tree`), its place of performance as the region.
Each other collective is a candidate: its texts (`klinke.workbench.candidates`), the keywords of
its tender profile, and as topics its profile's CPV codes, or else the CPV codes its own topics
name. The engine's reasons ("Knows about …", "Writes about …", "Is in Saxony") are shown.

Red lines are not used here: they are private, and leaving a collective out would tell the
inviting collective something about them. The invited collective sees the tender screened
against its own red lines, with evidence, when it answers.
"""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Prefetch

from klinke.collectives.models import Collective, Reference
from klinke.core.models import Visitor
from klinke.exchange.candidates import RankedCandidate
from klinke.matching.documents import MatchDocument, Region
from klinke.matching.engine import rank
from klinke.tenders import cpv
from klinke.tenders.models import SEEING_STATES, Consortium, ConsortiumMember, Tender
from klinke.workbench.candidates import collective_document

SUGGESTIONS = 6


def tender_document(tender: Tender) -> MatchDocument:
    lots = list(tender.lots.all())
    nuts = tender.nuts[0] if tender.nuts else ""
    country = (tender.countries or [tender.buyer_country or ""])[0]
    region = Region(country=country, nuts_code=nuts) if (nuts or country) else None
    return MatchDocument(
        ref=f"tender:{tender.pk}",
        type="tender",
        title=" ".join(tender.title.values()),
        text="\n".join(
            [*tender.description.values(), *(t for lot in lots for t in lot.title.values())]
        ),
        topics=frozenset(cpv.pad(code) for code in tender.cpv_codes),
        languages=frozenset({tender.language} if tender.language else set()),
        region=region,
        remote=tender.anywhere,
    )


def candidate_document(collective: Collective) -> MatchDocument:
    base = collective_document(collective)
    profile = getattr(collective, "tender_profile", None)
    codes: list[str] = list(profile.cpv_codes) if profile is not None else []
    if not codes:
        codes = cpv.for_words(*(t.name_en for t in collective.topics.all()), per_text=2)
    keywords = profile.keywords if profile is not None else []
    return replace(
        base,
        text="\n".join([base.text, *keywords]),
        topics=frozenset(cpv.pad(code) for code in codes),
    )


def suggest_collectives(
    consortium: Consortium, *, user: Visitor, limit: int = SUGGESTIONS
) -> list[RankedCandidate]:
    """Other active collectives that could join, best first, with the engine's reasons.

    Collectives already in this consortium, or in another one for the same tender, are left
    out: they could not accept.
    """
    busy = ConsortiumMember.objects.filter(
        tender_id=consortium.tender_id, state__in=SEEING_STATES
    ).values("collective_id")
    collectives = (
        Collective.objects.active()
        .visible_to(user)
        .exclude(pk__in=busy)
        .exclude(pk=consortium.initiator_id)
        .select_related("tender_profile")
        .prefetch_related("topics", Prefetch("references", Reference.objects.order_by("pk")))
    )
    objects: dict[str, Collective] = {}
    documents = []
    for collective in collectives:
        document = candidate_document(collective)
        documents.append(document)
        objects[document.ref] = collective
    if not documents:
        return []
    matches = rank(tender_document(consortium.tender), documents, topics=cpv.tree(), limit=limit)
    return [
        RankedCandidate.from_match(match, objects[match.ref])
        for match in matches
        if match.ref in objects
    ]
