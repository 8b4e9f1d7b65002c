"""Needs and offers for tests, built the way the pages build them."""

from typing import Any

from klinke.collectives.models import Collective
from klinke.exchange.models import Need, Offer
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic


def make_need(collective: Collective, title: str, description: str, **fields: Any) -> Need:
    topics = fields.pop("topics", [])
    kinds = fields.pop("kinds", ["experience-exchange"])
    need = Need(collective=collective, title=title, description=description, **fields)
    need.kind_codes = kinds
    if not need.languages:
        need.language_codes = collective.language_codes
    need.save()
    need.topics.set(Topic.objects.filter(slug__in=topics))
    return need


def make_offer(owner: Supporter | Collective, title: str, description: str, **fields: Any) -> Offer:
    topics = fields.pop("topics", [])
    kinds = fields.pop("kinds", ["experience-exchange"])
    offer = Offer(title=title, description=description, **fields)
    if isinstance(owner, Supporter):
        offer.supporter = owner
    else:
        offer.collective = owner
    offer.kind_codes = kinds
    offer.save()
    offer.topics.set(Topic.objects.filter(slug__in=topics))
    return offer


def make_pricing_need_with_offers(
    collective: Collective, supporter: Supporter, offers: int
) -> Need:
    """A need of `collective` about pricing, and `offers` pricing offers of `supporter` that
    all fit it: one party with many further offers."""
    for index in range(offers):
        make_offer(
            supporter,
            f"Pricing help {index}",
            f"I help collectives with day rates, prices and estimates, variant {index}.",
            topics=["pricing"],
        )
    return make_need(
        collective, "Pricing", "How do we set day rates and prices?", topics=["pricing"]
    )


PRICING_OFFER = (
    "Pricing and estimates for small collectives",
    "I help collectives calculate day rates, set prices and write transparent estimates.",
)


def make_pricing_need_and_offer(collective: Collective, supporter: Supporter) -> tuple[Need, Offer]:
    """A German pricing need of `collective` and the English pricing offer of `supporter`
    that its suggestions find."""
    offer = make_offer(supporter, *PRICING_OFFER, topics=["pricing"])
    need = make_need(
        collective,
        "Hilfe bei der Preisgestaltung",
        "Wie kalkulieren wir Tagessätze und Kostenschätzungen?",
        topics=["pricing"],
    )
    return need, offer
