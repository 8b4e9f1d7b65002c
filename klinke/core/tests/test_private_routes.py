"""The authorization matrix: every private route of every app, page or API operation.

The rule (klinke/collectives/access.py): a collective's members-only area answers 404 to
everyone who is not a member (an outsider, a member of another collective, a supporter, a
steward), for every method and whatever the body; anonymous visitors are sent to log in on
pages and get 401 from the API, which says nothing about the collective either.

The routes are not listed by hand: pages come from the URL resolver, operations from the
API's OpenAPI schema. Every route of klinke's own views and every API operation must be
classified here as private or not, so a new route fails the test until someone decides. Path
parameters are filled with real objects of collective A, so a 404 means "not yours", not
"does not exist"; a route whose parameter this file does not know fails the test too.
"""

# ruff: noqa: F811 (test arguments name the imported fixtures)

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from klinke.contacts.models import ContactImport, ContactMerge
from klinke.estimates.actions import (
    ActualValues,
    do_decide_estimate,
    do_record_actual_hours,
    do_share_estimate,
)
from klinke.estimates.tests.conftest import make_estimate
from klinke.exchange.models import Introduction, IntroductionState, Need
from klinke.inquiries.tests.conftest import inquiry_for
from klinke.rates.tests.conftest import save_rate
from klinke.tenders.actions import do_refresh_inbox
from klinke.tenders.consortia import do_invite_to_consortium, do_start_consortium
from klinke.tenders.models import Consortium, InboxEntry, Tender
from klinke.tenders.tests.conftest import import_records, make_profile, multi_lot_record, record
from klinke.vouches.models import Vouch
from klinke.workbench.models import DecisionComment

# The workbench fixtures hold one of each private object; pytest finds imported fixtures.
from klinke.workbench.tests.conftest import third, workbench  # noqa: F401

pytestmark = pytest.mark.django_db

