from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from klinke.accounts import request_user
from klinke.collectives.access import collective_to_act_for
from klinke.collectives.models import Collective, Membership
from klinke.core import fragments
from klinke.core.counts import CachedCountPaginator
from klinke.core.forms import refusal_onto
from klinke.core.htmx import HtmxHttpRequest
from klinke.core.models import Visibility, Visitor, is_network_member, signed_in_pk
from klinke.core.submissions import once_per_submission
from klinke.exchange import actions, candidates, match_index
from klinke.exchange.forms import (
    AskForIntroductionForm,
    CloseItemForm,
    ExchangeItemForm,
    FeedbackForm,
    IntroductionAnswerForm,
    IntroductionRequestForm,
    NeedForm,
    OfferForm,
)
from klinke.exchange.models import (
    Introduction,
    ItemState,
    Need,
    NeedQuerySet,
    Offer,
    OfferQuerySet,
)
from klinke.supporters.models import Supporter
from klinke.topics.models import topic_names_by_row


def _visible_needs(user: Visitor) -> NeedQuerySet:
    queryset = Need.objects.visible_to(user)
    if not is_network_member(user):
        # What Collective.objects.visible_to says, as a join rather than a query of its own.
        queryset = queryset.filter(collective__visibility=Visibility.PUBLIC)
    return queryset


def _visible_need(request: HttpRequest, ref: str) -> Need:
    queryset = _visible_needs(request.user).select_related("collective")
    need: Need = get_object_or_404(queryset.prefetch_related("topics"), ref=ref)
    return need


def _visible_offer(request: HttpRequest, ref: str) -> Offer:
    queryset = Offer.objects.visible_to(request.user).select_related("supporter", "collective")
    offer: Offer = get_object_or_404(queryset.prefetch_related("topics"), ref=ref)
    return offer


def index(request: HttpRequest) -> HttpResponse:
    """Browse what the network currently asks for and offers."""
    show = "offers" if request.GET.get("show") == "offers" else "needs"
    member = is_network_member(request.user)

    def build() -> str:
        # What everyone of an audience sees alike, kept for the next (klinke.core.fragments).
        page, shown = _index_page(request.user, show, request.GET.get("page"))
        return fragments.render_part(
            "exchange/_index_list.html",
            {"page": page, "cards": _cards(shown), "page_query": request.GET},
        )

    listing = fragments.kept(
        "exchange/_index_list.html", (member, show, fragments.query_values(request.GET)), build
    )
    # Where "Post a need" leads: the visitor's own collectives, if any (kept for the
    # visitor until the data change, klinke.core.fragments).
    user_id = signed_in_pk(request.user)
    my_collectives = (
        fragments.kept_value(
            "exchange:my-collectives",
            (user_id,),
            lambda: list(
                Collective.objects.active()
                .of_member(request.user)
                .order_by("name")
                .only("name", "slug")[:10]
            ),
        )
        if user_id is not None
        else []
    )
    return render(
        request,
        "exchange/index.html",
        {"listing": listing, "show": show, "my_collectives": my_collectives},
    )


def _index_page(
    user: Visitor, show: str, number: str | None
) -> tuple[Page[Need] | Page[Offer], list[Need] | list[Offer]]:
    items: NeedQuerySet | OfferQuerySet
    if show == "offers":
        items = (
            Offer.objects.current()
            .visible_to(user)
            .select_related("supporter", "collective")
            .only(*_CARD_FIELDS, "supporter__name", "collective__name")
        )
    else:
        items = (
            Need.objects.current()
            .visible_to(user)
            .select_related("collective")
            .only(*_CARD_FIELDS, "collective__name")
        )
        if not is_network_member(user):
            # What Collective.objects.visible_to says, as a join rather than a subquery.
            items = items.filter(collective__visibility=Visibility.PUBLIC)
    # Newest first through the need_newest/offer_newest indexes; the count is cached.
    page = CachedCountPaginator(items.order_by("-created_at", "pk"), 20).get_page(number)
    shown: list[Need] | list[Offer] = list(page.object_list)
    page.object_list = shown
    return page, shown  # type: ignore[return-value]


def _cards(items: list[Need] | list[Offer]) -> list[dict[str, object]]:
    """What the index shows of each item, worked out here once: a template reads a dict's
    keys much faster than it calls a model's properties, 20 times a page."""
    model = Offer if items and isinstance(items[0], Offer) else Need
    topics = topic_names_by_row(model, [item.pk for item in items])
    return [
        {
            "url": item.get_absolute_url(),
            "title": item.title,
            "owner": item.owner_name,
            "region": item.region_label,
            "remote_ok": item.remote_ok,
            "is_demo": item.is_demo,
            "tags": [*item.kind_labels, *topics[item.pk]],
        }
        for item in items
    ]


