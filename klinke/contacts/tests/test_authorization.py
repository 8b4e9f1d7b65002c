"""Nobody but a collective's members sees anything of its address book: every page and every
API endpoint answers 404 to other logged-in people and asks anonymous visitors to log in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from klinke.contacts import actions
from klinke.contacts.models import Contact, ContactImport, ContactMerge, Organisation
from klinke.contacts.tests.conftest import fixture_bytes, make_contact
from klinke.contacts.tests.test_from_introduction import make_introduction
from klinke.contacts.urls import urlpatterns
from klinke.testing import api_client

pytestmark = pytest.mark.django_db

OUTSIDERS = ("bob", "stella", "sam", "outsider")


@pytest.fixture
def objects(network: Any, address_book: dict[str, Any]) -> dict[str, Any]:
    a = network.collective_a
    csv_import = actions.do_start_import(
        collective=a,
        user=network.alice,
        file_name="k.csv",
        data=fixture_bytes("kontakte-excel.csv"),
    )
    vcard_import = actions.do_start_import(
        collective=a, user=network.alice, file_name="g.vcf", data=fixture_bytes("gmail-list.vcf")
    )
    duplicate = make_contact(a, "Anna Mueller", emails=["anna.mueller@mieterverein.example"])
    merge = actions.do_merge_contacts(
        kept=address_book["ben"], merged=duplicate, user=network.alice
    )
    introduction = make_introduction(network)
    return {
        "contact": address_book["anna"].pk,
        "organisation": address_book["mieterverein"].pk,
        "csv_import": csv_import.pk,
        "vcard_import": vcard_import.pk,
        "merge": merge.pk,
        "introduction": introduction.pk,
    }


def page_urls(objects: dict[str, Any], slug: str = "quellcode") -> list[str]:
    """Every contacts URL pattern, filled in with real objects of collective A."""
    kwargs_for = {
        "index": {},
        "create": {},
        "merges": {},
        "import": {},
        "organisation_index": {},
        "organisation_create": {},
        "detail": {"pk": objects["contact"]},
        "edit": {"pk": objects["contact"]},
        "delete": {"pk": objects["contact"]},
        "merge": {"pk": objects["contact"]},
        "merge_undo": {"pk": objects["merge"]},
        "from_introduction": {"pk": objects["introduction"]},
        "organisation_detail": {"pk": objects["organisation"]},
        "organisation_edit": {"pk": objects["organisation"]},
        "organisation_delete": {"pk": objects["organisation"]},
        "import_mapping": {"pk": objects["csv_import"]},
        "import_preview": {"pk": objects["vcard_import"]},
        "export": {"file_format": "csv"},
    }
    names = [p.name for p in urlpatterns if isinstance(p, URLPattern) and p.name]
    assert sorted(names) == sorted(kwargs_for), "a new page needs a line in this matrix"
    return [
        reverse(f"contacts:{name}", kwargs={"slug": slug, **kwargs_for[name]}) for name in names
    ]


def unchanged(network: Any) -> None:
    assert Contact.objects.filter(collective=network.collective_a).count() == 2
    assert Organisation.objects.filter(collective=network.collective_a).count() == 2
    assert ContactMerge.objects.get().undone_at is None
    assert ContactImport.objects.filter(state="done").count() == 0


def test_it_answers_404_to_everyone_but_members_on_every_page(network, objects):
    urls = page_urls(objects)
    member = network.client_for(network.alice)
    for url in urls:
        if "undo" in url or "from-introduction" in url:
            continue  # POST only
        assert member.get(url).status_code == 200, url
    for name in OUTSIDERS:
        client = network.client_for(getattr(network, name))
        for url in urls:
            assert client.get(url).status_code in (404, 405), (name, url)
            assert (
                client.post(url, {"other": objects["contact"], "name": "x"}).status_code == 404
            ), (name, url)
    unchanged(network)


def test_it_asks_anonymous_visitors_to_log_in(network, objects):
    client = Client()
    for url in page_urls(objects):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("account_login") + "?next="), url
    unchanged(network)


def test_it_does_not_show_another_collectives_objects_under_ones_own_address(network, objects):
    """Bob is a member of rotkehlchen; collective A's objects under his slug are still 404."""
    bob = network.client_for(network.bob)
    with_objects = [
        url for url in page_urls(objects, slug="rotkehlchen") if any(ch.isdigit() for ch in url)
    ]
    assert len(with_objects) == 11
    for url in with_objects:
        assert bob.get(url).status_code in (404, 405), url
        assert bob.post(url, {"other": objects["contact"]}).status_code == 404, url
    unchanged(network)
    assert bob.get(reverse("contacts:index", args=["rotkehlchen"])).status_code == 200
    assert "Anna" not in bob.get(reverse("contacts:index", args=["rotkehlchen"])).content.decode()
    # A members-only collective is not even visible to people outside the network.
    olga = network.client_for(network.outsider)
    assert olga.get(reverse("contacts:index", args=["verborgen"])).status_code == 404
    assert (
        network.client_for(network.alice)
        .get(reverse("contacts:index", args=["verborgen"]))
        .status_code
        == 404
    )
    assert bob.get(reverse("contacts:index", args=["verborgen"])).status_code == 200
    assert (
        network.client_for(network.alice)
        .get(reverse("contacts:index", args=["nirgendwo"]))
        .status_code
        == 404
    )


API = "/api/v1/workbench"


def api_requests(
    objects: dict[str, Any], slug: str = "quellcode"
) -> list[tuple[str, str, dict[str, Any] | None]]:
    contact = f"{API}/{slug}/contacts/{objects['contact']}"
    organisation = f"{API}/{slug}/organisations/{objects['organisation']}"
    return [
        ("get", f"{API}/{slug}/contacts", None),
        ("post", f"{API}/{slug}/contacts", {"full_name": "Eindringling"}),
        ("get", contact, None),
        ("put", contact, {"full_name": "Eindringling"}),
        ("patch", contact, {"role": "x"}),
        ("delete", contact, None),
        ("get", f"{API}/{slug}/organisations", None),
        ("post", f"{API}/{slug}/organisations", {"name": "Eindringling"}),
        ("get", organisation, None),
        ("put", organisation, {"name": "Eindringling"}),
        ("patch", organisation, {"name": "Eindringling"}),
        ("delete", organisation, None),
    ]


def call(client: Client, method: str, url: str, data: dict[str, Any] | None) -> Any:
    if data is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data, content_type="application/json")


def test_it_answers_404_in_the_api_to_everyone_but_members(network, objects):
    for name in OUTSIDERS:
        client = api_client(getattr(network, name))
        for method, url, data in api_requests(objects):
            response = call(client, method, url, data)
            assert response.status_code == 404, (name, method, url, response.content)
    unchanged(network)


def test_it_answers_401_in_the_api_to_anonymous_callers(network, objects):
    client = Client()
    for method, url, data in api_requests(objects):
        assert call(client, method, url, data).status_code == 401, (method, url)
    unchanged(network)


def test_it_covers_every_contacts_api_route_in_the_matrix():
    from klinke.contacts.api import router

    routes = {
        (method.lower(), path)
        for path, path_view in router.path_operations.items()
        for operation in path_view.operations
        for method in operation.methods
    }
    matrix = {
        (method, url.replace(f"{API}/quellcode", "/{collective}").replace("/1", "/{contact_id}"))
        for method, url, _data in api_requests({"contact": 1, "organisation": 2})
    }
    matrix = {
        (m, u.replace("organisations/2", "organisations/{organisation_id}")) for m, u in matrix
    }
    assert routes == matrix
