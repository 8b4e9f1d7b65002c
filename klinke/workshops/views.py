"""Pages of the workshops app: ideas, events, registration, materials and calendars.

Objects a visitor may not see answer 404; visible ones they may not change answer 403. An htmx
request gets the partial template of the same view (the interest or registration panel, or the
list results).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING, TypedDict, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klinke.accounts import request_user
from klinke.core import fragments
from klinke.core.counts import page_of
from klinke.core.forms import refusal_onto
from klinke.core.htmx import HtmxHttpRequest
from klinke.core.languages import LANGUAGE_NAMES, interface_language
from klinke.core.models import Visibility, Visitor, is_network_member, signed_in_pk
from klinke.core.submissions import once_per_submission
from klinke.knowledge.markup import render_markdown
from klinke.matching.analysis import query_terms
from klinke.topics.models import Topic, topic_names_by_row
from klinke.workshops import actions, feeds
from klinke.workshops.forms import (
    AddHostForm,
    CancelEventForm,
    EventFilterForm,
    EventForm,
    FollowUpForm,
    IdeaFilterForm,
    IdeaForm,
    InterestForm,
    MaterialForm,
    MessageForm,
    co_host_choices,
)
from klinke.workshops.host_suggestions import suggest_hosts
from klinke.workshops.models import (
    ACTIVE_REGISTRATION,
    CalendarToken,
    Event,
    EventFormat,
    EventMessage,
    EventQuerySet,
    IdeaState,
    Interest,
    Material,
    PreferredFormat,
    Registration,
    RegistrationStatus,
    WorkshopIdea,
)

PAGE_SIZE = 20
LONG_TEXTS = ("description", "search_document")
"""Columns of events and ideas that their cards in a list do not show."""
FEED_PAST_DAYS = 60
"""Feeds keep recently ended events, so calendars do not lose them at once."""

if TYPE_CHECKING:
    from klinke.knowledge.models import Article


def _say(request: HtmxHttpRequest, level: int, text: str) -> dict[str, object]:
    """Tell the person: inline in an htmx partial, otherwise as a message on the next page."""
    if request.htmx:
        return {"notice": text, "notice_error": level == messages.ERROR}
    messages.add_message(request, level, text)
    return {}


def _articles_for(user: Visitor) -> QuerySet[Article]:
    from klinke.knowledge.models import Article

    articles: QuerySet[Article] = Article.objects.visible_to(user).order_by("title")
    return articles


# --- lists ---------------------------------------------------------------------------

_Listed = TypeVar("_Listed", Event, WorkshopIdea)


def _as_cards(rows: Iterable[_Listed]) -> list[_Listed]:
    """`rows` with what their cards show worked out once: each row's address (`card_url`,
    one `reverse` for all) and its topics' names (`topic_names`, read as plain values in one
    query for all, instead of a Topic object per tag or a query per row)."""
    rows = list(rows)
    if not rows:
        return rows
    model = type(rows[0])
    viewname = "workshops:event_detail" if model is Event else "workshops:idea_detail"
    head, _marker, tail = reverse(viewname, args=[_PK_MARKER]).rpartition(str(_PK_MARKER))
    names = topic_names_by_row(model, [row.pk for row in rows])
    for row in rows:
        row.card_url = f"{head}{row.pk}{tail}"
        row.topic_names = names[row.pk]
    return rows


_PK_MARKER = 987654321
"""A primary key no address holds elsewhere, where `_as_cards` writes each row's own."""


# --- events: lists -------------------------------------------------------------------


def _my_statuses(user: Visitor, event_ids: list[int]) -> dict[int, str]:
    user_id = signed_in_pk(user)
    if user_id is None or not event_ids:
        return {}

    def statuses() -> dict[int, str]:
        rows = Registration.objects.filter(
            user_id=user_id, event_id__in=event_ids, status__in=ACTIVE_REGISTRATION
        ).values_list("event_id", "status")
        return dict(rows)

    # Kept for this visitor until the data change (klinke.core.fragments).
    return fragments.kept_value("workshops:my-statuses", (user_id, tuple(event_ids)), statuses)