_CARD_FIELDS = ("ref", "title", "kinds", "city", "country", "remote_ok", "is_demo")
"""What a card of the exchange index shows of a need or offer (besides its owner's name)."""


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    collectives = list(Collective.objects.active().of_member(user))
    needs = (
        Need.objects.filter(collective__in=collectives)
        .exclude(state=ItemState.CLOSED)
        .select_related("collective")
        .prefetch_related("topics")
    )
    need_matches = candidates.rank_helpers_for_needs(needs, user=user, limit=3)
    supporter = Supporter.objects.filter(user=user).prefetch_related("topics").first()
    fitting_needs = (
        candidates.rank_needs_for_supporter(supporter, user=user, limit=5) if supporter else []
    )
    introductions = (
        Introduction.objects.involving(user)
        .filter(state__in=["requested", "accepted"])
        .select_related("need__collective", "supporter__user", "collective")
    )
    waiting = [i for i in introductions if i.state == "requested" and i.is_counterpart(user)]
    return render(
        request,
        "exchange/dashboard.html",
        {
            "collectives": collectives,
            "need_matches": need_matches,
            "supporter": supporter,
            "fitting_needs": fitting_needs,
            "introductions": introductions,
            "waiting": waiting,
            "my_offers": Offer.objects.filter(supporter__user=user)
            | Offer.objects.filter(collective__in=collectives),
        },
    )


@login_required
@once_per_submission
def need_create(request: HttpRequest, slug: str) -> HttpResponse:
    collective = collective_to_act_for(request, slug)
    # A new need starts where the collective is and in the languages it works in.
    form = NeedForm(
        request.POST or None,
        initial={
            "city": collective.city,
            "country": collective.country,
            "nuts_code": collective.nuts_code,
            "language_choices": collective.language_codes,
        },
    )
    if request.method == "POST" and form.is_valid():
        need = actions.do_post_need(
            collective=collective, user=request_user(request), fields=form.item_fields()
        )
        messages.success(request, _("Your need is posted. Here are the first suggestions."))
        return redirect(need)
    return render(
        request, "exchange/item_form.html", {"form": form, "owner": collective, "what": "need"}
    )


FURTHER_OFFERS_SHOWN = 3
"""How many of a suggested party's further fitting offers the need page lists at first; a
link shows them all (`?further=<party>`, in place through htmx)."""


@dataclass(frozen=True)
class _Suggestion:
    """One row of the need page's suggestions, worked out here once: the template shows four
    to ten of them, each with several links and labels."""

    match: candidates.RankedCandidate
    key: str
    """The party to ask (`Introduction.key_for`)."""
    already_asked: bool
    further: tuple[candidates.RankedCandidate, ...]
    """The party's further offers the row lists: the first few, or all when asked for."""
    link: str
    """Where the row's name leads: the offer, or the supporter's profile, told which need."""
    offer_link: str
    profile_link: str
    profile_label: str
    kind_label: str
    show_all_label: str
    """The link to all further offers, when the row lists only the first few (else "")."""

    @classmethod
    def of(
        cls, match: candidates.RankedCandidate, need: Need, open_keys: set[str], further: str
    ) -> _Suggestion:
        key = Introduction.key_for(match.counterpart)
        shown = match.also if key == further else match.also[:FURTHER_OFFERS_SHOWN]
        asking = f"?need={need.ref}"
        offer_link = f"{match.item_url}{asking}" if match.item_url else ""
        profile_link = f"{match.profile_url}{asking}"
        is_supporter = match.type == "supporter"
        hidden = len(match.also) - len(shown)
        return cls(
            match=match,
            key=key,
            already_asked=key in open_keys,
            further=shown,
            link=offer_link or profile_link,
            offer_link=offer_link,
            profile_link=profile_link,
            profile_label=_("Read the profile")
            if is_supporter
            else _("Profile of %(name)s") % {"name": match.owner_name},
            kind_label=_("Supporter") if is_supporter else _("Offer"),
            show_all_label=ngettext(
                "Show the further offer",
                "Show all %(counter)s further offers",
                len(match.also),
            )
            % {"counter": len(match.also)}
            if hidden
            else "",
        )


