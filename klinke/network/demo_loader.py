"""The demo network: invented collectives, supporters and logins for trying klinke locally."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Required, TypedDict

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from klinke.accounts.models import STEWARD_GROUP, User
from klinke.collectives.models import Collective, Membership
from klinke.network.serialization import ImportSummary, do_import_network, read_network_file
from klinke.supporters.models import Supporter

DEMO_DIR = Path(__file__).with_name("demo")

# Apps that add their own demo content after the network and its logins exist. Each module has
# `load_demo_content() -> str`, idempotent, returning a one-line summary.
DEMO_EXTENSIONS = (
    "klinke.workshops.demo",
    "klinke.knowledge.demo",
    "klinke.contacts.demo",
    "klinke.workbench.demo",
    "klinke.tenders.demo",
    "klinke.rates.demo",
    "klinke.estimates.demo",
    "klinke.vouches.demo",
    "klinke.inquiries.demo",
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    roles: str


class DemoPerson(TypedDict, total=False):
    email: Required[str]
    name: Required[str]
    language: str
    collectives: list[str]
    supporter: str | None
    steward: bool


class DemoPeople(TypedDict):
    password: str
    people: list[DemoPerson]


def _people() -> DemoPeople:
    data: DemoPeople = json.loads((DEMO_DIR / "demo_people.json").read_text())
    return data


@transaction.atomic
def do_load_demo_network() -> tuple[ImportSummary, list[DemoLogin], str]:
    """Import the demo network and its logins; running it again changes nothing."""
    summary = do_import_network(read_network_file(DEMO_DIR / "demo_network.json"))
    people = _people()
    password: str = people["password"]
    stewards, _created = Group.objects.get_or_create(name=STEWARD_GROUP)
    collectives = {c.slug: c for c in Collective.objects.filter(is_demo=True)}
    supporters = {s.slug: s for s in Supporter.objects.filter(is_demo=True)}
    logins: list[DemoLogin] = []
    # Hashing is slow on purpose (argon2): the demo logins share one password, so one hash
    # (with its own salt) serves them all instead of one hash per login.
    password_hash: str | None = None
    for person in people["people"]:
        user = User.objects.filter(email=person["email"]).first()
        if user is None:
            if password_hash is None:
                password_hash = make_password(password)
            user = User.objects.create(
                email=User.objects.normalize_email(person["email"]).lower(),
                password=password_hash,
                name=person["name"],
                language=person.get("language", "de"),
                is_demo=True,
            )
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        roles = []
        for slug in person.get("collectives", []):
            Membership.objects.get_or_create(collective=collectives[slug], user=user)
            roles.append(collectives[slug].name)
        if person.get("supporter"):
            supporter = supporters[person["supporter"]]
            if supporter.user_id != user.pk:
                supporter.user = user
                supporter.save(update_fields=["user"])
            roles.append(f"supporter {supporter.name}")
        if person.get("steward"):
            user.groups.add(stewards)
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            roles.append("network steward")
        logins.append(DemoLogin(email=user.email, name=user.name, roles=", ".join(roles)))
    for module_name in DEMO_EXTENSIONS:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # that app has no demo content yet
        summary.extra.append(module.load_demo_content())
    return summary, logins, password
