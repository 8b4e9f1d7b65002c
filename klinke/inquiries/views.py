"""Pages of the inquiries: the public door (form, sent, the published rule), the client's
private status page behind its link, the collective's side (members only, 404 for everyone else)
and the stewards' totals (no client details)."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from klinke.accounts import request_user
from klinke.collectives.access import members_only_view
from klinke.collectives.models import Collective
from klinke.core.client_address import client_ip
from klinke.core.forms import refusal_onto
from klinke.core.languages import interface_language
from klinke.inquiries import actions, proof_of_work
from klinke.inquiries.forms import AnswerForm, InquiryForm, SettingsForm
from klinke.inquiries.models import (
    Answer,
    Inquiry,
    InquiryOffer,
    InquirySettings,
    State,
    counts_by_collective,
    window_start,
)
from klinke.inquiries.routing import DEFAULT_RULES, EXCLUSIONS
from klinke.vouches.presenting import vouches_by_collective
from klinke.workbench.actions import WorkbenchError


def _private(response: HttpResponse) -> HttpResponse:
    """A page behind a secret link: never cached, never named in a Referer to another site
    (same-origin, not no-referrer: the page's own forms must still send an Origin for CSRF)."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


# --- the public door -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("collective") or request.GET.get("collective") or ""
    collective = (
        Collective.objects.active().visible_to(request.user).filter(slug=slug[:80]).first()
        if slug
        else None
    )
    form = InquiryForm(
        request.POST or None,
        initial={
            "collective": collective.slug if collective else "",
            "language": interface_language(),
        },
    )
    if request.method == "POST" and form.is_valid():
        if form.spam:
            return redirect("inquiries:sent")  # a robot learns nothing
        data = form.cleaned_data
        with refusal_onto(form, actions.InquiryError, ValidationError):
            actions.do_submit_inquiry(
                fields=actions.InquiryFields(
                    description=data["description"],
                    organisation_type=data["organisation_type"],
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"],
                    consent=data["consent"],
                    topics=list(data["topics"]),
                    budget=data["budget"],
                    time_frame=data["time_frame"],
                    region=data["region"],
                    remote=data["remote"],
                    language=data["language"],
                    collective=collective,
                ),
                address=client_ip(request),
                proof=data["proof"],
            )
            return redirect("inquiries:sent")
    context = {
        "form": form,
        "collective": collective,
        "challenge": proof_of_work.new_challenge(),
        "proof_field": proof_of_work.FIELD,
        "proof_strings": _proof_strings(),
    }
    return render(request, "inquiries/start.html", context)


def _proof_strings() -> dict[str, str]:
    """The proof-of-work widget's words, from klinke's own catalogue (its own are English)."""
    return {
        "label": _("Automatic spam check"),
        "verificationRequired": _("Automatic spam check"),
        "verify": _("Automatic spam check"),
        "verifying": _("Checking for spam…"),
        "waitAlert": _("Checking for spam…"),
        "verified": _("Spam check done"),
        "error": _("The spam check did not work out; you can send the form anyway."),
        "expired": _("The spam check has expired; tick the box to check again."),
        "loading": _("Loading…"),
        "reload": _("Reload"),
        "cancel": _("Cancel"),
        "footer": "",
        "ariaLinkLabel": "ALTCHA",
    }


def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "inquiries/sent.html")


def rules(request: HttpRequest) -> HttpResponse:
    values = {f.name: getattr(DEFAULT_RULES, f.name) for f in dataclass_fields(DEFAULT_RULES)}
    values["band_percent"] = round(DEFAULT_RULES.band_epsilon * 100)
    return render(request, "inquiries/rules.html", {"rules": values})


# --- the client's private page ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, token: str) -> HttpResponse:
    inquiry = actions.inquiry_for_token(token)
    if inquiry is None:
        raise Http404
    if request.method == "POST":
        what = request.POST.get("action", "")
        try:
            if what == "confirm":
                actions.do_confirm_inquiry(inquiry=inquiry)
            elif what == "choose":
                offer_id = request.POST.get("offer", "")
                actions.do_choose_collective(
                    inquiry=inquiry, offer_id=int(offer_id) if offer_id.isdigit() else 0
                )
            elif what == "withdraw":
                actions.do_withdraw_inquiry(inquiry=inquiry)
            elif what == "renew":
                actions.do_renew_status_link(inquiry=inquiry)
                return _private(render(request, "inquiries/link_renewed.html"))
        except actions.InquiryError as refusal:
            messages.error(request, str(refusal))
        return redirect("inquiries:status", token)
    offers = list(inquiry.offers.all())
    interested = [o for o in offers if o.answer == Answer.INTERESTED]
    context = {
        "inquiry": inquiry,
        "token": token,
        "offers": offers,
        "interested": interested,
        "assigned": inquiry.assigned_offer,
        "chosen": inquiry.chosen_offer,
        "answered": sum(1 for o in offers if o.answer),
        "lang": interface_language(),
        "State": State,
        # Who vouched for each interested collective, as the public sees it.
        "vouches_by_collective": vouches_by_collective(
            [o.collective for o in interested], request.user
        ),
    }
    return _private(render(request, "inquiries/status.html", context))