def need_detail(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    # Who may see it, and what the page shows around its kept parts; the parts themselves
    # (klinke.core.fragments) read the whole need when they are built.
    def access() -> tuple[Need, frozenset[int]]:
        visible = _visible_needs(request.user).only("ref", "title", "state", "collective_id")
        found: Need = get_object_or_404(visible, ref=ref)
        # The collective's members answer the owner check here and keep them out of the
        # suggestions below: one query for both.
        members = Membership.objects.filter(collective_id=found.collective_id)
        return found, frozenset(members.values_list("user_id", flat=True))

    # Who finds the need depends only on whether they belong to the network: kept for the
    # next visitor of the same audience until the data change (klinke.core.fragments).
    audience = (ref, is_network_member(request.user))
    need, members = fragments.kept_value("exchange:need-access", audience, access)
    member_ids = set(members)

    @functools.cache
    def full_need() -> Need:
        found: Need = (
            Need.objects.select_related("collective").prefetch_related("topics").get(pk=need.pk)
        )
        return found

    facts = fragments.kept(
        "exchange/_need_facts.html",
        (need.pk,),
        lambda: fragments.render_part("exchange/_need_facts.html", {"need": full_need()}),
    )
    is_owner = signed_in_pk(request.user) in member_ids
    suggestions = ""
    if is_owner:
        further = request.GET.get("further", "")
        if request.htmx and further:
            # Every further offer of one party, when its "show all" link asked for them.
            ranked = candidates.rank_helpers_for_need(
                full_need(), user=request.user, limit=10, member_ids=member_ids
            )
            row = next((m for m in ranked if Introduction.key_for(m.counterpart) == further), None)
            if row is None:
                raise Http404
            return render(
                request,
                "exchange/_further_offers.html",
                {"entries": row.also, "focus": FURTHER_OFFERS_SHOWN + 1},
            )

        def build() -> str:
            return fragments.render_part(
                "exchange/_need_suggestions.html",
                _suggestions_context(full_need(), request.user, member_ids, further),
            )

        # The controls, suggestions and introductions show alike to every member of the
        # collective: kept (klinke.core.fragments) until the database or shared index changes.
        key = (need.pk, match_index.generation_number(match_index.HELPERS), further)
        suggestions = fragments.fill_csrf(
            fragments.kept("exchange/_need_suggestions.html", key, build), request
        )
    return render(
        request,
        "exchange/need_detail.html",
        {
            "need": need,
            "facts": facts,
            "is_owner": is_owner,
            "suggestions": suggestions,
        },
    )


def _suggestions_context(
    need: Need, user: Visitor, member_ids: set[int], further: str
) -> dict[str, object]:
    ranked = candidates.rank_helpers_for_need(need, user=user, limit=10, member_ids=member_ids)
    introductions = list(need.introductions.select_related("supporter", "collective", "offer"))
    open_keys = {i.counterpart_key for i in introductions if i.is_open}
    matches = [_Suggestion.of(match, need, open_keys, further) for match in ranked]
    return {
        "need": need,
        "matches": matches,
        # A fresh install: the worker has not built the first matching index yet.
        "suggestions_preparing": not matches and match_index.is_preparing(match_index.HELPERS),
        "introductions": introductions,
        "close_form": CloseItemForm(),
    }


def _owned_need(request: HttpRequest, ref: str) -> Need:
    need = _visible_need(request, ref)
    if not need.is_owned_by(request.user):
        raise PermissionDenied
    return need


def _owned_offer(request: HttpRequest, ref: str) -> Offer:
    offer = _visible_offer(request, ref)
    if not offer.is_owned_by(request.user):
        raise PermissionDenied
    return offer


@login_required
def need_edit(request: HttpRequest, ref: str) -> HttpResponse:
    need = _owned_need(request, ref)
    return _edit(request, need, NeedForm(request.POST or None, instance=need), "need")


def _edit(
    request: HttpRequest, item: Need | Offer, form: ExchangeItemForm, what: str
) -> HttpResponse:
    """The owners' edit page of a need or an offer."""
    if request.method == "POST" and form.is_valid():
        actions.do_update_item(item=item, fields=form.item_fields())
        messages.success(request, _("Your changes are saved."))
        return redirect(item)
    return render(
        request, "exchange/item_form.html", {"form": form, "owner": item.owner, "what": what}
    )


def _renew(request: HttpRequest, item: Need | Offer) -> HttpResponse:
    actions.do_renew_item(item=item)
    messages.success(request, _("Renewed until %(date)s.") % {"date": date_format(item.expires_on)})
    return redirect(item)


def _change_state(request: HttpRequest, item: Need | Offer) -> HttpResponse:
    state = request.POST.get("state", "")
    outcome = request.POST.get("outcome", "")
    try:
        actions.do_set_item_state(item=item, state=state, outcome=outcome)
    except actions.ExchangeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The state is now “%(state)s”.") % {"state": item.get_state_display()}
        )
    return redirect(item)


