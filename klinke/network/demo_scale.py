"""The demo network at network scale: bulk copies of the demo for trying klinke under load.

`manage.py load_demo --scale 100` builds about 2,000 collectives, 20,000 supporters and 100,000
needs and offers (for each step of the scale: 20 collectives, 200 supporters, 400 needs and 600
offers, the demo's own included) out of the demo's records, with bulk inserts in batches. Each
copied collective gets one demo login; all of them share one password hash, computed once.
Copies are numbered; loading again adds only the copies that are missing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from klinke.accounts.models import User
from klinke.collectives.models import Collective, Membership
from klinke.exchange.models import Need, Offer
from klinke.supporters.models import Supporter

COLLECTIVES_PER_STEP = 20
SUPPORTERS_PER_STEP = 200
NEEDS_PER_STEP = 400
OFFERS_PER_STEP = 600
BATCH_SIZE = 1000

_M = TypeVar("_M", bound=models.Model)


@dataclass(frozen=True)
class ScaleSummary:
    steps_added: int
    collectives: int
    supporters: int
    needs: int
    offers: int

    def __str__(self) -> str:
        return (
            f"{self.steps_added} copies added; {self.collectives} collectives, "
            f"{self.supporters} supporters, {self.needs} needs, {self.offers} offers"
        )


def _slug(base: str, step: int, n: int) -> str:
    # Slugs and refs are at most 80 characters; the suffix stays unique after cutting.
    suffix = f"-s{step}-{n}"
    return base[: 80 - len(suffix)] + suffix


def _cycle(templates: Sequence[_M], count: int) -> Iterator[tuple[int, _M]]:
    return zip(range(count), itertools.cycle(templates), strict=False)


def _mixed(text: str, other: str) -> str:
    """A template's text with the first sentence of another, so copies differ in words."""
    first = other.split(". ", 1)[0].strip()
    return f"{text} {first}." if first and first not in text else text


def _topic_rows(
    through: type[models.Model], owner_field: str, pairs: list[tuple[int, list[int]]]
) -> list[models.Model]:
    return [
        through(**{f"{owner_field}_id": owner_id, "topic_id": topic_id})
        for owner_id, topic_ids in pairs
        for topic_id in topic_ids
    ]


def _existing_steps() -> set[int]:
    marker = "-s"
    steps = set()
    for slug in Collective.objects.filter(is_demo=True, slug__contains=marker).values_list(
        "slug", flat=True
    ):
        head, _sep, tail = slug.rpartition(marker)
        number = tail.split("-", 1)[0]
        if head and number.isdigit() and tail.endswith("-0"):
            steps.add(int(number))
    return steps


def do_load_demo_scale(*, scale: int, password: str) -> ScaleSummary:
    """Add copies 2..`scale` of the demo network (loaded before) that are not there yet."""
    if scale < 1:
        raise ValueError("The scale is a whole number from 1 upwards.")
    collectives = list(
        Collective.objects.filter(is_demo=True).exclude(slug__regex=r"-s[0-9]+-[0-9]+$")
    )
    supporters = list(
        Supporter.objects.filter(is_demo=True).exclude(slug__regex=r"-s[0-9]+-[0-9]+$")
    )
    needs = list(Need.objects.filter(is_demo=True).exclude(ref__regex=r"-s[0-9]+-[0-9]+$"))
    offers = list(Offer.objects.filter(is_demo=True).exclude(ref__regex=r"-s[0-9]+-[0-9]+$"))
    if not (collectives and supporters and needs and offers):
        raise ValueError("Load the demo network first.")
    topics = _topics_of(collectives, supporters, needs, offers)
    existing = _existing_steps()
    password_hash = make_password(password)
    added = 0
    for step in range(2, scale + 1):
        if step in existing:
            continue
        with transaction.atomic():
            _add_step(step, collectives, supporters, needs, offers, topics, password_hash)
        added += 1
    if added and connection.vendor == "postgresql":
        # Bulk inserts leave the planner's statistics at the demo's size until autovacuum
        # gets to them (if it runs at all); without them it joins 2,000 collectives to 40,000
        # needs in nested loops, thinking there are six.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return ScaleSummary(
        steps_added=added,
        collectives=Collective.objects.count(),
        supporters=Supporter.objects.count(),
        needs=Need.objects.count(),
        offers=Offer.objects.count(),
    )


def _topics_of(*groups: Sequence[models.Model]) -> dict[tuple[str, int], list[int]]:
    topics: dict[tuple[str, int], list[int]] = {}
    for group in groups:
        for obj in group:
            key = (type(obj).__name__, obj.pk)
            topics[key] = list(obj.topics.values_list("pk", flat=True))  # type: ignore[attr-defined]
    return topics