# Namespaces that are private to a collective's members as a whole.
PRIVATE_NAMESPACES = (
    "workbench",
    "contacts",
    "tenders",
    "rates",
    "estimates",
    "collective_inquiries",
    "vouches",
)
# Private pages in other namespaces.
PRIVATE_PAGES = {
    ("collectives", "edit"),
    ("collectives", "members"),
    ("collectives", "leave"),
    ("collectives", "archive"),
    ("collectives", "delete"),
    # A new collective's first steps, for its members.
    ("home", "first_steps"),
    ("home", "skip_step"),
    ("home", "resume_step"),
}
# klinke's pages that are not private to a collective (public, or the user's own, or guarded
# by other rules with their own tests). A new page must be added here or above.
NOT_PRIVATE_PAGES = {
    (None, "home"),
    (None, "notifications_off"),
    ("accounts", "settings"),
    ("accounts", "api_tokens"),
    ("accounts", "revoke_api_token"),
    ("accounts", "personal_data"),
    ("accounts", "export_download"),
    ("accounts", "delete_account"),
    ("collectives", "create"),
    ("collectives", "accept_invitation"),
    ("collectives", "detail"),
    ("supporters", "edit_own"),
    ("supporters", "detail"),
    ("directory", "index"),
    # What the day-rate calculator does, for everyone; each collective's own is private.
    ("rates_public", "about"),
    # The public door for clients, and the client's page behind its secret link.
    ("inquiries", "start"),
    ("inquiries", "sent"),
    ("inquiries", "rules"),
    ("inquiries", "status"),
    ("inquiries", "stewards"),
    # Public Murmurations profiles (JSON), built from public data only.
    ("murmurations", "index"),
    ("murmurations", "collective"),
    ("murmurations", "need"),
    ("murmurations", "offer"),
    # A supporter's own vouches (404 without a supporter profile; vouches/tests/test_views.py).
    ("supporter_vouches", "index"),
    ("supporter_vouches", "offer"),
    ("supporter_vouches", "confirm"),
    ("supporter_vouches", "withdraw"),
    # A client's estimate behind its secret link (estimates/tests/test_client.py).
    ("estimate_client", "page"),
    ("estimate_client", "pdf"),
    ("estimate_client", "answer"),
    *(
        ("exchange", name)
        for name in (
            "index",
            "dashboard",
            "need_create",
            "need_detail",
            "need_edit",
            "need_state",
            "need_renew",
            "request_introduction",
            "offer_create",
            "collective_offer_create",
            "offer_detail",
            "offer_edit",
            "ask_offer",
            "ask_supporter",
            "offer_state",
            "offer_renew",
            "renew",
            "introduction_detail",
            "introduction_answer",
            "introduction_withdraw",
            "introduction_complete",
        )
    ),
    *(
        ("workshops", name)
        for name in (
            "index",
            "mine",
            "idea_list",
            "idea_create",
            "idea_detail",
            "idea_edit",
            "idea_interest",
            "idea_withdraw",
            "idea_state",
            "idea_schedule",
            "event_create",
            "event_detail",
            "event_edit",
            "event_cancel",
            "event_register",
            "event_unregister",
            "event_attendees",
            "event_message",
            "event_add_host",
            "event_remove_host",
            "event_follow_up",
            "material_upload",
            "event_ics",
            "material_download",
            "material_delete",
            "calendar",
            "calendar_regenerate",
            "calendar_revoke",
            "public_feed",
            "personal_feed",
        )
    ),
    *(
        ("knowledge", name)
        for name in (
            "index",
            "article_create",
            "article_detail",
            "article_edit",
            "article_history",
            "article_revision",
            "article_revert",
            "preview",
            "question_list",
            "question_create",
            "question_detail",
            "answer_create",
            "answer_accept",
            "question_to_article",
            "answer_edit",
        )
    ),
}

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
        "decision_comment": "decision",
        "decision_comment_edit": "decision",
        "decision_comment_delete": "decision",
        "red_line_edit": "red_line",
        "red_line_delete": "red_line",
        "referral_detail": "referral",
        "referral_answer": "referral",
        "referral_withdraw": "referral",
    },
    "rates": {"version": "day_rate"},
    "tenders": {
        "entry_dismiss": "inbox_entry",
        "entry_restore": "inbox_entry",
        "entry_lead": "inbox_entry",
        "entry_override": "inbox_entry",
        "entry_consortium": "inbox_entry",
        "consortium_detail": "consortium",
        "consortium_invite": "consortium",
        "consortium_answer": "consortium",
        "consortium_part": "consortium",
        "consortium_leave": "consortium",
        "consortium_state": "consortium",
    },
    "estimates": dict.fromkeys(
        (
            "detail",
            "edit",
            "content",
            "share",
            "renew_link",
            "revoke_link",
            "withdraw",
            "pdf",
            "invoice_xml",
            "calibrate",
            "actuals",
            "actuals_delete",
            "end_project",
            "actuals_upload",
            "actuals_import",
        ),
        "estimate",
    ),
    "collective_inquiries": {"detail": "inquiry_offer"},
    "vouches": {"confirm": "vouch", "withdraw": "vouch"},
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
OTHER_PAGE_KWARGS = {"file_format": "csv", "step": "need"}

# Which object an API path parameter names.
API_PARAMETERS = {
    "lead_id": "lead",
    "decision_id": "decision",
    "comment_id": "decision_comment",
    "red_line_id": "red_line",
    "referral_id": "referral",
    "contact_id": "contact",
    "organisation_id": "organisation",
    "entry_id": "inbox_entry",
    "version_id": "day_rate",
    "estimate_id": "estimate",
    "row_id": "actual_hours",
    "consortium_id": "consortium",
    "offer_id": "inquiry_offer",
    "vouch_id": "vouch",
}

# Pages only network stewards may open (and that hold no collective's private data).
STEWARD_PAGES = {("workbench", "referral_totals")}

