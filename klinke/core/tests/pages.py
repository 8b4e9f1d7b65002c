"""Pages to visit in tests, generated from the URL resolver and filled from the demo network.

Every named route whose arguments can be filled with an object of the demo network becomes a
URL, so a new page is covered by the tests that walk them without being listed anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from klinke.accounts.models import STEWARD_GROUP, APIToken, User
from klinke.collectives.models import Collective
from klinke.contacts.models import Contact, ContactImport, ContactMerge, Organisation
from klinke.estimates.models import Estimate
from klinke.exchange.models import Introduction, Need, Offer
from klinke.inquiries.models import InquiryOffer
from klinke.knowledge.models import Answer, Article, Question
from klinke.network.demo_loader import do_load_demo_network
from klinke.rates.models import DayRate
from klinke.tenders.models import Consortium
from klinke.workbench.models import Decision, DecisionComment, Lead, RedLine, Referral
from klinke.workshops.models import Event, Material, WorkshopIdea

COLLECTIVE = "kollektiv-quellcode"

# Each int argument is an object of one model; the longest matching route-name prefix wins.
PK_MODELS: dict[str, Callable[[Collective], Model | None]] = {
    "accounts:revoke_api_token": lambda c: APIToken.objects.first(),
    "exchange:introduction_": lambda c: Introduction.objects.first(),
    "workshops:idea_": lambda c: WorkshopIdea.objects.first(),
    "workshops:event_": lambda c: Event.objects.first(),
    "workshops:material_": lambda c: Material.objects.first(),
    "knowledge:question_": lambda c: Question.objects.first(),
    "knowledge:answer_": lambda c: Question.objects.filter(answers__isnull=False).first(),
    "knowledge:answer_edit": lambda c: Answer.objects.first(),
    "contacts:": lambda c: Contact.objects.filter(collective=c).first(),
    "contacts:organisation_": lambda c: Organisation.objects.filter(collective=c).first(),
    "contacts:import_": lambda c: ContactImport.objects.filter(collective=c).first(),
    "contacts:merge_undo": lambda c: ContactMerge.objects.filter(collective=c).first(),
    "contacts:from_introduction": lambda c: Introduction.objects.first(),
    "workbench:lead_": lambda c: Lead.objects.filter(collective=c).first(),
    "workbench:activity_create": lambda c: Lead.objects.filter(collective=c).first(),
    "workbench:screening_override": lambda c: Lead.objects.filter(collective=c).first(),
    "workbench:decision_": lambda c: Decision.objects.filter(collective=c).first(),
    "workbench:red_line_": lambda c: RedLine.objects.filter(collective=c).first(),
    "workbench:referral_": lambda c: Referral.objects.first(),
    "rates:version": lambda c: DayRate.objects.filter(collective=c).first(),
    "estimates:": lambda c: Estimate.objects.filter(collective=c).first(),
    "tenders:consortium_": lambda c: Consortium.objects.seen_by(c).first(),
    "collective_inquiries:detail": lambda c: InquiryOffer.objects.filter(collective=c).first(),
}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    arguments: tuple[str, ...]


def routes(
    patterns: list[Any] | None = None, namespace: str = "", outer: tuple[str, ...] = ()
) -> Iterator[Route]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if inner.startswith("admin:"):
                continue  # the admin has hundreds of routes; a handful are asked for below
            arguments = outer + tuple(entry.pattern.regex.groupindex)
            yield from routes(entry.url_patterns, inner, arguments)
        elif isinstance(entry, URLPattern) and entry.name:
            arguments = outer + tuple(entry.pattern.regex.groupindex)
            yield Route(f"{namespace}{entry.name}", str(entry.pattern), arguments)


def fill(route: Route, collective: Collective) -> str | None:
    kwargs: dict[str, Any] = {}
    for argument in route.arguments:
        if argument == "slug":
            if route.name.startswith(("supporters:", "exchange:ask_supporter")):
                kwargs[argument] = "sam-berater-demo"
            elif route.name.startswith("knowledge:"):
                article = Article.objects.first()
                if article is None:
                    return None
                kwargs[argument] = article.slug
            else:
                kwargs[argument] = collective.slug
        elif argument == "ref":
            model = Offer if route.name.startswith("exchange:offer") else Need
            item = model.objects.filter(collective=collective).first() or model.objects.first()
            if item is None:
                return None
            kwargs[argument] = item.ref
        elif argument == "number":
            kwargs[argument] = 1
        elif argument == "step":
            kwargs[argument] = "need"
        elif argument == "file_format":
            kwargs[argument] = "csv"
        elif argument in {"token", "key", "uidb36"}:
            kwargs[argument] = "not-a-real-token"  # answers the page's "invalid link" kind
        elif argument == "comment_pk":
            comment = DecisionComment.objects.filter(decision_id=kwargs["pk"]).first()
            if comment is None:
                return None
            kwargs[argument] = comment.pk
        elif argument in {"pk", "user_pk"}:
            prefix = max((p for p in PK_MODELS if route.name.startswith(p)), key=len, default="")
            found = PK_MODELS[prefix](collective) if prefix else None
            if found is None:
                return None
            kwargs[argument] = found.pk
        else:
            return None
    return reverse(route.name, kwargs=kwargs)


def load_demo() -> tuple[Collective, User]:
    """Load the demo network; return its first collective and a member who is also a steward."""
    do_load_demo_network()
    collective = Collective.objects.get(slug=COLLECTIVE)
    member = collective.memberships.select_related("user").first().user
    member.is_staff = True
    member.save(update_fields=["is_staff"])
    member.groups.add(Group.objects.get(name=STEWARD_GROUP))
    return collective, member


def page_urls(collective: Collective) -> list[str]:
    urls = [url for route in routes() if (url := fill(route, collective))]
    urls += [
        "/admin/",
        "/admin/collectives/collective/",
        f"/admin/collectives/collective/{collective.pk}/change/",
        "/admin/login/",
        "/no-such-page/",  # 404
    ]
    return urls