# --- the collective's side -------------------------------------------------------------------


@members_only_view(("GET",))
def offers(request: HttpRequest, collective: Collective) -> HttpResponse:
    rows = list(InquiryOffer.objects.for_collective(collective)[:100])
    return render(
        request,
        "inquiries/offers.html",
        {"collective": collective, "rows": rows, "lang": interface_language(), "State": State},
    )


def _offer(collective: Collective, pk: int) -> InquiryOffer:
    return get_object_or_404(
        InquiryOffer.objects.for_collective(collective).select_related("collective"), pk=pk
    )


@members_only_view(("GET", "POST"))
def offer_detail(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    offer = _offer(collective, pk)
    user = request_user(request)
    form = AnswerForm(
        request.POST if request.POST.get("action") == "answer" else None,
        initial={"answer": offer.answer or None, "note": offer.note},
    )
    if request.method == "POST":
        if request.POST.get("action") == "discuss":
            try:
                decision = actions.do_discuss_offer(offer=offer, user=user)
            except (WorkbenchError, actions.InquiryError) as refusal:
                messages.error(request, str(refusal))
                return redirect("collective_inquiries:detail", collective.slug, offer.pk)
            return redirect(decision)
        if form.is_valid():
            with refusal_onto(form, actions.InquiryError, ValidationError):
                actions.do_answer_offer(
                    offer=offer,
                    user=user,
                    interested=form.cleaned_data["answer"] == Answer.INTERESTED,
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Your answer is saved."))
                return redirect("collective_inquiries:detail", collective.slug, offer.pk)
    return render(
        request,
        "inquiries/offer_detail.html",
        {
            "collective": collective,
            "offer": offer,
            "inquiry": offer.inquiry,
            "form": form,
            "lang": interface_language(),
            "open": offer.inquiry.state == State.OPEN,
        },
    )


@members_only_view(("GET", "POST"))
def inquiry_settings(request: HttpRequest, collective: Collective) -> HttpResponse:
    config = InquirySettings.objects.filter(collective=collective).first() or InquirySettings(
        collective=collective
    )
    form = SettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        with refusal_onto(form, actions.InquiryError):
            actions.do_save_inquiry_settings(
                collective=collective,
                user=request_user(request),
                capacity=form.cleaned_data["capacity"],
                paused=form.cleaned_data["paused"],
            )
            messages.success(request, _("Your inquiry settings are saved."))
            return redirect("collective_inquiries:settings", collective.slug)
    return render(
        request,
        "inquiries/settings.html",
        {"collective": collective, "form": form, "window_days": DEFAULT_RULES.window_days},
    )


# --- the stewards' view ----------------------------------------------------------------------


@login_required
def stewards(request: HttpRequest) -> HttpResponse:
    if not request_user(request).is_steward:
        raise Http404
    since = window_start()
    totals = counts_by_collective(since)
    names = dict(Collective.objects.filter(pk__in=totals).values_list("pk", "name"))
    rows = sorted(
        ({"name": names.get(pk, "?"), **counts} for pk, counts in totals.items()),
        key=lambda row: str(row["name"]).lower(),
    )
    unmet = list(
        Inquiry.objects.unmet()
        .filter(created_at__gte=since)
        .prefetch_related("topics")
        .only("pk", "created_at", "region", "remote", "language", "organisation_type", "exclusions")
        .order_by("-created_at")[:200]
    )
    return render(
        request,
        "inquiries/stewards.html",
        {
            "rows": rows,
            "unmet": unmet,
            "since": since,
            "now": timezone.now(),
            "reasons": EXCLUSIONS,
            "rules_url": reverse("inquiries:rules"),
        },
    )
