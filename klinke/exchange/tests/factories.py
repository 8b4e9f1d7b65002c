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