def _filtered_events(request: HttpRequest, form: EventFilterForm) -> EventQuerySet:
    data = form.cleaned_data if form.is_valid() else {}
    events = Event.objects.visible_to(request.user)
    events = events.past() if data.get("when") == "past" else events.upcoming()
    if data.get("q"):
        events = events.matching_terms(query_terms(data["q"]))
    if data.get("topic"):
        topics = Topic.objects.with_descendants([data["topic"].slug])
        events = events.filter(pk__in=Event.objects.filter(topics__in=topics).values("pk"))
    if data.get("language"):
        events = events.filter(language=data["language"])
    if data.get("format"):
        events = events.filter(format=data["format"])
    # The cards show neither hosts nor the long texts.
    return events.with_counts().defer(*LONG_TEXTS)


def index(request: HtmxHttpRequest) -> HttpResponse:
    """Upcoming (or past) events the visitor may see, with filters and full-text search.

    The filters, events and ideas show alike to everyone of an audience (the public, or the
    network's members) and are kept for the next visitor (klinke.core.fragments); only the
    visitor's own registrations are filled in, into the slots the event cards leave."""
    member = is_network_member(request.user)
    template = "workshops/_event_results.html" if request.htmx else "workshops/_index_body.html"

    def build() -> str:
        form = EventFilterForm(request.GET or None)
        page = page_of(_filtered_events(request, form), PAGE_SIZE, request.GET.get("page"))
        page.object_list = _as_cards(page.object_list)
        for event in page.object_list:
            event.status_slot = fragments.slot("status", event.pk)
        context: dict[str, object] = {
            "form": form,
            "page": page,
            "page_query": request.GET,
            "is_network_member": member,
        }
        if not request.htmx:
            context["ideas"] = _as_cards(
                WorkshopIdea.objects.open()
                .visible_to(request.user)
                .with_interest_count()
                .defer(*LONG_TEXTS)
                .order_by("-interest_count", "-created_at")[:4]
            )
        return fragments.render_part(template, context)

    body = fragments.kept(template, (member, fragments.query_values(request.GET)), build)
    event_ids = [int(key) for key in fragments.slot_keys(body, "status")]
    statuses = _my_statuses(request.user, event_ids)
    body = fragments.fill_slots(
        body,
        "status",
        {
            str(pk): render_to_string("workshops/_my_status.html", {"status": status})
            for pk, status in statuses.items()
        },
    )
    if request.htmx:
        return HttpResponse(body)
    return render(request, "workshops/index.html", {"body": body})


# --- ideas ---------------------------------------------------------------------------


def _visible_idea(request: HttpRequest, pk: int) -> WorkshopIdea:
    queryset = (
        WorkshopIdea.objects.visible_to(request.user)
        .with_interest_count()
        .prefetch_related("proposers", "topics")
    )
    return get_object_or_404(queryset, pk=pk)


def _proposed_idea(request: HttpRequest, pk: int) -> WorkshopIdea:
    idea = _visible_idea(request, pk)
    if not idea.is_proposer(request.user):
        raise PermissionDenied
    return idea