def _add_step(
    step: int,
    collectives: list[Collective],
    supporters: list[Supporter],
    needs: list[Need],
    offers: list[Offer],
    topics: dict[tuple[str, int], list[int]],
    password_hash: str,
) -> None:
    new_collectives: list[Collective] = []
    origin: dict[str, Collective] = {}
    for n, template in _cycle(collectives, COLLECTIVES_PER_STEP):
        clone = _clone(template)
        clone.slug = _slug(template.slug, step, n)
        clone.name = f"{template.name} (Demo {step}.{n})"
        origin[clone.slug] = template
        new_collectives.append(clone)
    Collective.objects.bulk_create(new_collectives, batch_size=BATCH_SIZE)
    new_collectives = list(Collective.objects.filter(slug__in=list(origin)))
    by_template: dict[int, list[Collective]] = {}
    for clone in new_collectives:
        by_template.setdefault(origin[clone.slug].pk, []).append(clone)
    _bulk_topics(
        Collective, [(c.pk, topics[("Collective", origin[c.slug].pk)]) for c in new_collectives]
    )
    users = [
        User(
            email=f"{c.slug}@scale.demo.klinke.example",
            name=f"Demo {step}.{n}",
            password=password_hash,
            is_demo=True,
        )
        for n, c in enumerate(new_collectives)
    ]
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    user_ids = dict(
        User.objects.filter(email__in=[u.email for u in users]).values_list("email", "pk")
    )
    Membership.objects.bulk_create(
        [
            Membership(collective=c, user_id=user_ids[f"{c.slug}@scale.demo.klinke.example"])
            for c in new_collectives
        ],
        batch_size=BATCH_SIZE,
    )

    new_supporters: list[Supporter] = []
    supporter_origin: dict[str, Supporter] = {}
    for n, s_template in _cycle(supporters, SUPPORTERS_PER_STEP):
        s_clone = _clone(s_template)
        s_clone.slug = _slug(s_template.slug, step, n)
        s_clone.name = f"{s_template.name} (Demo {step}.{n})"
        s_clone.user = None
        other = supporters[(n * 7 + step) % len(supporters)]
        s_clone.bio_de = _mixed(s_template.bio_de, other.bio_de)
        s_clone.bio_en = _mixed(s_template.bio_en, other.bio_en)
        supporter_origin[s_clone.slug] = s_template
        new_supporters.append(s_clone)
    Supporter.objects.bulk_create(new_supporters, batch_size=BATCH_SIZE)
    new_supporters = list(Supporter.objects.filter(slug__in=list(supporter_origin)))
    _bulk_topics(
        Supporter,
        [(s.pk, topics[("Supporter", supporter_origin[s.slug].pk)]) for s in new_supporters],
    )
    supporters_by_template: dict[int, list[Supporter]] = {}
    for s_clone in new_supporters:
        supporters_by_template.setdefault(supporter_origin[s_clone.slug].pk, []).append(s_clone)

    def owner_clone(groups: dict[int, list[_M]], template_id: int, n: int) -> _M:
        group = groups[template_id]
        return group[n % len(group)]

    item_topics: dict[str, list[int]] = {}
    new_needs: list[Need] = []
    for n, n_template in _cycle(needs, NEEDS_PER_STEP):
        need = _clone(n_template)
        need.ref = _slug(n_template.ref, step, n)
        need.collective = owner_clone(by_template, n_template.collective_id, n)
        need.description = _mixed(
            n_template.description, needs[(n * 7 + step) % len(needs)].description
        )
        item_topics[need.ref] = topics[("Need", n_template.pk)]
        new_needs.append(need)
    Need.objects.bulk_create(new_needs, batch_size=BATCH_SIZE)
    new_offers: list[Offer] = []
    for n, o_template in _cycle(offers, OFFERS_PER_STEP):
        offer = _clone(o_template)
        offer.ref = _slug(o_template.ref, step, n)
        if o_template.supporter_id is not None:
            offer.supporter = owner_clone(supporters_by_template, o_template.supporter_id, n)
        if o_template.collective_id is not None:
            offer.collective = owner_clone(by_template, o_template.collective_id, n)
        offer.description = _mixed(
            o_template.description, offers[(n * 7 + step) % len(offers)].description
        )
        item_topics[offer.ref] = topics[("Offer", o_template.pk)]
        new_offers.append(offer)
    Offer.objects.bulk_create(new_offers, batch_size=BATCH_SIZE)
    for model in (Need, Offer):
        rows = model.objects.filter(ref__in=list(item_topics)).values_list("pk", "ref")
        _bulk_topics(model, [(pk, item_topics[ref]) for pk, ref in rows])


def _clone(template: _M) -> _M:
    clone = type(template)()
    for field in template._meta.concrete_fields:
        if not field.primary_key:
            setattr(clone, field.attname, getattr(template, field.attname))
    return clone


def _bulk_topics(model: type[models.Model], pairs: list[tuple[int, list[int]]]) -> None:
    through = model._meta.get_field("topics").remote_field.through  # type: ignore[union-attr]
    owner_field = model.__name__.lower()
    through.objects.bulk_create(
        _topic_rows(through, owner_field, pairs), batch_size=BATCH_SIZE, ignore_conflicts=True
    )
