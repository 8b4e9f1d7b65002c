"""The demo network: invented, idempotent, local-only, and never created by migrations."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from klinke.accounts.models import User
from klinke.collectives.models import Collective, Membership, Reference
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "klinke-demo"


@pytest.fixture(autouse=True)
def quick_hashing(settings: Any) -> None:
    """The demo creates dozens of logins; argon2 would make each run take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, Any]:
    return {
        "users": User.objects.count(),
        "collectives": Collective.objects.count(),
        "supporters": Supporter.objects.count(),
        "topics": Topic.objects.count(),
        "references": Reference.objects.count(),
        "memberships": sorted(Membership.objects.values_list("collective__slug", "user__email")),
        "supporter_logins": sorted(Supporter.objects.values_list("slug", "user__email")),
        "stewards": sorted(
            User.objects.filter(groups__name="Network stewards").values_list("email", flat=True)
        ),
    }


def test_it_migrations_alone_create_no_demo_data() -> None:
    assert User.objects.filter(is_demo=True).count() == 0
    assert Collective.objects.filter(is_demo=True).count() == 0
    assert Supporter.objects.filter(is_demo=True).count() == 0


def test_it_loads_invented_collectives_and_supporters(settings: Any) -> None:
    settings.DEBUG = True

    output = load_demo()

    assert Collective.objects.count() >= 12
    assert Supporter.objects.count() >= 30
    assert not Collective.objects.filter(is_demo=False).exists()
    assert not Supporter.objects.filter(is_demo=False).exists()
    assert not User.objects.filter(is_demo=False).exists()
    assert f"password for all: {DEMO_PASSWORD}" in output
    assert "mira@demo.klinke.example" in output


def test_it_sets_up_the_mission_collective_with_four_members(settings: Any) -> None:
    settings.DEBUG = True
    load_demo()

    quellcode = Collective.objects.get(slug="kollektiv-quellcode")
    emails = sorted(quellcode.memberships.values_list("user__email", flat=True))
    assert len(emails) == 4
    assert "mira@demo.klinke.example" in emails
    assert quellcode.member_count == 4


def test_it_the_demo_password_logs_in(settings: Any) -> None:
    settings.DEBUG = True
    load_demo()
    client = Client()

    response = client.post(
        "/accounts/login/",
        {"login": "mira@demo.klinke.example", "password": DEMO_PASSWORD},
    )

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(
        User.objects.get(email="mira@demo.klinke.example").pk
    )


def test_it_a_wrong_password_does_not_log_in(settings: Any) -> None:
    settings.DEBUG = True
    load_demo()
    client = Client()

    client.post("/accounts/login/", {"login": "mira@demo.klinke.example", "password": "nope"})

    assert "_auth_user_id" not in client.session


def test_it_gives_demo_logins_their_roles(settings: Any) -> None:
    settings.DEBUG = True
    load_demo()

    stewards = User.objects.filter(groups__name="Network stewards")
    assert stewards.exists()
    assert all(user.is_staff for user in stewards)
    assert Supporter.objects.filter(user__is_demo=True).exists()


def test_it_running_it_twice_changes_nothing(settings: Any) -> None:
    settings.DEBUG = True
    load_demo()
    first = snapshot()

    output = load_demo()

    assert snapshot() == first
    assert " created" in output
    assert "collectives: 0 created" in output
    assert "supporters: 0 created" in output


def test_it_refuses_to_run_without_debug(settings: Any) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="not loaded with DEBUG off"):
        load_demo()

    assert Collective.objects.count() == 0
    assert User.objects.count() == 0


def test_it_runs_without_debug_when_allowed_explicitly(settings: Any) -> None:
    settings.DEBUG = False

    load_demo("--allow-production")

    assert Collective.objects.filter(slug="kollektiv-quellcode", is_demo=True).exists()


def test_it_prints_every_login_on_request(settings: Any) -> None:
    settings.DEBUG = True

    short = load_demo()
    full = load_demo("--all-logins")

    demo_users = User.objects.filter(is_demo=True).count()
    assert "more (--all-logins)" in short
    assert "more (--all-logins)" not in full
    assert sum("@demo.klinke.example" in line for line in full.splitlines()) == demo_users


