"""Pages of the tenders app, under /collectives/<slug>/tenders/, for the collective's members.

Everyone else gets 404 whatever the method, as everywhere in a collective's private area.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from klinke.accounts import request_user
from klinke.collectives.access import members_only_view
from klinke.collectives.models import Collective
from klinke.core.htmx import HtmxHttpRequest
from klinke.core.languages import interface_language
from klinke.screening.evidence import Evidence, build_evidence
from klinke.tenders import actions, consortia, cpv
from klinke.tenders.actions import TenderError
from klinke.tenders.forms import (
    AnswerForm,
    ConsortiumStateForm,
    DismissForm,
    InviteForm,
    OverrideForm,
    PartForm,
    ProfileForm,
)
from klinke.tenders.models import (
    SEEING_STATES,
    Consortium,
    ConsortiumMember,
    ConsortiumState,
    EntryState,
    InboxEntry,
    MemberState,
    TenderProfile,
    TenderState,
)
from klinke.tenders.presenting import deadline_text, reason_texts, value_text
from klinke.tenders.suggestions import suggest_collectives
from klinke.workbench.models import RedLine

View = Callable[..., HttpResponse]
PAGE_SIZE = 25


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
    return build_evidence(entry.hits, texts, interface_language())


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
    language = interface_language()
    in_consortia = dict(
        ConsortiumMember.objects.filter(
            collective=collective,
            state__in=SEEING_STATES,
            tender_id__in=[entry.tender_id for entry in page.object_list],
        ).values_list("tender_id", "consortium_id")
    )
    rows = [
        {
            "consortium": in_consortia.get(entry.tender_id),
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
    language = interface_language()
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
            entry=entry, user=request_user(request), language=interface_language()
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


# --- consortia -------------------------------------------------------------------------


def _consortium(collective: Collective, pk: int) -> Consortium:
    """A consortium the collective is invited to or takes part in; 404 for everyone else."""
    return get_object_or_404(Consortium.objects.seen_by(collective).for_page(), pk=pk)


def _own_member(consortium: Consortium, collective: Collective) -> ConsortiumMember:
    for member in consortium.members.all():
        if member.collective_id == collective.pk:
            return member
    raise Http404


def _lot_choices(consortium: Consortium, language: str) -> list[tuple[str, str]]:
    return [
        (lot.lot_id, f"{lot.lot_id}: {lot.title_in(language)}" if lot.title else lot.lot_id)
        for lot in consortium.tender.lots.all()
    ]


def _screening_for(consortium: Consortium, collective: Collective) -> dict[str, object]:
    """The tender screened against the answering collective's own red lines, not stored."""
    entry = InboxEntry(collective=collective, tender=consortium.tender)
    actions.screen_entry(entry, list(RedLine.objects.filter(collective=collective)))
    return {"entry": entry, "evidence": _evidence(entry)}


def _decision_summary(member: ConsortiumMember) -> dict[str, object] | None:
    decision = member.decision
    if decision is None:
        return None
    return {
        "decision": decision,
        "responded": len(decision.responses.all()),
        "tally": decision.tally,
    }


@members_only_view(["GET"])
def consortium_list(request: HttpRequest, collective: Collective) -> HttpResponse:
    """The consortia the collective takes part in or is invited to."""
    language = interface_language()
    memberships = (
        ConsortiumMember.objects.filter(collective=collective)
        .select_related("consortium__tender", "consortium__initiator")
        .order_by("-invited_at", "-pk")
    )
    rows = [
        {
            "member": m,
            "consortium": m.consortium,
            "title": m.consortium.tender.title_in(language) or m.consortium.tender.procedure_id,
        }
        for m in memberships
    ]
    return render(request, "tenders/consortium_list.html", {"collective": collective, "rows": rows})