# API operations ("method path") that are not private to a collective; every operation whose
# path names `{collective}` is private. A new operation must be added to one or the other.
NOT_PRIVATE_OPERATIONS = {
    "post /api/v1/account/exports",
    "get /api/v1/account/exports/{export_id}",
    "post /api/v1/account/delete",
    "get /api/v1/topics/",
    "get /api/v1/collectives/",
    "get /api/v1/collectives/{slug}",
    "get /api/v1/supporters/",
    "get /api/v1/supporters/{slug}",
    "get /api/v1/needs",
    "post /api/v1/needs",
    "get /api/v1/needs/{ref}",
    "put /api/v1/needs/{ref}",
    "post /api/v1/needs/{ref}/state",
    "get /api/v1/needs/{ref}/matches",
    "get /api/v1/offers",
    "post /api/v1/offers",
    "get /api/v1/offers/{ref}",
    "put /api/v1/offers/{ref}",
    "post /api/v1/offers/{ref}/state",
    "get /api/v1/offers/{ref}/matches",
    "get /api/v1/introductions",
    "post /api/v1/introductions",
    "get /api/v1/introductions/{introduction_id}",
    "post /api/v1/introductions/{introduction_id}/accept",
    "post /api/v1/introductions/{introduction_id}/decline",
    "post /api/v1/introductions/{introduction_id}/withdraw",
    "post /api/v1/introductions/{introduction_id}/complete",
    "get /api/v1/workshops/ideas",
    "post /api/v1/workshops/ideas",
    "get /api/v1/workshops/ideas/{idea_id}",
    "post /api/v1/workshops/ideas/{idea_id}/interest",
    "delete /api/v1/workshops/ideas/{idea_id}/interest",
    "get /api/v1/workshops/events",
    "post /api/v1/workshops/events",
    "get /api/v1/workshops/events/{event_id}",
    "put /api/v1/workshops/events/{event_id}",
    "post /api/v1/workshops/events/{event_id}/cancel",
    "get /api/v1/workshops/events/{event_id}/attendees",
    "post /api/v1/workshops/events/{event_id}/registration",
    "delete /api/v1/workshops/events/{event_id}/registration",
    "get /api/v1/workshops/registrations",
    "get /api/v1/knowledge/articles",
    "post /api/v1/knowledge/articles",
    "get /api/v1/knowledge/articles/{slug}",
    "patch /api/v1/knowledge/articles/{slug}",
    "put /api/v1/knowledge/articles/{slug}",
    "get /api/v1/knowledge/articles/{slug}/revisions",
    "get /api/v1/knowledge/articles/{slug}/revisions/{number}",
    "post /api/v1/knowledge/articles/{slug}/revisions/{number}/restore",
    "get /api/v1/knowledge/questions",
    "post /api/v1/knowledge/questions",
    "get /api/v1/knowledge/questions/{pk}",
    "post /api/v1/knowledge/questions/{pk}/answers",
    "patch /api/v1/knowledge/answers/{pk}",
    "post /api/v1/knowledge/questions/{pk}/accept",
    "post /api/v1/knowledge/questions/{pk}/article",
    # Tenders are public procurement data, for signed-in callers.
    "get /api/v1/tenders/",
    "get /api/v1/tenders/cpv",
    "get /api/v1/tenders/{tender_id}",
    # Stewards' totals: counts per collective, no client's details (403 for everyone else).
    "get /api/v1/inquiries/totals",
    # A collective's public vouches, as its profile shows them; a supporter's own vouches.
    "get /api/v1/vouches/",
    "get /api/v1/vouches/supporter/",
    "post /api/v1/vouches/supporter/offers",
    "post /api/v1/vouches/supporter/{vouch_id}/confirm",
    "post /api/v1/vouches/supporter/{vouch_id}/withdraw",
}


@dataclass(frozen=True)
class Route:
    namespace: str | None
    name: str
    kwargs: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.namespace}:{self.name}" if self.namespace else self.name

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.namespace, self.name)

    @property
    def is_private(self) -> bool:
        return self.namespace in PRIVATE_NAMESPACES or self.key in PRIVATE_PAGES


