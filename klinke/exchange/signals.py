"""Every change to a matching candidate is noted for the shared matching index.

The row is written in the saving transaction, so a request that sees the change also sees
the note and ranks the changed document beside the shared index (`match_index`).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from klinke.collectives.models import Collective
from klinke.exchange import match_index
from klinke.exchange.models import Introduction, Need, Offer
from klinke.supporters.models import Supporter


def _offer(instance: Offer, **kwargs: Any) -> None:
    match_index.record_offer(instance)


def _need(instance: Need, **kwargs: Any) -> None:
    match_index.record_need(instance)


def _supporter(instance: Supporter, **kwargs: Any) -> None:
    match_index.record_supporter(instance)


def _collective(instance: Collective, **kwargs: Any) -> None:
    match_index.record_collective(instance)


def _introduction(instance: Introduction, **kwargs: Any) -> None:
    match_index.record_introduction(instance)


def _topics(instance: object, action: str, reverse: bool, **kwargs: Any) -> None:
    if reverse or not action.startswith("post_"):
        return  # a topic's own list of items: its slug, which documents carry, is unchanged
    if isinstance(instance, Offer):
        match_index.record_offer(instance)
    elif isinstance(instance, Need):
        match_index.record_need(instance)
    elif isinstance(instance, Supporter):
        match_index.record_supporter(instance)


def connect() -> None:
    handlers: list[tuple[type[Any], Any]] = [
        (Offer, _offer),
        (Need, _need),
        (Supporter, _supporter),
        (Collective, _collective),
        (Introduction, _introduction),
    ]
    for model, handler in handlers:
        uid = f"klinke.match_index.{model.__name__}"
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}.delete")
    for model in (Offer, Need, Supporter):
        through = model.topics.through
        m2m_changed.connect(_topics, sender=through, dispatch_uid=f"klinke.match_index.{model}")