@members_only_view(["POST"])
def consortium_start(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    """Start a consortium for the tender of an inbox entry."""
    entry = _entry(collective, pk)
    try:
        consortium = consortia.do_start_consortium(
            tender=entry.tender,
            collective=collective,
            user=request_user(request),
            language=interface_language(),
        )
    except TenderError as exc:
        messages.error(request, str(exc))
        return _back(request, collective)
    messages.success(
        request, _("The consortium is started. Invite collectives that could take lots.")
    )
    return redirect("tenders:consortium_detail", collective.slug, consortium.pk)


@members_only_view(["GET"])
def consortium_detail(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    """The shared page: the tender, lots and who takes them, shares, states, decisions and
    contact people of every member. Nothing of any member's own pipeline is read here, except
    the viewer's own red-line screening while it answers an invitation."""
    consortium = _consortium(collective, pk)
    own = _own_member(consortium, collective)
    language = interface_language()
    tender = consortium.tender
    members = list(consortium.members.all())
    taken = {ct.lot_id: m for m in members for ct in m.taken_lots.all()}
    lots = [
        {"lot": lot, "title": lot.title_in(language), "member": taken.get(lot.pk)}
        for lot in tender.lots.all()
    ]
    rows = [
        {
            "member": m,
            "lots": [ct.lot.lot_id for ct in m.taken_lots.all()],
            "decision": _decision_summary(m),
        }
        for m in members
    ]
    total = sum((m.share or Decimal(0) for m in members if m.is_taking_part), Decimal(0))
    is_initiator = consortium.initiator_id == collective.pk
    lot_choices = _lot_choices(consortium, language)
    context: dict[str, object] = {
        "collective": collective,
        "consortium": consortium,
        "tender": tender,
        "title": tender.title_in(language) or tender.procedure_id,
        "description": tender.description_in(language),
        "reasons": [deadline_text(tender), value_text(tender, tender.lots.all())],
        "lots": lots,
        "rows": rows,
        "total": total,
        "own": own,
        "is_initiator": is_initiator,
    }
    if own.state == MemberState.INVITED:
        context["answer_form"] = AnswerForm(lots=lot_choices)
        context["screening"] = _screening_for(consortium, collective)
    elif own.is_taking_part and consortium.state in (
        ConsortiumState.FORMING,
        ConsortiumState.BIDDING,
    ):
        context["part_form"] = PartForm(
            lots=lot_choices,
            initial={"lots": [ct.lot.lot_id for ct in own.taken_lots.all()], "share": own.share},
        )
    if is_initiator and consortium.is_active:
        context["suggestions"] = (
            [
                {"collective": c.obj, "reasons": c.reason_texts, "strength": c.strength}
                for c in suggest_collectives(consortium, user=request_user(request))
            ]
            if consortium.state in (ConsortiumState.FORMING, ConsortiumState.BIDDING)
            else []
        )
        context["invite_form"] = InviteForm()
        context["state_form"] = ConsortiumStateForm(
            choices=[
                (s, str(label))
                for s, label in ConsortiumState.choices
                if s in consortia.NEXT_STATES[consortium.state]
            ]
        )
    return render(request, "tenders/consortium_detail.html", context)


def _to_page(collective: Collective, consortium_pk: int) -> HttpResponse:
    return redirect("tenders:consortium_detail", collective.slug, consortium_pk)


@members_only_view(["POST"])
def consortium_invite(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    consortium = _consortium(collective, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a collective to invite."))
        return _to_page(collective, pk)
    invitee = Collective.objects.filter(slug=form.cleaned_data["collective"]).first()
    if invitee is None:
        messages.error(request, _("There is no such collective."))
        return _to_page(collective, pk)
    try:
        consortia.do_invite_to_consortium(
            consortium=consortium,
            collective=collective,
            user=request_user(request),
            invitee=invitee,
            message=form.cleaned_data["message"],
        )
    except TenderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(name)s is invited and told by email.") % {"name": invitee.name}
        )
    return _to_page(collective, pk)


@members_only_view(["POST"])
def consortium_answer(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    consortium = _consortium(collective, pk)
    own = _own_member(consortium, collective)
    form = AnswerForm(request.POST, lots=_lot_choices(consortium, interface_language()))
    if not form.is_valid():
        messages.error(request, _("Check your answer: %(errors)s") % {"errors": _form_errors(form)})
        return _to_page(collective, pk)
    accept = form.cleaned_data["answer"] == "accept"
    try:
        consortia.do_answer_invitation(
            member=own,
            user=request_user(request),
            accept=accept,
            part=consortia.Part(
                lot_ids=form.cleaned_data["lots"], share=form.cleaned_data["share"]
            ),
            language=interface_language(),
        )
    except TenderError as exc:
        messages.error(request, str(exc))
        return _to_page(collective, pk)
    if not accept:
        messages.success(request, _("You declined the invitation."))
        return redirect("tenders:consortia", collective.slug)
    messages.success(
        request,
        _("You take part. The tender is a lead on your workbench, with a decision to answer."),
    )
    return _to_page(collective, pk)


def _form_errors(form: forms.BaseForm) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@members_only_view(["POST"])
def consortium_part(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    consortium = _consortium(collective, pk)
    own = _own_member(consortium, collective)
    form = PartForm(request.POST, lots=_lot_choices(consortium, interface_language()))
    if not form.is_valid():
        messages.error(
            request, _("Check your lots and share: %(errors)s") % {"errors": _form_errors(form)}
        )
        return _to_page(collective, pk)
    try:
        consortia.do_set_part(
            member=own,
            user=request_user(request),
            part=consortia.Part(
                lot_ids=form.cleaned_data["lots"], share=form.cleaned_data["share"]
            ),
        )
    except TenderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your lots and share are saved."))
    return _to_page(collective, pk)


@members_only_view(["POST"])
def consortium_leave(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    consortium = _consortium(collective, pk)
    own = _own_member(consortium, collective)
    try:
        consortia.do_leave_consortium(member=own, user=request_user(request))
    except TenderError as exc:
        messages.error(request, str(exc))
        return _to_page(collective, pk)
    messages.success(request, _("Your collective left the consortium; its lots are free again."))
    return redirect("tenders:consortia", collective.slug)


@members_only_view(["POST"])
def consortium_state(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    consortium = _consortium(collective, pk)
    state = request.POST.get("state", "")
    try:
        consortia.do_set_consortium_state(
            consortium=consortium, collective=collective, user=request_user(request), state=state
        )
    except TenderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The consortium's state is changed."))
    return _to_page(collective, pk)
