"""The front page: the directory's welcome for visitors, a personal home for people logged
in, and the first steps of a new collective."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from klinke.accounts import request_user
from klinke.accounts.models import User
from klinke.collectives.access import members_only_view
from klinke.collectives.actions import MembershipError, do_save_profile_essentials
from klinke.collectives.models import Collective
from klinke.core import fragments
from klinke.core.forms import refusal_onto
from klinke.core.languages import interface_language
from klinke.core.models import session_holds_network_role
from klinke.directory.front import front_page_context
from klinke.exchange import candidates, match_index
from klinke.exchange.models import Introduction, IntroductionState, ItemState, Need
from klinke.home import actions
from klinke.home.forms import ProfileEssentialsForm
from klinke.home.models import Step
from klinke.home.steps import STEP_FACT_FIELDS, progress_for, with_step_facts
from klinke.knowledge.models import Question
from klinke.workbench.models import Decision, Response
from klinke.workshops.models import Event

NEEDS_WITH_SUGGESTIONS = 3
SUGGESTIONS_PER_NEED = 3


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        # The same for every visitor who is not signed in: kept (klinke.core.fragments).
        front = fragments.kept(
            "directory/_front.html",
            (),
            lambda: fragments.render_part(
                "directory/_front.html", front_page_context(request.user)
            ),
        )
        return render(request, "directory/home.html", {"body": front})
    user = request_user(request)
    has_supporter_profile = session_holds_network_role(request, "supporter")

    def build() -> str:
        context = {**personal_home(user), "has_supporter_profile": has_supporter_profile}
        return fragments.render_part("home/_personal.html", context)

    # What is waiting for this person is theirs alone: kept for their next visit of the front
    # page until anything in the database or the shared matching index changes.
    key = (user.pk, has_supporter_profile, match_index.generation_number(match_index.HELPERS))
    body = fragments.kept("home/_personal.html", key, build)
    return render(request, "home/home.html", {"body": body})


def personal_home(user: User) -> dict[str, Any]:
    """What is waiting for `user`, what is new for their collectives, and what is left to do.

    A fixed number of queries whatever the number of collectives, needs, introductions,
    events or decisions; suggestions come from the match index, which no request builds.
    """
    # Each list loads only the fields its section shows (`only`): compiling and reading full
    # rows (and the rows they join) cost more Python time than the database takes to answer.
    # Archived collectives too: requests to them still wait for their members' answer.
    mine = list(
        with_step_facts(Collective.objects.of_member(user), user)
        .only(*STEP_FACT_FIELDS, "name", "slug", "archived_at")
        .order_by("name")
    )
    collectives = [collective for collective in mine if not collective.is_archived]
    ids = [collective.pk for collective in collectives]
    progress = [p for p in progress_for(collectives, user) if not p.is_complete]
    waiting = list(
        Introduction.objects.filter(state=IntroductionState.REQUESTED)
        .filter(Q(supporter__user_id=user.pk) | Q(collective_id__in=[c.pk for c in mine]))
        .select_related("need__collective")
        .only("expires_at", "need__title", "need__collective__name")
        .order_by("expires_at", "pk")[:10]
    )
    answered = (
        list(
            Introduction.objects.filter(
                need__collective_id__in=ids, state=IntroductionState.ACCEPTED
            )
            .select_related("need", "supporter", "collective")
            .only("need__title", "supporter__name", "collective__name")
            .order_by("-answered_at", "-pk")[:5]
        )
        if ids
        else []
    )
    questions = list(
        Question.objects.visible_to(user)
        .filter(answers__isnull=True)
        .exclude(asker=user)
        .only("title")
        .order_by("-created_at", "-pk")[:5]
    )
    needs = (
        list(
            Need.objects.filter(collective_id__in=ids)
            .exclude(state=ItemState.CLOSED)
            .select_related("collective")
            .prefetch_related("topics")
            .order_by("-created_at", "-pk")[:NEEDS_WITH_SUGGESTIONS]
        )
        if ids
        else []
    )
    need_matches = candidates.rank_helpers_for_needs(needs, user=user, limit=SUGGESTIONS_PER_NEED)
    events = list(
        Event.objects.visible_to(user).scheduled().upcoming().only("title", "starts_at")[:3]
    )
    decisions = (
        list(
            Decision.objects.open()
            .filter(collective_id__in=ids)
            .select_related("collective")
            .only("question", "deadline", "collective__name", "collective__slug")
            .annotate(
                responded=Exists(
                    Response.objects.filter(decision_id=OuterRef("pk"), member_id=user.pk)
                )
            )
            .order_by("deadline", "pk")[:5]
        )
        if ids
        else []
    )
    return {
        "collectives": collectives,
        "progress": progress,
        "waiting": waiting,
        "answered": answered,
        "questions": questions,
        "need_matches": need_matches,
        "events": events,
        "decisions": decisions,
        # has_supporter_profile comes from the context processor: the session remembers it.
    }


def _essentials_initial(collective: Collective, language: str) -> dict[str, Any]:
    return {
        "description": getattr(collective, f"description_{language}")
        or collective.description_de
        or collective.description_en,
        "city": collective.city,
        "topics": list(collective.topics.all()),
    }


@members_only_view(["GET", "POST"])
def first_steps(request: HttpRequest, collective: Collective) -> HttpResponse:
    """The guided path after creating a collective: profile, first need, colleagues."""
    user = request_user(request)
    language = interface_language()
    form = ProfileEssentialsForm(
        request.POST or None, initial=_essentials_initial(collective, language)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_onto(form, MembershipError):
            do_save_profile_essentials(
                collective=collective,
                user=user,
                description=data["description"],
                language=language,
                city=data["city"],
                topics=data["topics"],
            )
            messages.success(request, _("The profile is saved. Next: your first need."))
            return redirect("home:first_steps", collective.slug)
    [progress] = progress_for([collective], user)
    return render(
        request,
        "home/first_steps.html",
        {"collective": collective, "progress": progress, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@members_only_view(["POST"])
def skip_step(request: HttpRequest, collective: Collective, step: str) -> HttpResponse:
    if step not in Step.values:
        raise Http404
    actions.do_skip_first_step(collective=collective, user=request_user(request), step=step)
    messages.success(request, _("Skipped. You can come back to it any time."))
    return redirect("home:first_steps", collective.slug)


@members_only_view(["POST"])
def resume_step(request: HttpRequest, collective: Collective, step: str) -> HttpResponse:
    if step not in Step.values:
        raise Http404
    actions.do_resume_first_step(collective=collective, user=request_user(request), step=step)
    return redirect(reverse("home:first_steps", args=[collective.slug]) + f"#step-{step}")