def test_it_its_texts_are_bilingual(settings: Any) -> None:
    """Most profiles have both languages; a few are deliberately in one, as real ones are."""
    settings.DEBUG = True
    load_demo()

    collectives = list(Collective.objects.all())
    assert all(c.description_de or c.description_en for c in collectives)
    assert (
        len([c for c in collectives if c.description_de and c.description_en])
        > len(collectives) / 2
    )
    supporters = list(Supporter.objects.all())
    assert all(s.bio_de or s.bio_en for s in supporters)
    assert len([s for s in supporters if s.bio_de and s.bio_en]) > len(supporters) / 2
    topics = Topic.objects.filter(collectives__is_demo=True).distinct()
    assert all(t.name_de and t.name_en for t in topics)


def test_it_hashes_the_shared_demo_password_once(settings: Any, monkeypatch: Any) -> None:
    settings.DEBUG = True
    from django.contrib.auth import hashers

    import klinke.network.demo_loader as loader

    calls: list[str] = []

    def counting(password: str | None, *args: Any, **kwargs: Any) -> str:
        calls.append(password or "")
        return hashers.make_password(password, *args, **kwargs)

    monkeypatch.setattr(loader, "make_password", counting)
    load_demo()

    assert calls == [DEMO_PASSWORD]
    users = list(User.objects.filter(is_demo=True))
    assert len(users) > 10
    assert all(user.check_password(DEMO_PASSWORD) for user in users)
    assert all(user.email == user.email.lower() for user in users)


def test_it_scales_the_demo_in_bulk_and_only_adds_missing_copies(settings: Any) -> None:
    settings.DEBUG = True
    from klinke.exchange.models import Need, Offer
    from klinke.network.demo_scale import (
        COLLECTIVES_PER_STEP,
        NEEDS_PER_STEP,
        OFFERS_PER_STEP,
        SUPPORTERS_PER_STEP,
    )

    load_demo()
    base = (
        Collective.objects.count(),
        Supporter.objects.count(),
        Need.objects.count(),
        Offer.objects.count(),
    )
    users = User.objects.count()

    output = load_demo("--scale", "3")

    assert "Demo scale ×3" in output
    if connection.vendor == "postgresql":
        # The planner knows the new sizes: ANALYZE ran after the bulk inserts.
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'exchange_need'")
            assert cursor.fetchone()[0] == Need.objects.count()  # type: ignore[index]
    assert Collective.objects.count() == base[0] + 2 * COLLECTIVES_PER_STEP
    assert Supporter.objects.count() == base[1] + 2 * SUPPORTERS_PER_STEP
    assert Need.objects.count() == base[2] + 2 * NEEDS_PER_STEP
    assert Offer.objects.count() == base[3] + 2 * OFFERS_PER_STEP
    assert User.objects.count() == users + 2 * COLLECTIVES_PER_STEP
    # Copies keep their template's topics and owners, and their logins share one hash.
    copy = Need.objects.get(ref__endswith="-s3-0")
    template = Need.objects.get(ref=copy.ref.removesuffix("-s3-0"))
    assert set(copy.topics.all()) == set(template.topics.all()) != set()
    assert copy.collective.slug.startswith(f"{template.collective.slug}-s3-")
    assert Offer.objects.filter(ref__contains="-s2-", supporter__slug__contains="-s2-").exists()
    assert Membership.objects.filter(collective__slug__endswith="-s2-0").count() == 1
    scaled = User.objects.filter(email__endswith="@scale.demo.klinke.example")
    assert scaled.values("password").distinct().count() == 1
    assert scaled.first().check_password(DEMO_PASSWORD)  # type: ignore[union-attr]

    load_demo("--scale", "3")
    assert Collective.objects.count() == base[0] + 2 * COLLECTIVES_PER_STEP
    assert Need.objects.count() == base[2] + 2 * NEEDS_PER_STEP


def test_it_refuses_a_scale_below_one(settings: Any) -> None:
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--scale"):
        load_demo("--scale", "0")
