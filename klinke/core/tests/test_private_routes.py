"""The authorization matrix: every workbench and contacts page, and every workbench API
operation, is private to the collective's members.

The routes are not listed by hand: pages come from the URL resolver (namespaces "workbench"
and "contacts"), operations from the API's OpenAPI schema. Path parameters are filled with
real objects of collective A, so a 404 means "not yours", not "does not exist"; a route whose
parameter this file does not know fails the test until someone says which object it names.
A route added later is therefore checked automatically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from klinke.contacts.models import ContactImport, ContactMerge
from klinke.exchange.models import Introduction, IntroductionState, Need

pytestmark = pytest.mark.django_db

NAMESPACES = ("workbench", "contacts")

# Which object a route's `pk` names, by namespace and route name.
PAGE_OBJECTS: dict[str, dict[str, str]] = {
    "workbench": {
        "lead_detail": "lead",
        "lead_edit": "lead",
        "lead_move": "lead",
        "lead_close": "lead",
        "activity_create": "lead",
        "screening_override": "lead",
        "lead_refer": "lead",
        "decision_detail": "decision",
        "decision_respond": "decision",
        "red_line_edit": "red_line",
        "red_line_delete": "red_line",
        "referral_detail": "referral",
        "referral_answer": "referral",
        "referral_withdraw": "referral",
    },
    "contacts": {
        "detail": "contact",
        "edit": "contact",
        "delete": "contact",
        "merge": "contact",
        "merge_undo": "merge",
        "from_introduction": "introduction",
        "organisation_detail": "organisation",
        "organisation_edit": "organisation",
        "organisation_delete": "organisation",
        "import_mapping": "contact_import",
        "import_preview": "contact_import",
    },
}
OTHER_PAGE_KWARGS = {"file_format": "csv"}

# Which object an API path parameter names.
API_PARAMETERS = {
    "lead_id": "lead",
    "decision_id": "decision",
    "red_line_id": "red_line",
    "referral_id": "referral",
    "contact_id": "contact",
    "organisation_id": "organisation",
}

# Pages only network stewards may open (and that hold no collective's private data).
STEWARD_PAGES = {("workbench", "referral_totals")}

# Known deviations, each with its reason. 405 says nothing about collective A (any slug gets
# it), but the rule is 404; these contacts views check the method before membership. Listed
# here so they stay visible, and so nothing else (above all a 200) can slip through.
# Routes allowed to answer outsiders with something other than 404 (none, and so it stays).
TOLERATED: dict[tuple[str, str, str], int] = {}


@dataclass(frozen=True)
class Route:
    namespace: str
    name: str
    kwargs: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.namespace}:{self.name}"


def _walk(patterns: list[Any], namespace: str | None, kwargs: tuple[str, ...]) -> list[Route]:
    routes = []
    for pattern in patterns:
        converters = tuple(getattr(pattern.pattern, "converters", {}))
        if isinstance(pattern, URLResolver):
            routes += _walk(
                pattern.url_patterns, pattern.namespace or namespace, kwargs + converters
            )
        elif isinstance(pattern, URLPattern) and namespace in NAMESPACES and pattern.name:
            routes.append(Route(namespace, pattern.name, kwargs + converters))
    return routes


def all_routes() -> list[Route]:
    return _walk(get_resolver().url_patterns, None, ())


@pytest.fixture
def objects(workbench) -> dict[str, Any]:
    network = workbench.network
    need = Need.objects.create(
        collective=network.collective_a, title="Hilfe bei Kalkulation", description="…"
    )
    introduction = Introduction.objects.create(
        need=need,
        supporter=network.supporter,
        counterpart_key=Introduction.key_for(network.supporter),
        state=IntroductionState.ACCEPTED,
        requested_by=network.alice,
        message="Hallo",
        requester_email=network.alice.email,
    )
    merge = ContactMerge.objects.create(
        collective=network.collective_a, kept=workbench.contact, merged_by=network.alice
    )
    contact_import = ContactImport.objects.create(
        collective=network.collective_a,
        created_by=network.alice,
        file_name="adressen.csv",
        file_format="csv",
        state="mapping",
        table={"header": ["Name"], "rows": [[2, ["Ruth Berger"]]], "delimiter": ","},
    )
    return {
        "lead": workbench.lead,
        "decision": workbench.decision,
        "red_line": workbench.red_line,
        "referral": workbench.referral,
        "contact": workbench.contact,
        "organisation": workbench.organisation,
        "introduction": introduction,
        "merge": merge,
        "contact_import": contact_import,
    }


def page_url(route: Route, slug: str, objects: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {}
    for name in route.kwargs:
        if name == "slug":
            kwargs[name] = slug
        elif name == "pk":
            source = PAGE_OBJECTS[route.namespace].get(route.name)
            if source is None:
                pytest.fail(f"{route} has a pk this matrix does not know: add it to PAGE_OBJECTS")
            kwargs[name] = objects[source].pk
        elif name in OTHER_PAGE_KWARGS:
            kwargs[name] = OTHER_PAGE_KWARGS[name]
        else:
            pytest.fail(f"{route} has a parameter {name!r} this matrix does not know")
    return reverse(str(route), kwargs=kwargs)


def test_it_finds_the_routes_it_checks():
    names = {str(route) for route in all_routes()}
    assert {"workbench:index", "workbench:lead_move", "workbench:decision_respond"} <= names
    assert {"contacts:index", "contacts:detail"} <= names
    assert len(names) >= 30


def test_it_answers_404_to_a_member_of_another_collective_on_every_page(workbench, objects):
    network = workbench.network
    bob = network.client_for(network.bob)
    alice = network.client_for(network.alice)
    stella = network.client_for(network.stella)
    failures = []
    for route in all_routes():
        url = page_url(route, network.collective_a.slug, objects)
        if (route.namespace, route.name) in STEWARD_PAGES:
            assert stella.get(url).status_code == 200, route
        else:
            # The filled parameters name real objects: a member of A is not turned away.
            assert alice.get(url).status_code != 404, f"{route}: {url} is not a real page for A"
        for method in ("get", "post"):
            status = getattr(bob, method)(url).status_code
            expected = TOLERATED.get((route.namespace, route.name, method), 404)
            if status != expected:
                failures.append(f"{method.upper()} {url} ({route}) answered {status}")
    assert not failures, "\n".join(failures)


def test_it_answers_404_for_foreign_objects_under_the_callers_own_slug(workbench, objects):
    """B's own slug with A's object ids: objects are looked up within the collective.

    B is a member here, so a wrong method may answer 405 first; that says nothing about A's
    object. Anything else but 404 would.
    """
    network = workbench.network
    bob = network.client_for(network.bob)
    failures = []
    for route in all_routes():
        if "pk" not in route.kwargs:
            continue
        url = page_url(route, network.collective_b.slug, objects)
        for method in ("get", "post"):
            status = getattr(bob, method)(url).status_code
            if status not in (404, 405):
                failures.append(f"{method.upper()} {url} ({route}) answered {status}")
    assert not failures, "\n".join(failures)


def test_it_sends_anonymous_visitors_to_log_in_on_every_page(workbench, objects):
    network = workbench.network
    anonymous = network.client_for(None)
    login = reverse("account_login")
    for route in all_routes():
        url = page_url(route, network.collective_a.slug, objects)
        for method in ("get", "post"):
            response = getattr(anonymous, method)(url)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith(login), (method, url)


# --- the API ---------------------------------------------------------------------------


def openapi_schema() -> dict[str, Any]:
    from klinke.api import api

    schema: dict[str, Any] = api.get_openapi_schema()
    return schema


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def example_body(schema: dict[str, Any], node: dict[str, Any]) -> Any:
    """A minimal valid value for a JSON schema: required fields with plausible values."""
    node = _resolve(schema, node)
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        return example_body(schema, options[0]) if options else None
    if "allOf" in node:
        return example_body(schema, node["allOf"][0])
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        properties = node.get("properties", {})
        return {name: example_body(schema, properties[name]) for name in node.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    formats = {
        "date": "2031-01-15",
        "date-time": "2031-01-15T10:00:00+01:00",
        "email": "someone@example.org",
        "uri": "https://example.org/",
    }
    return formats.get(node.get("format", ""), "Beispiel")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    body: Any

    def url(self, slug: str, objects: dict[str, Any]) -> str:
        url = self.path.replace("{collective}", slug)
        while "{" in url:
            name = url[url.index("{") + 1 : url.index("}")]
            source = API_PARAMETERS.get(name)
            if source is None:
                pytest.fail(f"{self.path}: unknown path parameter {name!r}; add it to the matrix")
            url = url.replace(f"{{{name}}}", str(objects[source].pk))
        return url


def workbench_operations() -> list[Operation]:
    schema = openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        if not path.startswith("/api/v1/workbench/"):
            continue
        for method, spec in methods.items():
            body = None
            content = spec.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = example_body(schema, content["application/json"]["schema"])
            operations.append(Operation(method, path, body))
    return operations


def call(client: Any, operation: Operation, url: str, body: Any = None) -> Any:
    send = getattr(client, operation.method)
    if operation.method == "get":
        return send(url)
    data = operation.body if body is None else body
    return send(url, data=json.dumps(data), content_type="application/json")


def test_it_covers_leads_decisions_red_lines_referrals_and_contacts_in_the_api_matrix():
    paths = {op.path for op in workbench_operations()}
    for fragment in ("leads", "decisions", "red-lines", "referrals", "contacts", "screening"):
        assert any(fragment in path for path in paths), fragment
    assert all("{collective}" in path for path in paths), "every operation names its collective"


def test_it_answers_404_to_a_member_of_another_collective_from_every_api_operation(
    workbench, objects
):
    network = workbench.network
    bob = network.client_for(network.bob)
    alice = network.client_for(network.alice)
    failures = []
    for operation in workbench_operations():
        url = operation.url(network.collective_a.slug, objects)
        if operation.method == "get":
            assert call(alice, operation, url).status_code == 200, url
        response = call(bob, operation, url)
        if response.status_code != 404:
            failures.append(f"{operation.method.upper()} {url}: {response.status_code}")
        if "{" in operation.path.replace("{collective}", ""):
            # B's own collective with A's object ids.
            own = operation.url(network.collective_b.slug, objects)
            response = call(bob, operation, own)
            if response.status_code != 404:
                failures.append(f"{operation.method.upper()} {own}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_it_refuses_outsiders_before_reading_the_api_body(workbench, objects):
    """Even a broken body gets 404, not a validation error that would confirm the route."""
    network = workbench.network
    bob = network.client_for(network.bob)
    for operation in workbench_operations():
        if operation.method == "get" or "/contacts" in operation.path:
            continue
        if "organisations" in operation.path:
            continue
        url = operation.url(network.collective_a.slug, objects)
        response = getattr(bob, operation.method)(
            url, data="{not json", content_type="application/json"
        )
        assert response.status_code == 404, (operation.method, url, response.status_code)


def test_it_answers_401_to_anonymous_callers_from_every_api_operation(workbench, objects):
    network = workbench.network
    anonymous = network.client_for(None)
    for operation in workbench_operations():
        url = operation.url(network.collective_a.slug, objects)
        assert call(anonymous, operation, url).status_code == 401, (operation.method, url)


def test_it_shows_stewards_and_supporters_nothing_of_a_workbench(workbench, objects):
    network = workbench.network
    for person in (network.stella, network.sam, network.outsider):
        client = network.client_for(person)
        assert client.get(reverse("workbench:index", args=["quellcode"])).status_code == 404
        response = client.get(f"/api/v1/workbench/quellcode/leads/{workbench.lead.pk}")
        assert response.status_code == 404