@login_required
@require_POST
def need_state(request: HttpRequest, ref: str) -> HttpResponse:
    return _change_state(request, _owned_need(request, ref))


@login_required
@require_POST
def need_renew(request: HttpRequest, ref: str) -> HttpResponse:
    return _renew(request, _owned_need(request, ref))


@login_required
@once_per_submission
def offer_create(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    user = request_user(request)
    collective = collective_to_act_for(request, slug) if slug else None
    supporter = None
    if collective is None:
        supporter = Supporter.objects.filter(user=user).first()
        if supporter is None:
            messages.info(request, _("Create your supporter profile first, then post offers."))
            return redirect("supporters:edit_own")
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        offer = actions.do_post_offer(
            user=user, fields=form.item_fields(), supporter=supporter, collective=collective
        )
        messages.success(request, _("Your offer is posted."))
        return redirect(offer)
    return render(
        request,
        "exchange/item_form.html",
        {"form": form, "owner": collective or supporter, "what": "offer"},
    )


def offer_detail(request: HttpRequest, ref: str) -> HttpResponse:
    offer = _visible_offer(request, ref)
    is_owner = offer.is_owned_by(request.user)
    matches = candidates.rank_needs_for_offer(offer, user=request.user) if is_owner else []
    return render(
        request,
        "exchange/offer_detail.html",
        {
            "offer": offer,
            "is_owner": is_owner,
            "matches": matches,
            "suggestions_preparing": is_owner
            and not matches
            and match_index.is_preparing(match_index.NEEDS),
            "close_form": CloseItemForm(),
            "ask_form": None
            if is_owner
            else AskForIntroductionForm(
                needs=_needs_to_ask_for(request, offer.owner),
                initial={"need": request.GET.get("need", "")},
            ),
        },
    )


@login_required
def offer_edit(request: HttpRequest, ref: str) -> HttpResponse:
    offer = _owned_offer(request, ref)
    return _edit(request, offer, OfferForm(request.POST or None, instance=offer), "offer")


@login_required
@require_POST
def offer_state(request: HttpRequest, ref: str) -> HttpResponse:
    return _change_state(request, _owned_offer(request, ref))


@login_required
@require_POST
def offer_renew(request: HttpRequest, ref: str) -> HttpResponse:
    return _renew(request, _owned_offer(request, ref))


def renew_from_email(request: HttpRequest, token: str) -> HttpResponse:
    """The renewal link from the expiry email; the signed token is the permission.

    The link opens a page whose one button renews: mail scanners that follow links must not
    keep every item alive on their own.
    """
    item = actions.read_renew_token(token)
    if item is None:
        return render(request, "exchange/renewed.html", {"invalid": True}, status=400)
    if request.method == "POST":
        actions.do_renew_item(item=item)
        return render(request, "exchange/renewed.html", {"item": item, "renewed": True})
    return render(request, "exchange/renewed.html", {"item": item, "token": token})


def counterpart_from_key(key: str) -> Supporter | Collective:
    kind, _sep, pk = key.partition(":")
    model: type[Supporter] | type[Collective] = Supporter if kind == "supporter" else Collective
    found: Supporter | Collective | None = model.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def request_introduction(request: HttpRequest, ref: str) -> HttpResponse:
    need = _owned_need(request, ref)
    form = IntroductionRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please write a short message."))
        return redirect(need)
    counterpart = counterpart_from_key(form.cleaned_data["counterpart"])
    offer = None
    if form.cleaned_data["offer"]:
        offer = Offer.objects.filter(ref=form.cleaned_data["offer"]).first()
    try:
        introduction = actions.do_request_introduction(
            need=need,
            user=request_user(request),
            counterpart=counterpart,
            offer=offer,
            message=form.cleaned_data["message"],
            phone=form.cleaned_data["phone"],
            channel=form.cleaned_data["channel"],
        )
    except actions.ExchangeError as exc:
        messages.error(request, str(exc))
        return redirect(need)
    messages.success(
        request,
        _("We asked %(name)s. You will hear by email.") % {"name": counterpart.name},
    )
    return redirect(introduction)


def _needs_to_ask_for(request: HttpRequest, counterpart: Supporter | Collective) -> list[Need]:
    """The open needs of the visitor's collectives for which they may ask `counterpart`."""
    if not request.user.is_authenticated:
        return []
    user = request_user(request)
    needs = (
        Need.objects.filter(collective__in=Collective.objects.active().of_member(user))
        .exclude(state=ItemState.CLOSED)
        .select_related("collective")
        .order_by("-created_at", "-pk")
    )
    if isinstance(counterpart, Collective):
        needs = needs.exclude(collective=counterpart)
    elif counterpart.user_id is not None:
        needs = needs.exclude(collective__memberships__user_id=counterpart.user_id)
    return list(needs[:50])


def _ask(
    request: HttpRequest, counterpart: Supporter | Collective, offer: Offer | None
) -> HttpResponse:
    """Ask for an introduction from the page one has just read, for one of one's open needs."""
    needs = _needs_to_ask_for(request, counterpart)
    form = AskForIntroductionForm(
        request.POST or None, needs=needs, initial={"need": request.GET.get("need", "")}
    )
    if request.method == "POST" and form.is_valid():
        need = next(n for n in needs if n.ref == form.cleaned_data["need"])
        with refusal_onto(form, actions.ExchangeError):
            introduction = actions.do_request_introduction(
                need=need,
                user=request_user(request),
                counterpart=counterpart,
                offer=offer,
                message=form.cleaned_data["message"],
                phone=form.cleaned_data["phone"],
                channel=form.cleaned_data["channel"],
            )
            messages.success(
                request,
                _("We asked %(name)s. You will hear by email.") % {"name": counterpart.name},
            )
            return redirect(introduction)
    return render(
        request,
        "exchange/ask.html",
        {"form": form, "counterpart": counterpart, "offer": offer, "needs": needs},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def ask_offer(request: HttpRequest, ref: str) -> HttpResponse:
    offer = _visible_offer(request, ref)
    if offer.is_owned_by(request.user):
        raise Http404
    return _ask(request, offer.owner, offer)


@login_required
def ask_supporter(request: HttpRequest, slug: str) -> HttpResponse:
    supporter = get_object_or_404(Supporter.objects.visible_to(request.user), slug=slug)
    if supporter.is_managed_by(request.user):
        raise Http404
    return _ask(request, supporter, None)


def _involved_introduction(request: HttpRequest, pk: int) -> Introduction:
    introduction = get_object_or_404(
        Introduction.objects.select_related(
            "need__collective", "supporter__user", "collective", "offer", "requested_by"
        ),
        pk=pk,
    )
    if not introduction.involves(request.user):
        raise Http404
    return introduction


@login_required
def introduction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = _involved_introduction(request, pk)
    return render(
        request,
        "exchange/introduction_detail.html",
        {
            "introduction": introduction,
            "is_requester": introduction.is_requester(request.user),
            "is_counterpart": introduction.is_counterpart(request.user),
            "answer_form": IntroductionAnswerForm(),
            "feedback_form": FeedbackForm(),
        },
    )


def _run(
    request: HttpRequest, introduction: Introduction, move: Callable[[], object], success: str
) -> HttpResponse:
    try:
        move()
    except actions.ExchangeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect(introduction)


@login_required
@require_POST
def introduction_answer(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = _involved_introduction(request, pk)
    form = IntroductionAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please check your answer."))
        return redirect(introduction)
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        # Without this, anything but "accept" (a missing field, a typo) counted as a decline.
        messages.error(request, _("Please accept or decline."))
        return redirect(introduction)
    accept = decision == "accept"
    return _run(
        request,
        introduction,
        lambda: actions.do_answer_introduction(
            introduction_id=introduction.pk,
            user=request_user(request),
            accept=accept,
            message=form.cleaned_data["message"],
            phone=form.cleaned_data["phone"],
            channel=form.cleaned_data["channel"],
        ),
        _("You accepted. You can now see each other's contact details.")
        if accept
        else _("You declined. Thank you for answering."),
    )


@login_required
@require_POST
def introduction_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = _involved_introduction(request, pk)
    return _run(
        request,
        introduction,
        lambda: actions.do_withdraw_introduction(
            introduction_id=introduction.pk, user=request_user(request)
        ),
        _("The request is withdrawn."),
    )


@login_required
@require_POST
def introduction_complete(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = _involved_introduction(request, pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please say whether it helped and give a rating."))
        return redirect(introduction)
    return _run(
        request,
        introduction,
        lambda: actions.do_complete_introduction(
            introduction_id=introduction.pk,
            user=request_user(request),
            helpful=form.cleaned_data["helpful"],
            rating=form.cleaned_data["rating"],
            note=form.cleaned_data["note"],
        ),
        _("Thank you for the feedback."),
    )