def idea_list(request: HtmxHttpRequest) -> HttpResponse:
    form = IdeaFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    ideas = WorkshopIdea.objects.visible_to(request.user)
    state = data.get("state") or "open"
    if state != "all":
        ideas = ideas.filter(state=state)
    if data.get("q"):
        ideas = ideas.matching_terms(query_terms(data["q"]))
    if data.get("topic"):
        topics = Topic.objects.with_descendants([data["topic"].slug])
        ideas = ideas.filter(pk__in=WorkshopIdea.objects.filter(topics__in=topics).values("pk"))
    ideas = ideas.with_interest_count().order_by("-interest_count", "-created_at", "pk")
    page = Paginator(ideas, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _as_cards(page.object_list)
    mine: set[int] = set()
    if request.user.is_authenticated:
        mine = set(
            Interest.objects.filter(
                user=request.user, idea_id__in=[i.pk for i in page.object_list]
            ).values_list("idea_id", flat=True)
        )
    context = {"form": form, "page": page, "my_interests": mine}
    template = "workshops/_idea_results.html" if request.htmx else "workshops/idea_list.html"
    return render(request, template, context)


@login_required
@once_per_submission
def idea_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not is_network_member(user):
        raise PermissionDenied
    form = IdeaForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        idea = actions.do_propose_idea(user=user, fields=form.idea_fields())
        messages.success(
            request,
            _("Your idea is online. Share it: when %(count)s people are interested, we email you.")
            % {"count": idea.interest_threshold},
        )
        return redirect(idea)
    return render(request, "workshops/idea_form.html", {"form": form})


@login_required
def idea_edit(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _proposed_idea(request, pk)
    form = IdeaForm(request.POST or None, instance=idea)
    if request.method == "POST" and form.is_valid():
        actions.do_update_idea(idea=idea, user=request_user(request), fields=form.idea_fields())
        messages.success(request, _("Your changes are saved."))
        return redirect(idea)
    return render(request, "workshops/idea_form.html", {"form": form, "idea": idea})


def _interest_summary(idea: WorkshopIdea) -> dict[str, list[tuple[str, int]]]:
    rows = list(idea.interests.values_list("preferred_format", "region", "language"))
    formats = Counter(row[0] for row in rows)
    regions = Counter(row[1].strip() for row in rows if row[1].strip())
    languages = Counter(row[2] for row in rows)
    format_labels = dict(PreferredFormat.choices)
    return {
        "formats": [(str(format_labels.get(k, k)), n) for k, n in formats.most_common()],
        "regions": regions.most_common(8),
        "languages": [(str(LANGUAGE_NAMES.get(k, k)), n) for k, n in languages.most_common()],
    }


def _interest_context(
    request: HttpRequest, idea: WorkshopIdea, form: InterestForm | None = None
) -> dict[str, object]:
    my_interest = None
    if request.user.is_authenticated:
        my_interest = Interest.objects.filter(idea=idea, user=request.user).first()
    return {
        "idea": idea,
        "is_proposer": idea.is_proposer(request.user),
        "my_interest": my_interest,
        "interest_form": form or InterestForm(instance=my_interest, user=request.user),
        "interest_count": idea.interested_count(),
    }


def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _visible_idea(request, pk)
    context = _interest_context(request, idea)
    if context["is_proposer"]:
        context["summary"] = _interest_summary(idea)
        context["suggestions"] = suggest_hosts(idea, user=request.user)
    context["events"] = _as_cards(
        idea.events.visible_to(request.user).with_counts().order_by("starts_at")
    )
    return render(request, "workshops/idea_detail.html", context)


def _interest_response(
    request: HtmxHttpRequest,
    idea: WorkshopIdea,
    extra: dict[str, object],
    form: InterestForm | None = None,
) -> HttpResponse:
    if request.htmx:
        idea = _visible_idea(request, idea.pk)
        context = {**_interest_context(request, idea, form), **extra}
        return render(request, "workshops/_interest_panel.html", context)
    return redirect(idea)


@login_required
@require_POST
def idea_interest(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    idea = _visible_idea(request, pk)
    form = InterestForm(request.POST, user=request.user)
    if not form.is_valid():
        extra = _say(request, messages.ERROR, _("Please check your answers."))
        return _interest_response(request, idea, extra, form if request.htmx else None)
    try:
        actions.do_register_interest(
            idea_id=idea.pk,
            user=request_user(request),
            preferred_format=form.cleaned_data["preferred_format"],
            region=form.cleaned_data["region"],
            language=form.cleaned_data["language"],
        )
    except actions.WorkshopError as exc:
        extra = _say(request, messages.ERROR, str(exc))
    else:
        extra = _say(
            request,
            messages.SUCCESS,
            _("Thank you: your interest is counted. We email you when it becomes an event."),
        )
    return _interest_response(request, idea, extra)


@login_required
@require_POST
def idea_withdraw(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    idea = _visible_idea(request, pk)
    if actions.do_withdraw_interest(idea_id=idea.pk, user=request_user(request)):
        extra = _say(request, messages.SUCCESS, _("Your interest is withdrawn."))
    else:
        extra = _say(request, messages.ERROR, _("You had not registered interest."))
    return _interest_response(request, idea, extra)


@login_required
@require_POST
def idea_state(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _proposed_idea(request, pk)
    if request.POST.get("state") == IdeaState.CLOSED:
        actions.do_close_idea(idea=idea, user=request_user(request))
        messages.success(request, _("The idea is closed. Nobody can register interest now."))
    else:
        actions.do_reopen_idea(idea=idea, user=request_user(request))
        messages.success(request, _("The idea gathers interest again."))
    return redirect(idea)


def _event_initial_from_idea(idea: WorkshopIdea) -> dict[str, object]:
    interests = list(idea.interests.values_list("preferred_format", "region"))
    formats = Counter(fmt for fmt, _region in interests)
    regions = Counter(region.strip() for _fmt, region in interests if region.strip())
    in_person = formats[PreferredFormat.IN_PERSON] > formats[PreferredFormat.ONLINE]
    return {
        "title": idea.title,
        "description": idea.description,
        "topics": list(idea.topics.all()),
        "language": idea.language,
        "visibility": idea.visibility,
        "capacity": max(idea.interest_threshold, len(interests)),
        "format": EventFormat.IN_PERSON if in_person else EventFormat.ONLINE,
        "city": regions.most_common(1)[0][0] if regions and in_person else "",
    }


@login_required
def idea_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn an idea into an event in one step: a form prefilled from the idea."""
    idea = _proposed_idea(request, pk)
    user = request_user(request)
    if idea.state == IdeaState.CLOSED:
        messages.error(request, _("Reopen the idea before you plan it."))
        return redirect(idea)
    form = EventForm(
        request.POST or None,
        initial=_event_initial_from_idea(idea),
        co_host_choices=co_host_choices(idea, user),
    )
    if request.method == "POST" and form.is_valid():
        with refusal_onto(form, actions.WorkshopError):
            event = actions.do_create_event(
                user=user,
                fields=form.event_fields(),
                idea=idea,
                co_hosts=form.cleaned_data.get("co_hosts") or [],
            )
            messages.success(
                request,
                _("Registration is open. We emailed the %(count)s people who were interested.")
                % {"count": idea.interests.count()},
            )
            return redirect(event)
    return render(
        request,
        "workshops/event_form.html",
        {"form": form, "idea": idea, "suggestions": suggest_hosts(idea, user=user)},
    )


# --- events: one event ---------------------------------------------------------------


def _event_queryset(request: HttpRequest) -> EventQuerySet:
    return (
        Event.objects.visible_to(request.user)
        .with_counts()
        .select_related("idea", "article")
        .prefetch_related("hosts", "topics")
    )


def _visible_event(request: HttpRequest, pk: int) -> Event:
    return get_object_or_404(_event_queryset(request), pk=pk)


def _hosted_event(request: HttpRequest, pk: int) -> Event:
    event = _visible_event(request, pk)
    if not event.is_host(request.user):
        raise PermissionDenied
    return event


class _RegistrationContext(TypedDict):
    """Where the visitor stands with an event; views read it back, templates show it."""

    event: Event
    registration: Registration | None
    position: int | None
    is_host: bool
    can_see_link: bool
    places_left: int


def _registration_context(request: HttpRequest, event: Event) -> _RegistrationContext:
    registration = None
    if request.user.is_authenticated:
        registration = Registration.objects.filter(event=event, user=request.user).first()
        if registration is not None and not registration.is_active:
            registration = None
    is_host = event.is_host(request.user)
    confirmed = registration is not None and registration.status == RegistrationStatus.CONFIRMED
    return {
        "event": event,
        "registration": registration,
        "position": registration.waitlist_position() if registration else None,
        "is_host": is_host,
        "can_see_link": is_host or confirmed,
        "places_left": event.places_left(),
    }


def _event_context(request: HttpRequest, event: Event, **forms: Form) -> dict[str, object]:
    standing = _registration_context(request, event)
    context: dict[str, object] = {**standing}
    is_host = standing["is_host"]
    article = event.article
    if article is not None and not (
        article.visibility == Visibility.PUBLIC or is_network_member(request.user)
    ):
        article = None
    context.update(
        {
            "materials": list(event.materials.all()),
            # One sanitiser for all Markdown in klinke: the knowledge base's.
            "notes_html": mark_safe(render_markdown(event.notes)) if event.notes else "",
            "article": article,
        }
    )
    if is_host:
        context.update(
            {
                "material_form": forms.get("material_form") or MaterialForm(),
                "follow_up_form": forms.get("follow_up_form")
                or FollowUpForm(
                    initial={"notes": event.notes, "article": event.article_id},
                    articles=_articles_for(request.user),
                ),
                "add_host_form": forms.get("add_host_form") or AddHostForm(),
            }
        )
    return context


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _visible_event(request, pk)
    return render(request, "workshops/event_detail.html", _event_context(request, event))


@login_required
@once_per_submission
def event_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not is_network_member(user):
        raise PermissionDenied
    form = EventForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        event = actions.do_create_event(user=user, fields=form.event_fields())
        messages.success(request, _("Your event is published and open for registration."))
        return redirect(event)
    return render(request, "workshops/event_form.html", {"form": form})


@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _hosted_event(request, pk)
    if event.is_cancelled:
        messages.error(request, _("A cancelled event cannot be changed."))
        return redirect(event)
    form = EventForm(request.POST or None, instance=event, min_capacity=event.confirmed_count)
    if request.method == "POST" and form.is_valid():
        # A ValidationError: someone registered between the form's check and the save.
        with refusal_onto(form, actions.WorkshopError, ValidationError):
            actions.do_update_event(
                event=event, user=request_user(request), fields=form.event_fields()
            )
            messages.success(request, _("Your changes are saved."))
            return redirect(event)
    return render(request, "workshops/event_form.html", {"form": form, "event": event})


@login_required
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _hosted_event(request, pk)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_cancel_event(
                event_id=event.pk, user=request_user(request), note=form.cleaned_data["note"]
            )
        except actions.WorkshopError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("The event is cancelled. Everyone registered gets an email.")
            )
        return redirect(event)
    return render(request, "workshops/event_cancel.html", {"event": event, "form": form})


def _registration_response(
    request: HtmxHttpRequest, event: Event, extra: dict[str, object]
) -> HttpResponse:
    if request.htmx:
        event = _visible_event(request, event.pk)
        context = {**_registration_context(request, event), **extra}
        return render(request, "workshops/_registration_panel.html", context)
    return redirect(event)


@login_required
@require_POST
def event_register(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    event = _visible_event(request, pk)
    try:
        registration = actions.do_register(event_id=event.pk, user=request_user(request))
    except actions.WorkshopError as exc:
        extra = _say(request, messages.ERROR, str(exc))
    else:
        if registration.status == RegistrationStatus.CONFIRMED:
            text = _("You are registered. A confirmation is on its way to your inbox.")
        else:
            text = _(
                "The event is full; you are number %(position)s on the waitlist. "
                "When a place frees up, you move up and we email you."
            ) % {"position": registration.waitlist_position()}
        extra = _say(request, messages.SUCCESS, text)
    return _registration_response(request, event, extra)


@login_required
@require_POST
def event_unregister(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    event = _visible_event(request, pk)
    try:
        actions.do_cancel_registration(event_id=event.pk, user=request_user(request))
    except actions.WorkshopError as exc:
        extra = _say(request, messages.ERROR, str(exc))
    else:
        extra = _say(request, messages.SUCCESS, _("Your registration is cancelled."))
    return _registration_response(request, event, extra)


class _AttendeeContext(TypedDict):
    event: Event
    confirmed: list[Registration]
    waitlist: list[Registration]
    cancelled: list[Registration]
    sent_messages: QuerySet[EventMessage]


def _attendee_context(event: Event) -> _AttendeeContext:
    registrations = list(event.registrations.select_related("user").order_by("requested_at", "pk"))
    return {
        "event": event,
        "confirmed": [r for r in registrations if r.status == RegistrationStatus.CONFIRMED],
        "waitlist": [r for r in registrations if r.status == RegistrationStatus.WAITLISTED],
        "cancelled": [r for r in registrations if r.status == RegistrationStatus.CANCELLED],
        "sent_messages": event.messages.select_related("sender")[:20],
    }


@login_required
def event_attendees(request: HttpRequest, pk: int) -> HttpResponse:
    """Who registered, who waits, who cancelled: for the hosts only."""
    event = _hosted_event(request, pk)
    context = _attendee_context(event)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = slugify(event.title) or "event"
        response["Content-Disposition"] = f'attachment; filename="{name}-participants.csv"'
        writer = csv.writer(response)
        writer.writerow([_("Name"), _("Email"), _("Status"), _("Since")])
        for registration in context["confirmed"] + context["waitlist"]:
            writer.writerow(
                [
                    _csv_safe(registration.user.display_name),
                    _csv_safe(registration.user.email),
                    registration.get_status_display(),
                    registration.requested_at.isoformat(),
                ]
            )
        return response
    return render(
        request, "workshops/event_attendees.html", {**context, "message_form": MessageForm()}
    )


def _csv_safe(value: str) -> str:
    # Spreadsheet programs run cells that start like a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@require_POST
def event_message(request: HttpRequest, pk: int) -> HttpResponse:
    event = _hosted_event(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        with refusal_onto(form, actions.WorkshopError):
            message = actions.do_message_participants(
                event=event,
                user=request_user(request),
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                include_waitlist=form.cleaned_data["include_waitlist"],
            )
            messages.success(
                request,
                _("Your message is on its way to %(count)s people.")
                % {"count": message.recipient_count},
            )
            return redirect("workshops:event_attendees", pk=event.pk)
    context = {**_attendee_context(event), "message_form": form}
    return render(request, "workshops/event_attendees.html", context, status=400)


@login_required
@require_POST
def event_add_host(request: HttpRequest, pk: int) -> HttpResponse:
    event = _hosted_event(request, pk)
    form = AddHostForm(request.POST)
    if form.is_valid():
        try:
            host = actions.do_add_host(
                event=event, user=request_user(request), email=form.cleaned_data["email"]
            )
        except actions.WorkshopError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(name)s now hosts this event too.") % {"name": host})
    else:
        messages.error(request, _("Please give an email address."))
    return redirect(event)


@login_required
@require_POST
def event_remove_host(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    event = _hosted_event(request, pk)
    host = next((h for h in event.hosts.all() if h.pk == user_pk), None)
    if host is None:
        raise Http404
    try:
        actions.do_remove_host(event=event, user=request_user(request), host=host)
    except actions.WorkshopError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s no longer hosts this event.") % {"name": host})
    return redirect(event)


@login_required
@require_POST
def event_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    event = _hosted_event(request, pk)
    form = FollowUpForm(request.POST, articles=_articles_for(request.user))
    if not form.is_valid():
        context = _event_context(request, event, follow_up_form=form)
        return render(request, "workshops/event_detail.html", context, status=400)
    actions.do_update_follow_up(
        event=event,
        user=request_user(request),
        notes=form.cleaned_data["notes"],
        article=form.cleaned_data.get("article"),
    )
    messages.success(request, _("The notes are saved."))
    return redirect(reverse("workshops:event_detail", args=[event.pk]) + "#after")


# --- materials -----------------------------------------------------------------------


@login_required
@require_POST
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    event = _hosted_event(request, pk)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        with refusal_onto(form, ValidationError, field="file"):
            actions.do_attach_material(
                event=event,
                user=request_user(request),
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
            messages.success(request, _("The file is attached."))
            return redirect(reverse("workshops:event_detail", args=[event.pk]) + "#after")
    context = _event_context(request, event, material_form=form)
    return render(request, "workshops/event_detail.html", context, status=400)


def material_download(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a material as a download, only to those who may see its event."""
    material = get_object_or_404(Material.objects.select_related("event"), pk=pk)
    if not Event.objects.visible_to(request.user).filter(pk=material.event_id).exists():
        raise Http404
    stored_extension = PurePath(material.file.name).suffix
    stem = PurePath(material.original_name).stem or "material"
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{stem}{stored_extension}",
        content_type=material.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def material_delete(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(Material.objects.select_related("event"), pk=pk)
    event = _hosted_event(request, material.event_id)
    actions.do_delete_material(material=material, user=request_user(request))
    messages.success(request, _("The file is removed."))
    return redirect(reverse("workshops:event_detail", args=[event.pk]) + "#after")


# --- calendars -----------------------------------------------------------------------


def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One event as an .ics file; the online link only for hosts and participants."""
    event = _visible_event(request, pk)
    context = _registration_context(request, event)
    registration = context["registration"]
    status = registration.status if registration is not None and not context["is_host"] else None
    content = feeds.build_calendar(
        [(event, context["can_see_link"], status)], name=event.title, language=interface_language()
    )
    return feeds.calendar_response(
        content, f"{slugify(event.title) or 'event'}.ics", attachment=True
    )


def public_feed(request: HttpRequest) -> HttpResponse:
    """Public events only, whoever asks: calendar programs subscribe without logging in."""
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    events = (
        Event.objects.filter(visibility=Visibility.PUBLIC, ends_at__gte=since)
        .prefetch_related("topics")
        .order_by("starts_at", "pk")[:1000]
    )
    content = feeds.build_calendar(
        ((event, False, None) for event in events),
        name=_("klinke workshops"),
        description=_("Public workshops and events of the klinke network."),
        language=interface_language(),
        feed=True,
    )
    response = feeds.calendar_response(content, "klinke-workshops.ics", attachment=False)
    response["Cache-Control"] = "public, max-age=900"
    return response


def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's registrations and hosted events; the secret in the address is the key."""
    found = CalendarToken.objects.find(token)
    if found is None or not found.user.is_active:
        raise Http404
    user = found.user
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > timedelta(hours=1):
        CalendarToken.objects.filter(pk=found.pk).update(last_used_at=now)
    statuses = dict(
        Registration.objects.filter(user=user, status__in=ACTIVE_REGISTRATION).values_list(
            "event_id", "status"
        )
    )
    hosted = set(
        Event.hosts.through.objects.filter(user_id=user.pk).values_list("event_id", flat=True)
    )
    events = (
        Event.objects.visible_to(user)
        .filter(Q(pk__in=list(statuses)) | Q(pk__in=list(hosted)))
        .filter(ends_at__gte=now - timedelta(days=FEED_PAST_DAYS))
        .prefetch_related("topics")
        .order_by("starts_at", "pk")
    )
    entries = []
    for event in events:
        is_host = event.pk in hosted
        status = None if is_host else statuses.get(event.pk)
        entries.append((event, is_host or status == RegistrationStatus.CONFIRMED, status))
    content = feeds.build_calendar(
        entries,
        name=_("My klinke events"),
        description=_("Events you host or registered for, on klinke."),
        language=user.language,
        feed=True,
    )
    response = feeds.calendar_response(content, "klinke-my-events.ics", attachment=False)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    token = CalendarToken.objects.filter(user=request_user(request)).first()
    return render(
        request,
        "workshops/calendar.html",
        {
            "token": token,
            "public_feed_url": settings.SITE_URL + reverse("workshops:public_feed"),
        },
    )


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    raw = actions.do_regenerate_calendar_token(user=request_user(request))
    # Shown on this response only; afterwards only its digest exists.
    feed_url = settings.SITE_URL + reverse("workshops:personal_feed", args=[raw])
    return render(
        request,
        "workshops/calendar.html",
        {
            "token": CalendarToken.objects.filter(user=request_user(request)).first(),
            "feed_url": feed_url,
            "public_feed_url": settings.SITE_URL + reverse("workshops:public_feed"),
        },
    )


@login_required
@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    if actions.do_revoke_calendar_token(user=request_user(request)):
        messages.success(request, _("Your calendar address is switched off."))
    return redirect("workshops:calendar")


# --- my workshops --------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    now = timezone.now()
    registrations = (
        Registration.objects.filter(user=user, status__in=ACTIVE_REGISTRATION)
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )
    return render(
        request,
        "workshops/mine.html",
        {
            "upcoming": [r for r in registrations if r.event.ends_at > now],
            "attended": [r for r in registrations if r.event.ends_at <= now][-10:],
            "hosted": _as_cards(Event.objects.filter(hosts=user).upcoming().with_counts()),
            "ideas": _as_cards(
                WorkshopIdea.objects.filter(proposers=user)
                .with_interest_count()
                .order_by("-created_at")
            ),
            "interests": Interest.objects.filter(user=user)
            .select_related("idea")
            .order_by("-created_at"),
        },
    )
