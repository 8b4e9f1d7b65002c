"""Murmurations: public collectives, needs and offers as profiles that validate offline, at
stable public URLs, registered with an index through a transport that tests replace."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft7Validator

from klinke.collectives.models import Collective
from klinke.conftest import Network
from klinke.core.models import Visibility
from klinke.exchange.models import ItemState, Need, Offer
from klinke.exchange.tests.factories import make_need, make_offer
from klinke.network.models import MurmurationsNode
from klinke.network.murmurations import profiles
from klinke.network.murmurations.registration import register_job, register_profiles
from klinke.network.murmurations.transport import IndexAnswer, IndexUnavailable, node_id

pytestmark = pytest.mark.django_db

FIXTURES = Path("/work/shared/fixtures/murmurations")


def _errors(profile: dict[str, Any]) -> list[str]:
    """Validation errors against the default schema and each linked schema, as the index does."""
    errors = []
    for name in [profiles.DEFAULT_SCHEMA, *profile["linked_schemas"]]:
        validator = Draft7Validator(profiles.schema(name))
        errors += [f"{name}: {e.json_path}: {e.message}" for e in validator.iter_errors(profile)]
    return errors


@dataclass
class FakeIndex:
    """Records what klinke tells the index; answers as configured."""

    status: int = 200
    unreachable: bool = False
    registered: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def register(self, profile_url: str) -> IndexAnswer:
        if self.unreachable:
            raise IndexUnavailable("down")
        self.registered.append(profile_url)
        return IndexAnswer(self.status, {"data": {"node_id": node_id(profile_url)}})

    def delete(self, profile_url: str) -> IndexAnswer:
        self.deleted.append(profile_url)
        return IndexAnswer(200, {})


@pytest.fixture
def items(network: Network) -> dict[str, Need | Offer]:
    a = network.collective_a
    return {
        "need": make_need(
            a, "Hilfe bei Preiskalkulation", "Wir suchen Erfahrung.", topics=["pricing"]
        ),
        "members_need": make_need(
            a, "Interne Frage", "Nur für Mitglieder.", visibility=Visibility.MEMBERS
        ),
        "closed_need": make_need(a, "Erledigt", "Schon gelöst.", state=ItemState.CLOSED),
        "expired_need": make_need(
            a, "Abgelaufen", "Zu spät.", expires_on=timezone.localdate() - timedelta(days=1)
        ),
        "offer": make_offer(
            a, "Django-Mentoring", "Wir teilen Erfahrung.", remote_ok=False, city="Leipzig"
        ),
        "supporter_offer": make_offer(network.supporter, "Beratung", "Preise und Akquise."),
        "hidden_need": make_need(network.hidden, "Versteckt", "Verborgenes Kollektiv."),
    }


def test_it_ships_the_same_schemas_as_the_fixtures() -> None:
    if not FIXTURES.exists():
        pytest.skip("the shared fixtures are not on this machine")
    for name in ("organizations_schema-v1.0.0", "offers_wants_schema-v0.1.0", "default-v2.1.0"):
        shipped = (profiles.SCHEMA_DIR / f"{name}.dereferenced.json").read_bytes()
        assert shipped == (FIXTURES / f"{name}.dereferenced.json").read_bytes()
    assert "GNU GENERAL PUBLIC LICENSE" in (profiles.SCHEMA_DIR / "LICENSE.txt").read_text()


def test_it_catches_an_invalid_profile() -> None:
    """The validation the other tests rely on can fail."""
    profile = {"linked_schemas": [profiles.OFFERS_WANTS_SCHEMA], "exchange_type": "Angebot"}

    errors = _errors(profile)

    assert any("exchange_type" in e for e in errors)
    assert any("'title' is a required property" in e for e in errors)


def test_it_publishes_every_demo_profile_valid(settings: Any) -> None:
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    collectives = list(profiles.published_collectives())
    needs = list(profiles.published_needs())
    offers = list(profiles.published_offers())
    assert len(collectives) >= 10
    assert needs
    assert offers

    for collective in collectives:
        profile = profiles.collective_profile(collective)
        assert _errors(profile) == [], collective.slug
    for need in needs:
        assert _errors(profiles.need_profile(need)) == [], need.ref
    for offer in offers:
        assert _errors(profiles.offer_profile(offer)) == [], offer.ref
    hidden = Collective.objects.exclude(visibility=Visibility.PUBLIC)
    assert not set(hidden) & set(collectives)


def test_it_serves_a_collective_profile_at_a_stable_public_url(network: Network) -> None:
    response = Client().get("/murmurations/collectives/quellcode.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    profile = response.json()
    assert _errors(profile) == []
    assert profile["name"] == "Kollektiv Quellcode"
    assert profile["linked_schemas"] == ["organizations_schema-v1.0.0"]
    assert profile["primary_url"] == profiles.absolute("/collectives/quellcode/")
    assert profile["country_iso_3166"] == "DE"
    assert profile["locality"] == "Leipzig"
    assert set(profile["tags"]) == set(
        network.collective_a.topics.values_list("name_en", flat=True)
    )
    # Members-only facts never appear.
    text = json.dumps(profile, ensure_ascii=False)
    assert "Überwachungstechnik" not in text
    assert "alice" not in text.lower()


def test_it_serves_needs_and_offers(items: dict[str, Need | Offer]) -> None:
    need = Client().get(f"/murmurations/needs/{items['need'].ref}.json")
    offer = Client().get(f"/murmurations/offers/{items['offer'].ref}.json")

    assert (need.status_code, offer.status_code) == (200, 200)
    assert need.json()["exchange_type"] == "want"
    assert need.json()["tags"] == list(items["need"].topics.values_list("name_en", flat=True))
    assert offer.json()["exchange_type"] == "offer"
    assert offer.json()["geographic_scope"] == "local"
    assert _errors(need.json()) == []
    assert _errors(offer.json()) == []
    assert need.json()["details_url"].endswith(items["need"].get_absolute_url())


@pytest.mark.parametrize(
    "name", ["members_need", "closed_need", "expired_need", "supporter_offer", "hidden_need"]
)
def test_it_never_publishes_what_is_not_public(items: dict[str, Need | Offer], name: str) -> None:
    item = items[name]
    kind = "needs" if isinstance(item, Need) else "offers"

    response = Client().get(f"/murmurations/{kind}/{item.ref}.json")

    assert response.status_code == 404
    assert not any(item.ref in url for url in profiles.profile_urls())


def test_it_never_publishes_hidden_or_archived_collectives(network: Network) -> None:
    Collective.objects.filter(pk=network.collective_b.pk).update(archived_at=timezone.now())

    hidden = Client().get("/murmurations/collectives/verborgen.json")
    archived = Client().get("/murmurations/collectives/rotkehlchen.json")

    assert (hidden.status_code, archived.status_code) == (404, 404)
    only_a = profiles.absolute("/murmurations/collectives/quellcode.json")
    assert profiles.profile_urls() == [only_a]


def test_it_lets_a_collective_opt_out(items: dict[str, Need | Offer], network: Network) -> None:
    Collective.objects.filter(pk=network.collective_a.pk).update(publish_to_murmurations=False)

    profile = Client().get("/murmurations/collectives/quellcode.json")
    need = Client().get(f"/murmurations/needs/{items['need'].ref}.json")

    assert (profile.status_code, need.status_code) == (404, 404)
    assert not any("quellcode" in url or "need-" in url for url in profiles.profile_urls())


def test_it_opts_out_from_the_collective_edit_page(network: Network) -> None:
    client = network.client_for(network.alice)
    page = client.get(reverse("collectives:edit", args=["quellcode"]))

    assert page.status_code == 200
    assert b'name="publish_to_murmurations"' in page.content
    assert Collective._meta.get_field("publish_to_murmurations").default is True


def test_it_lists_every_profile_url(items: dict[str, Need | Offer]) -> None:
    response = Client().get("/murmurations/profiles.json")

    assert response.status_code == 200
    urls = response.json()["profile_urls"]
    assert urls == profiles.profile_urls()
    assert len(urls) == 4  # quellcode, rotkehlchen, one need, one offer


def test_it_answers_the_profiles_in_a_fixed_number_of_queries(
    items: dict[str, Need | Offer], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        Client().get("/murmurations/profiles.json")


def test_it_registers_every_profile_and_withdraws_the_gone(
    items: dict[str, Need | Offer], network: Network
) -> None:
    index = FakeIndex()

    first = register_profiles(index)
    Need.objects.filter(pk=items["need"].pk).update(visibility=Visibility.MEMBERS)
    second = register_profiles(index)

    assert len(first.registered) == 4
    need_url = profiles.need_profile_url(items["need"])  # type: ignore[arg-type]
    assert need_url in first.registered
    assert second.withdrawn == [need_url]
    assert index.deleted == [need_url]
    node = MurmurationsNode.objects.get(profile_url=need_url)
    assert node.withdrawn_at is not None
    assert node.node_id == node_id(need_url)
    assert register_profiles(index).withdrawn == []


def test_it_reports_an_index_that_refuses_or_is_down(items: dict[str, Need | Offer]) -> None:
    assert len(register_profiles(FakeIndex(status=400)).failed) == 4
    assert len(register_profiles(FakeIndex(unreachable=True)).failed) == 4


def test_it_is_off_by_default(network: Network, settings: Any) -> None:
    settings.KLINKE_MURMURATIONS_INDEX_URL = ""

    assert register_job() == "off"
    with pytest.raises(CommandError, match="KLINKE_MURMURATIONS_INDEX_URL"):
        call_command("murmurations", "register")
    assert not MurmurationsNode.objects.exists()


def test_it_lists_profile_urls_from_the_command(network: Network) -> None:
    out = io.StringIO()

    call_command("murmurations", "list", stdout=out)

    assert out.getvalue().split() == profiles.profile_urls()


def test_it_runs_as_a_worker_job() -> None:
    from klinke.core.jobs import all_jobs

    assert any(job.target.endswith("registration.register_job") for job in all_jobs())


def test_it_node_id_is_the_sha256_of_the_profile_url() -> None:
    assert (
        node_id("https://example.org/murmurations/organisation.json")
        == "518d7bbc2f8cc66c361e89c3708c7ee58f73d2c1aaa8012da56f3a4d3a782864"
    )
