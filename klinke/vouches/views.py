"""Vouching pages: a collective's (members only, under /collectives/<slug>/vouches/) and a
supporter's own (/vouches/). Each lists what waits for an answer, the vouches given and
received, suggestions from past work together, and the forms to offer or ask for a vouch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from klinke.accounts import request_user
from klinke.accounts.models import User
from klinke.collectives.access import members_only_view
from klinke.collectives.models import Collective
from klinke.core.forms import refusal_onto
from klinke.supporters.models import Supporter
from klinke.vouches import actions, suggestions
from klinke.vouches.forms import AskForm, OfferForm
from klinke.vouches.models import Vouch, VouchState

Side = Collective | Supporter


def _own_supporter(request: HttpRequest) -> Supporter:
    """The supporter profile of the person asking: 404 for anyone without one."""
    supporter: Supporter | None = Supporter.objects.filter(user_id=request_user(request).pk).first()
    if supporter is None:
        raise Http404
    return supporter


def _vouches_of(side: Side) -> list[Vouch]:
    vouches = (
        Vouch.objects.involving(side)
        if isinstance(side, Collective)
        else Vouch.objects.of_supporter(side)
    )
    return list(vouches.exclude(state=VouchState.WITHDRAWN).for_lists())


def _page(
    request: HttpRequest,
    side: Side,
    *,
    offer_form: OfferForm | None = None,
    ask_form: AskForm | None = None,
) -> HttpResponse:
    user = request_user(request)
    vouches = _vouches_of(side)
    key = Vouch.key_for(side)
    failed = offer_form is not None or ask_form is not None
    initial = {"collective": request.GET.get("for", "")}
    if isinstance(side, Collective):
        found = suggestions.for_collective(side)
        if offer_form is None:
            offer_form = OfferForm(excluding=side, initial=initial, prefix="offer")
        if ask_form is None:
            ask_form = AskForm(collective=side, prefix="ask")
    else:
        found = suggestions.for_supporter(side)
        if offer_form is None:
            offer_form = OfferForm(initial=initial, prefix="offer")
    context = {
        "side": side,
        "collective": side if isinstance(side, Collective) else None,
        "supporter": side if isinstance(side, Supporter) else None,
        "side_key": key,
        "to_answer": [v for v in vouches if actions.may_confirm(v, user)],
        "waiting": [v for v in vouches if v.is_pending and not actions.may_confirm(v, user)],
        "received": [v for v in vouches if v.is_public and v.voucher_key != key],
        "given": [v for v in vouches if v.is_public and v.voucher_key == key],
        "suggestions": found,
        "offer_form": offer_form,
        "ask_form": ask_form,
    }
    return render(request, "vouches/index.html", context, status=400 if failed else 200)


def _offer(request: HttpRequest, side: Side) -> HttpResponse:
    form = OfferForm(
        request.POST, excluding=side if isinstance(side, Collective) else None, prefix="offer"
    )
    if form.is_valid():
        with refusal_onto(form, actions.VouchError):
            vouch = actions.do_offer_vouch(
                voucher=side,
                collective=form.cleaned_data["collective"],
                user=request_user(request),
                values=form.values(),
            )
            messages.success(
                request,
                _("Your vouch is offered. It is public once %(name)s confirms it.")
                % {"name": vouch.collective.name},
            )
            return _back(side)
    return _page(request, side, offer_form=form)


def _answer(request: HttpRequest, side: Side, pk: int, confirm: bool) -> HttpResponse:
    vouch = get_object_or_404(
        Vouch.objects.involving(side)
        if isinstance(side, Collective)
        else Vouch.objects.of_supporter(side),
        pk=pk,
    )
    user: User = request_user(request)
    try:
        if confirm:
            actions.do_confirm_vouch(vouch_id=vouch.pk, user=user)
            messages.success(request, _("The vouch is public now."))
        else:
            actions.do_withdraw_vouch(vouch_id=vouch.pk, user=user)
            messages.success(request, _("The vouch is withdrawn."))
    except actions.VouchError as refusal:
        messages.error(request, str(refusal))
    return _back(side)


def _back(side: Side) -> HttpResponse:
    if isinstance(side, Collective):
        return redirect("vouches:index", side.slug)
    return redirect("supporter_vouches:index")


# --- a collective's vouches -------------------------------------------------------------------


@members_only_view(("GET",))
def index(request: HttpRequest, collective: Collective) -> HttpResponse:
    return _page(request, collective)


@members_only_view(("POST",))
def offer(request: HttpRequest, collective: Collective) -> HttpResponse:
    return _offer(request, collective)


@members_only_view(("POST",))
def ask(request: HttpRequest, collective: Collective) -> HttpResponse:
    form = AskForm(request.POST, collective=collective, prefix="ask")
    if form.is_valid():
        with refusal_onto(form, actions.VouchError):
            partner = form.partner_object()
            actions.do_ask_for_vouch(
                collective=collective,
                voucher=partner,
                user=request_user(request),
                values=form.values(),
            )
            messages.success(
                request,
                _("%(name)s is asked. The vouch is public once they confirm it.")
                % {"name": partner.name},
            )
            return _back(collective)
    return _page(request, collective, ask_form=form)


@members_only_view(("POST",))
def confirm(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    return _answer(request, collective, pk, confirm=True)


@members_only_view(("POST",))
def withdraw(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    return _answer(request, collective, pk, confirm=False)


# --- a supporter's own vouches ------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def supporter_index(request: HttpRequest) -> HttpResponse:
    return _page(request, _own_supporter(request))


@login_required
@require_POST
def supporter_offer(request: HttpRequest) -> HttpResponse:
    return _offer(request, _own_supporter(request))


@login_required
@require_POST
def supporter_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, _own_supporter(request), pk, confirm=True)


@login_required
@require_POST
def supporter_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, _own_supporter(request), pk, confirm=False)
