"""Pages of the tenders app, under /collectives/<slug>/tenders/, for the collective's members.

Everyone else gets 404 whatever the method, as everywhere in a collective's private area.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from klinke.accounts import request_user
from klinke.collectives.access import members_only_view
from klinke.collectives.models import Collective
from klinke.core.htmx import HtmxHttpRequest
from klinke.screening.evidence import Evidence, build_evidence
from klinke.tenders import actions, cpv
from klinke.tenders.forms import DismissForm, OverrideForm, ProfileForm
from klinke.tenders.models import EntryState, InboxEntry, TenderProfile, TenderState
from klinke.tenders.presenting import reason_texts
from klinke.workbench.models import RedLine

View = Callable[..., HttpResponse]
PAGE_SIZE = 25


def _language() -> str:
    return (get_language() or "de")[:2]


def _entry(collective: Collective, pk: int) -> InboxEntry:
    queryset = InboxEntry.objects.filter(collective=collective).select_related(
        "collective", "tender"
    )
    return get_object_or_404(queryset, pk=pk)


def _inbox_url(collective: Collective, show: str = EntryState.NEW) -> str:
    url = reverse("tenders:inbox", args=[collective.slug])
    return url if show == EntryState.NEW else f"{url}?show={show}"


def _screen_again_if_red_lines_changed(profile: TenderProfile) -> None:
    """The workbench does not know the inbox: when red lines changed, screen it again here."""
    red_lines = list(RedLine.objects.filter(collective_id=profile.collective_id))
    fingerprint = actions.red_line_fingerprint(red_lines)
    if fingerprint != profile.screened_with:
        actions.do_rescreen_entries(collective=profile.collective)
        profile.screened_with = fingerprint
        TenderProfile.objects.filter(pk=profile.pk).update(screened_with=fingerprint)


def _evidence(entry: InboxEntry) -> list[Evidence]:
    texts, _known = actions.screening_fields(entry.tender)
    return build_evidence(entry.hits, texts, _language())


@members_only_view(["GET"])
def inbox(request: HttpRequest, collective: Collective) -> HttpResponse:
    """The tenders that fit the profile, best first, with reasons and red-line flags."""
    show = request.GET.get("show", EntryState.NEW)
    if show not in EntryState.values:
        show = EntryState.NEW
    profile = TenderProfile.objects.filter(collective=collective).first()
    if profile is not None:
        _screen_again_if_red_lines_changed(profile)
    now = timezone.now()
    entries = InboxEntry.objects.filter(collective=collective, state=show).for_inbox()
    if show == EntryState.NEW:
        entries = entries.filter(fits=True, tender__state=TenderState.OPEN).filter(
            Q(tender__deadline__isnull=True)
            | Q(tender__deadline__gte=now)
            | Q(tender__deadline_placeholder=True)
        )
    page = Paginator(entries.order_by("-score", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    language = _language()
    rows = [
        {
            "entry": entry,
            "tender": entry.tender,
            "title": entry.tender.title_in(language) or entry.tender.procedure_id,
            "reasons": reason_texts(entry.tender, entry.reasons, now),
            "evidence": _evidence(entry),
            "lots": [(lot, lot.title_in(language)) for lot in entry.tender.lots.all()],
            "overrides": list(entry.screening_overrides.all()),
        }
        for entry in page.object_list
    ]
    return render(
        request,
        "tenders/inbox.html",
        {
            "collective": collective,
            "profile": profile,
            "rows": rows,
            "page": page,
            "show": show,
            "states": EntryState.choices,
            "dismiss_form": DismissForm(),
            "override_form": OverrideForm(),
        },
    )


@members_only_view()
def profile_edit(request: HtmxHttpRequest, collective: Collective) -> HttpResponse:
    """The tender profile; a new one is prefilled from the collective's topics and place.

    `?q=` searches the CPV codes: htmx gets the list of results only.
    """
    query = request.GET.get("q", "")[:100]
    results = cpv.search(query, limit=30) if query else []
    language = _language()
    found = [(c.code, c.label(language)) for c in results]
    if request.htmx and request.method == "GET":
        return render(request, "tenders/_cpv_results.html", {"found": found, "query": query})
    profile = actions.prefilled_profile(collective)
    form = ProfileForm(request.POST if request.method == "POST" else None, profile=profile)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_tender_profile(
                collective=collective, user=request_user(request), values=form.values()
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your tender profile is saved; the inbox is up to date."))
            return redirect("tenders:inbox", collective.slug)
    chosen = [(code, cpv.label(code, language)) for code in profile.cpv_codes]
    return render(
        request,
        "tenders/profile.html",
        {
            "collective": collective,
            "form": form,
            "is_new": profile.pk is None,
            "chosen": chosen,
            "found": found,
            "query": query,
        },
    )


def _back(request: HttpRequest, collective: Collective) -> HttpResponse:
    show = request.POST.get("show", EntryState.NEW)
    return redirect(_inbox_url(collective, show if show in EntryState.values else EntryState.NEW))


@members_only_view(["POST"])
def entry_dismiss(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    entry = _entry(collective, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why this tender is not interesting."))
        return _back(request, collective)
    try:
        actions.do_dismiss_entry(
            entry=entry, user=request_user(request), reason=form.cleaned_data["reason"]
        )
    except actions.TenderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Marked as not interesting, with your reason."))
    return _back(request, collective)


@members_only_view(["POST"])
def entry_restore(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    entry = _entry(collective, pk)
    try:
        actions.do_restore_entry(entry=entry, user=request_user(request))
    except actions.TenderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The tender is back in the inbox."))
    return _back(request, collective)


@members_only_view(["POST"])
def entry_lead(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    entry = _entry(collective, pk)
    try:
        lead = actions.do_turn_entry_into_lead(
            entry=entry, user=request_user(request), language=_language()
        )
    except actions.TenderError as exc:
        messages.error(request, str(exc))
        return _back(request, collective)
    messages.success(request, _("The tender is now a lead on your workbench."))
    return redirect("workbench:lead_detail", collective.slug, lead.pk)


@members_only_view(["POST"])
def entry_override(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    entry = _entry(collective, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the red line does not apply."))
        return _back(request, collective)
    try:
        actions.do_override_tender_screening(
            entry=entry, user=request_user(request), reason=form.cleaned_data["reason"]
        )
    except actions.TenderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The flag is lifted; your reason is kept with the tender."))
    return _back(request, collective)