def _walk(patterns: list[Any], namespace: str | None, kwargs: tuple[str, ...]) -> list[Route]:
    routes = []
    for pattern in patterns:
        converters = tuple(getattr(pattern.pattern, "converters", {}))
        if isinstance(pattern, URLResolver):
            routes += _walk(
                pattern.url_patterns, pattern.namespace or namespace, kwargs + converters
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            # klinke's own views only: allauth's, the admin's and the API's are not pages here.
            module = getattr(pattern.callback, "__module__", "")
            if module.startswith("klinke.") and not module.startswith("klinke.api"):
                routes.append(Route(namespace, pattern.name, kwargs + converters))
    return routes


def all_routes() -> list[Route]:
    return _walk(get_resolver().url_patterns, None, ())


def private_routes() -> list[Route]:
    return [route for route in all_routes() if route.is_private]


def _tender_in_inbox(network: Any) -> InboxEntry:
    """A tender in collective A's inbox; the profile holds a keyword nobody else may see."""
    import_records(record())
    make_profile(network.collective_a, keywords_en="quellcode-private-keyword")
    do_refresh_inbox(collective=network.collective_a)
    return InboxEntry.objects.get(collective=network.collective_a)


def _accepted_estimate(network: Any, lead: Any) -> Any:
    """An estimate of collective A for its lead, accepted, so every page of it answers (the
    invoice data only exists for an accepted one)."""
    estimate = make_estimate(
        network.collective_a,
        network.alice,
        lead=lead,
        title="Kostenschätzung für den Mieterverein",
        en16931_seller_name="Kollektiv Quellcode",
        en16931_seller_city="Leipzig",
        en16931_seller_vat_id="DE123456789",
        en16931_buyer_name="Mieterverein",
    )
    do_share_estimate(estimate=estimate, user=network.alice)
    do_decide_estimate(estimate=estimate, version_number=1, accept=True)
    estimate.refresh_from_db()
    return estimate


def _consortium(network: Any, third: Any) -> Consortium:
    """A consortium started by collective A, with the third collective invited (not B)."""
    import_records(multi_lot_record())
    consortium = do_start_consortium(
        tender=Tender.objects.get(procedure_id="proc-lose"),
        collective=network.collective_a,
        user=network.alice,
    )
    do_invite_to_consortium(
        consortium=consortium, collective=network.collective_a, user=network.alice, invitee=third
    )
    return consortium


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
    inbox_entry = _tender_in_inbox(network)
    estimate = _accepted_estimate(network, workbench.lead)
    contact_import = ContactImport.objects.create(
        collective=network.collective_a,
        created_by=network.alice,
        file_name="adressen.csv",
        file_format="csv",
        state="mapping",
        table={"header": ["Name"], "rows": [[2, ["Ruth Berger"]]], "delimiter": ","},
    )
    decision_comment = DecisionComment.objects.create(
        decision=workbench.decision, author=network.alice, text="Was meint ihr?"
    )
    return {
        "lead": workbench.lead,
        "decision": workbench.decision,
        "decision_comment": decision_comment,
        "red_line": workbench.red_line,
        "referral": workbench.referral,
        "contact": workbench.contact,
        "organisation": workbench.organisation,
        "introduction": introduction,
        "merge": merge,
        "contact_import": contact_import,
        "inbox_entry": inbox_entry,
        "day_rate": save_rate(
            network.collective_a, network.alice, change_note="quellcode-private-rate-note"
        ),
        "estimate": estimate,
        "actual_hours": do_record_actual_hours(
            estimate=estimate,
            user=network.alice,
            rows=[
                ActualValues(
                    package_id=estimate.decided_version.packages.first().pk, hours=Decimal(3)
                )
            ],
        )[0],
        "consortium": _consortium(network, workbench.third),
        "inquiry_offer": inquiry_for(network.collective_a),
        # Pending: the third collective offered to vouch for A.
        "vouch": Vouch.objects.create(
            collective=network.collective_a,
            voucher_collective=workbench.third,
            project="Gemeinsames Projekt",
        ),
    }


def private_texts(objects: dict[str, Any]) -> list[str]:
    """What must never appear in an answer to someone outside collective A."""
    return [
        objects["lead"].title,
        objects["contact"].family_name,
        objects["organisation"].name,
        str(objects["red_line"]),
        "quellcode-private-keyword",
        "quellcode-private-rate-note",
    ]


def leaked(response: Any, objects: dict[str, Any]) -> list[str]:
    body = response.content.decode(errors="replace")
    return [text for text in private_texts(objects) if text and text in body]


def page_url(route: Route, slug: str, objects: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {}
    for name in route.kwargs:
        if name == "slug":
            kwargs[name] = slug
        elif name == "pk":
            source = PAGE_OBJECTS.get(route.namespace or "", {}).get(route.name)
            if source is None:
                pytest.fail(f"{route} has a pk this matrix does not know: add it to PAGE_OBJECTS")
            kwargs[name] = objects[source].pk
        elif name == "comment_pk":
            kwargs[name] = objects["decision_comment"].pk
        elif name == "row":
            kwargs[name] = objects["actual_hours"].pk
        elif name in OTHER_PAGE_KWARGS:
            kwargs[name] = OTHER_PAGE_KWARGS[name]
        else:
            pytest.fail(f"{route} has a parameter {name!r} this matrix does not know")
    return reverse(str(route), kwargs=kwargs)


def outsiders(network: Any) -> dict[str, Any]:
    """Everyone logged in who is not a member of collective A."""
    return {
        "outsider": network.client_for(network.outsider),
        "member of B": network.client_for(network.bob),
        "supporter": network.client_for(network.sam),
        "steward": network.client_for(network.stella),
    }


def test_it_classifies_every_page_as_private_or_not():
    unclassified = [
        str(route)
        for route in all_routes()
        if not route.is_private and route.key not in NOT_PRIVATE_PAGES
    ]
    assert unclassified == [], "add each page to PRIVATE_PAGES or NOT_PRIVATE_PAGES"
    stale = NOT_PRIVATE_PAGES - {route.key for route in all_routes()}
    assert stale == set()


def test_it_finds_the_routes_it_checks():
    names = {str(route) for route in private_routes()}
    assert {"workbench:index", "workbench:lead_move", "workbench:decision_respond"} <= names
    assert {"contacts:index", "contacts:detail", "collectives:edit", "collectives:members"} <= names
    assert len(names) >= 40


def test_it_answers_404_to_everyone_outside_the_collective_on_every_private_page(
    workbench, objects
):
    network = workbench.network
    alice = network.client_for(network.alice)
    failures = []
    for route in private_routes():
        url = page_url(route, network.collective_a.slug, objects)
        if route.key not in STEWARD_PAGES:
            # The filled parameters name real objects: a member of A is not turned away.
            assert alice.get(url).status_code != 404, f"{route}: {url} is not a real page for A"
        for who, client in outsiders(network).items():
            if who == "steward" and route.key in STEWARD_PAGES:
                assert client.get(url).status_code == 200, route
                continue
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if response.status_code != 404:
                    failures.append(
                        f"{who}: {method.upper()} {url} ({route}) answered {response.status_code}"
                    )
                elif leaked(response, objects):
                    failures.append(
                        f"{who}: {method.upper()} {url} shows {leaked(response, objects)}"
                    )
    assert not failures, "\n".join(failures)


def test_it_answers_404_for_foreign_objects_under_the_callers_own_slug(workbench, objects):
    """B's own slug with A's object ids: objects are looked up within the collective.

    B is a member here, so a wrong method may answer 405 first; that says nothing about A's
    object. Anything else but 404 would.
    """
    network = workbench.network
    bob = network.client_for(network.bob)
    failures = []
    for route in private_routes():
        if "pk" not in route.kwargs:
            continue
        url = page_url(route, network.collective_b.slug, objects)
        for method in ("get", "post"):
            status = getattr(bob, method)(url).status_code
            if status not in (404, 405):
                failures.append(f"{method.upper()} {url} ({route}) answered {status}")
    assert not failures, "\n".join(failures)


def test_it_sends_anonymous_visitors_to_log_in_on_every_private_page(workbench, objects):
    network = workbench.network
    anonymous = network.client_for(None)
    login = reverse("account_login")
    for route in private_routes():
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


def all_operations() -> list[Operation]:
    schema = openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            body = None
            content = spec.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = example_body(schema, content["application/json"]["schema"])
            operations.append(Operation(method, path, body))
    return operations


def private_operations() -> list[Operation]:
    return [op for op in all_operations() if "{collective}" in op.path]


def call(client: Any, operation: Operation, url: str, body: Any = None) -> Any:
    send = getattr(client, operation.method)
    if operation.method == "get":
        return send(url)
    data = operation.body if body is None else body
    return send(url, data=json.dumps(data), content_type="application/json")


def test_it_classifies_every_api_operation_as_private_or_not():
    names = {f"{op.method} {op.path}" for op in all_operations() if "{collective}" not in op.path}
    assert sorted(names - NOT_PRIVATE_OPERATIONS) == [], "classify each new API operation"
    assert sorted(NOT_PRIVATE_OPERATIONS - names) == []


def test_it_covers_leads_decisions_red_lines_referrals_and_contacts_in_the_api_matrix():
    paths = {op.path for op in private_operations()}
    for fragment in ("leads", "decisions", "red-lines", "referrals", "contacts", "screening"):
        assert any(fragment in path for path in paths), fragment
    for fragment in ("tenders/{collective}/profile", "tenders/{collective}/inbox"):
        assert any(fragment in path for path in paths), fragment
    assert "/api/v1/rates/{collective}/versions" in paths
    assert any(path.startswith("/api/v1/estimates/{collective}/{estimate_id}") for path in paths)
    assert all(
        path.startswith(
            (
                "/api/v1/workbench/",
                "/api/v1/tenders/",
                "/api/v1/rates/",
                "/api/v1/estimates/",
                "/api/v1/inquiries/",
                "/api/v1/vouches/",
            )
        )
        for path in paths
    )


def test_it_answers_404_to_everyone_outside_the_collective_from_every_private_operation(
    workbench, objects
):
    network = workbench.network
    bob = network.client_for(network.bob)
    alice = network.client_for(network.alice)
    failures = []
    for operation in private_operations():
        url = operation.url(network.collective_a.slug, objects)
        if operation.method == "get":
            assert call(alice, operation, url).status_code == 200, url
        for who, client in outsiders(network).items():
            response = call(client, operation, url)
            if response.status_code != 404:
                failures.append(f"{who}: {operation.method.upper()} {url}: {response.status_code}")
            elif leaked(response, objects):
                failures.append(f"{who}: {operation.method.upper()} {url} shows private data")
        if "{" in operation.path.replace("{collective}", ""):
            # B's own collective with A's object ids.
            own = operation.url(network.collective_b.slug, objects)
            response = call(bob, operation, own)
            if response.status_code != 404:
                failures.append(f"{operation.method.upper()} {own}: {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("body", ["{not json", json.dumps({"unknown": ["x"] * 3})])
def test_it_refuses_outsiders_before_reading_the_api_body(workbench, objects, body):
    """Even a broken body gets 404, not a validation error that would confirm the route:
    ninja runs the auth (klinke.collectives.access.collective_member) before parsing."""
    network = workbench.network
    failures = []
    for operation in private_operations():
        if operation.method == "get":
            continue
        url = operation.url(network.collective_a.slug, objects)
        for who in ("outsider", "member of B"):
            client = outsiders(network)[who]
            response = getattr(client, operation.method)(
                url, data=body, content_type="application/json"
            )
            if response.status_code != 404:
                failures.append(f"{who}: {operation.method.upper()} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_it_reads_the_body_only_for_members(workbench, objects):
    """The counterpart: the same broken body from a member is a validation error."""
    network = workbench.network
    alice = network.client_for(network.alice)
    url = f"/api/v1/workbench/{network.collective_a.slug}/contacts"
    response = alice.post(url, data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)


def test_it_answers_401_to_anonymous_callers_from_every_private_operation(workbench, objects):
    network = workbench.network
    anonymous = network.client_for(None)
    for operation in private_operations():
        url = operation.url(network.collective_a.slug, objects)
        response = call(anonymous, operation, url)
        assert response.status_code == 401, (operation.method, url)
        assert not leaked(response, objects)
