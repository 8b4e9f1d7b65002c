"""Pages of the acquisition workbench, all under /collectives/<slug>/workbench/.

Everything is private to the collective's members: anyone else gets 404, whatever the method,
so a page does not even confirm that a lead exists. The one exception is the stewards' table
of referral totals, which holds no private details.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from klinke.accounts import request_user
from klinke.collectives.access import members_only_view
from klinke.collectives.models import Collective
from klinke.contacts.models import Contact
from klinke.core import fragments
from klinke.core.forms import refusal_onto
from klinke.core.htmx import HtmxHttpRequest
from klinke.core.languages import interface_language
from klinke.core.models import NotificationKind, NotificationMute
from klinke.core.submissions import once_per_submission
from klinke.matching.analysis import query_terms
from klinke.screening.evidence import Evidence, build_evidence
from klinke.workbench import actions, candidates, summary
from klinke.workbench.forms import (
    ActivityForm,
    CloseLeadForm,
    DecisionCommentForm,
    DecisionForm,
    LeadFilterForm,
    LeadForm,
    OverrideForm,
    RedLineForm,
    ReferralForm,
    ReminderForm,
    ResponseForm,
    SettingsForm,
    WorkbenchImportForm,
)
from klinke.workbench.models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Decision,
    DecisionComment,
    DigestScope,
    Lead,
    LeadQuerySet,
    RedLine,
    Referral,
    ReferralLogEntry,
    ReferralState,
    ScreeningOverride,
    Stage,
    WorkbenchPreference,
    WorkbenchSettings,
)
from klinke.workbench.origins import lead_origins
from klinke.workbench.portability import WorkbenchArchiveError, archive_response
from klinke.workbench.templatetags.workbench import value_range

View = Callable[..., HttpResponse]


def _lead(collective: Collective, pk: int) -> Lead:
    queryset = Lead.objects.filter(collective=collective).select_related(
        "collective", "organisation", "contact", "referred_by_referral__from_collective"
    )
    return get_object_or_404(queryset, pk=pk)


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _settings(collective: Collective) -> WorkbenchSettings:
    return WorkbenchSettings.for_collective(collective)


# --- board and list --------------------------------------------------------------------


def _focus_after_move(lead: Lead, direction: str) -> str:
    """Which button of a just-moved card takes the keyboard focus after the board is redrawn:
    the one that continues in the same direction, else whatever the card still offers."""
    if direction == "next" and lead.next_stage:
        return "next"
    if direction == "previous" and lead.previous_stage:
        return "previous"
    if lead.next_stage:
        return "next"
    if lead.previous_stage:
        return "previous"
    return "close"


def _board_context(
    collective: Collective, moved: Lead | None = None, direction: str = ""
) -> dict[str, object]:
    leads = list(Lead.objects.filter(collective=collective).on_board().for_cards())
    by_stage: dict[str, list[Lead]] = {stage: [] for stage in Stage.values}
    for lead in sorted(
        leads, key=lambda lead: (lead.next_action_due is None, lead.next_action_due, lead.pk)
    ):
        by_stage[lead.stage].append(lead)
    stale_days = _settings(collective).stale_after_days
    focus = ""
    if moved is not None:
        current = next((lead for lead in leads if lead.pk == moved.pk), moved)
        focus = _focus_after_move(current, direction)
    now = timezone.now()
    today = timezone.localdate()

    def card(lead: Lead) -> dict[str, object]:
        moved_here = moved is not None and moved.pk == lead.pk
        return _card(collective, lead, stale_days, now, today, moved_here, focus)

    columns = [
        {
            "stage": stage.value,
            "label": stage.label,
            "cards": [card(lead) for lead in by_stage[stage.value]],
            "closed": stage in CLOSED_STAGES,
        }
        for stage in Stage
    ]
    context: dict[str, object] = {
        "collective": collective,
        "columns": columns,
        "stale_days": stale_days,
        "today": today,
        "now": now,
        "moved": moved,
    }
    if moved is not None:
        context["focus_lead"] = moved.pk
        context["focus_button"] = focus
    return context


def _card(
    collective: Collective,
    lead: Lead,
    stale_days: int,
    now: datetime,
    today: date,
    moved: bool,
    focus: str,
) -> dict[str, object]:
    """What a lead's card on the board shows, worked out once here: the template reads a
    dict's keys far faster than it calls a model's properties and methods, several per card."""
    is_open = lead.is_open
    idle = lead.days_without_activity(now)
    referral = getattr(lead, "referred_by_referral", None)
    previous_stage, next_stage = lead.previous_stage, lead.next_stage
    return {
        "pk": lead.pk,
        "title": lead.title,
        "detail_url": reverse("workbench:lead_detail", args=[collective.slug, lead.pk]),
        "move_url": reverse("workbench:lead_move", args=[collective.slug, lead.pk]),
        "idle": idle,
        "stale": is_open and idle >= stale_days,
        "flagged": lead.is_flagged,
        "just_moved": moved,
        "client_label": lead.client_label,
        "value": value_range(lead),
        "next_action": lead.next_action if is_open else "",
        "next_action_due": lead.next_action_due,
        "overdue": lead.is_overdue(today),
        "due_today": lead.is_due_today(today),
        "decision": lead.get_decision_outcome_display() if lead.decision_outcome else "",
        "referred_by": referral.from_collective.name if referral is not None else "",
        "people": ", ".join(person.display_name for person in lead.members.all()),
        "stage": lead.stage,
        "is_open": is_open,
        "previous_stage": previous_stage,
        "previous_label": capfirst(lead.previous_stage_label) if previous_stage else "",
        "next_stage": next_stage,
        "next_label": capfirst(lead.next_stage_label) if next_stage else "",
        "focus": focus if moved else "",
    }


@members_only_view(["GET"])
def index(request: HtmxHttpRequest, collective: Collective) -> HttpResponse:
    """The board: a column per stage, buttons to move leads, and what needs attention.

    It shows alike to every member of the collective, so it is kept (klinke.core.fragments)
    until anything in the database changes; each visitor's CSRF token goes into its forms."""
    template = "workbench/_board.html" if request.htmx else "workbench/_index_body.html"

    def build() -> str:
        context = _board_context(collective)
        if not request.htmx:
            context["incoming"] = (
                Referral.objects.filter(to_collective=collective, state=ReferralState.OFFERED)
                .select_related("from_collective")
                .order_by("-created_at")
            )
            context["open_decisions"] = (
                Decision.objects.filter(collective=collective).open().order_by("deadline")
            )
        return fragments.render_part(template, context)

    body = fragments.fill_csrf(fragments.kept(template, (collective.pk,), build), request)
    if request.htmx:
        return HttpResponse(body)
    return render(request, "workbench/index.html", {"collective": collective, "body": body})


def _filtered_leads(collective: Collective, form: LeadFilterForm) -> LeadQuerySet:
    leads = Lead.objects.filter(collective=collective)
    data = form.cleaned_data if form.is_valid() else {}
    stage = data.get("stage") or ""
    if stage == "closed":
        leads = leads.closed()
    elif stage in Stage.values:
        leads = leads.filter(stage=stage)
    elif stage != "all":
        leads = leads.open()
    if data.get("member"):
        leads = leads.filter(members__pk=data["member"])
    if data.get("overdue"):
        leads = leads.overdue()
    terms = query_terms(data.get("q") or "")
    if terms:
        leads = leads.matching_terms(terms)
    return leads.for_cards().order_by("next_action_due", "-updated_at", "pk").distinct()


@members_only_view(["GET"])
def lead_list(request: HtmxHttpRequest, collective: Collective) -> HttpResponse:
    """All leads as a table, filtered by stage, member, overdue next actions and words."""
    form = LeadFilterForm(request.GET or None, collective=collective)
    page = Paginator(_filtered_leads(collective, form), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "collective": collective,
        "form": form,
        "page": page,
        "stale_days": _settings(collective).stale_after_days,
        "today": timezone.localdate(),
        "now": timezone.now(),
        "query_string": params.urlencode(),
    }
    if request.htmx:
        return render(request, "workbench/_lead_table.html", context)
    return render(request, "workbench/lead_list.html", context)


# --- leads -----------------------------------------------------------------------------


@members_only_view()
@once_per_submission
def lead_create(request: HttpRequest, collective: Collective) -> HttpResponse:
    initial: dict[str, object] = {}
    contact_pk = request.GET.get("contact", "")
    if contact_pk.isdigit():
        contact = Contact.objects.filter(collective=collective, pk=contact_pk).first()
        if contact is not None:
            initial = {"contact": contact.pk, "organisation": contact.organisation_id}
    form = LeadForm(request.POST or None, collective=collective, initial=initial)
    if request.method == "POST" and form.is_valid():
        lead = actions.do_create_lead(
            collective=collective, user=request_user(request), values=form.values()
        )
        if lead.is_flagged:
            messages.warning(
                request,
                _(
                    "Careful: “%(title)s” touches your red lines. Look at the evidence below "
                    "before anyone spends time on it."
                )
                % {"title": lead.title},
            )
        else:
            messages.success(request, _("The lead is on the board."))
        return redirect(lead)
    return render(request, "workbench/lead_form.html", {"collective": collective, "form": form})


@members_only_view()
def lead_edit(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    lead = _lead(collective, pk)
    was_flagged = lead.is_flagged
    form = LeadForm(request.POST or None, instance=lead, collective=collective)
    if request.method == "POST" and form.is_valid():
        lead = actions.do_update_lead(lead=lead, user=request_user(request), values=form.values())
        if lead.is_flagged and not was_flagged:
            messages.warning(request, _("Careful: the changes touch your red lines."))
        else:
            messages.success(request, _("Your changes are saved."))
        return redirect(lead)
    return render(
        request, "workbench/lead_form.html", {"collective": collective, "form": form, "lead": lead}
    )


def _evidence(lead: Lead) -> list[Evidence]:
    field_labels = {
        "title": _("title"),
        "client": _("client"),
        "description": _("description"),
        "source": _("source"),
    }
    return build_evidence(lead.hits, lead.screening_fields(), interface_language(), field_labels)


def _activities_context(
    request: HttpRequest, lead: Lead, form: ActivityForm | None = None
) -> dict[str, object]:
    return {
        "collective": lead.collective,
        "lead": lead,
        "activities": lead.activities.select_related("by", "contact"),
        "activity_form": form or ActivityForm(lead=lead),
    }


@members_only_view(["GET"])
def lead_detail(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    lead = _lead(collective, pk)
    settings = _settings(collective)
    context = {
        **_activities_context(request, lead),
        "members": lead.members.all(),
        "stages": [(v, label) for v, label in Stage.choices if v in OPEN_STAGES or v == lead.stage],
        "topics": lead.topics.all(),
        "evidence": _evidence(lead),
        "origins": lead_origins(lead),
        "overrides": ScreeningOverride.objects.filter(lead=lead).select_related("by"),
        "decisions": lead.decisions.order_by("-opened_at"),
        "referrals": lead.referrals.select_related("to_collective").order_by("-created_at"),
        "close_form": CloseLeadForm(),
        "override_form": OverrideForm(),
        "stale_days": settings.stale_after_days,
        "today": timezone.localdate(),
        "now": timezone.now(),
    }
    return render(request, "workbench/lead_detail.html", context)


@members_only_view(["POST"])
def lead_move(request: HtmxHttpRequest, collective: Collective, pk: int) -> HttpResponse:
    lead = _lead(collective, pk)
    try:
        actions.do_move_lead(
            lead=lead,
            user=request_user(request),
            from_stage=request.POST.get("from_stage", ""),
            to_stage=request.POST.get("to_stage", ""),
        )
    except actions.WorkbenchError as exc:
        status_text, ok = str(exc), False
    else:
        status_text = _("“%(title)s” moved to %(stage)s.") % {
            "title": lead.title,
            "stage": lead.get_stage_display(),
        }
        ok = True
    if request.htmx:
        context = _board_context(
            collective, moved=lead, direction=request.POST.get("direction", "")
        )
        context["status_text"] = status_text
        return render(request, "workbench/_board.html", context)
    (messages.success if ok else messages.error)(request, status_text)
    return redirect(_next_url(request, reverse("workbench:index", args=[collective.slug])))


@members_only_view(["POST"])
def lead_close(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    lead = _lead(collective, pk)
    form = CloseLeadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how it ended and say why."))
        return redirect(lead)
    try:
        actions.do_close_lead(
            lead=lead,
            user=request_user(request),
            stage=form.cleaned_data["stage"],
            reason=form.cleaned_data["reason"],
        )
    except actions.WorkbenchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("“%(title)s” is closed as %(stage)s.")
            % {"title": lead.title, "stage": lead.get_stage_display()},
        )
    return redirect(lead)


@members_only_view(["POST"])
def activity_create(request: HtmxHttpRequest, collective: Collective, pk: int) -> HttpResponse:
    lead = _lead(collective, pk)
    form = ActivityForm(request.POST, lead=lead)
    saved = False
    if form.is_valid():
        with refusal_onto(form, actions.WorkbenchError):
            actions.do_log_activity(
                lead=lead,
                user=request_user(request),
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                occurred_at=form.cleaned_data["occurred_at"],
                contact=form.cleaned_data["contact"],
            )
            saved = True
    if request.htmx:
        context = _activities_context(request, lead, None if saved else form)
        context["status_text"] = _("The activity is logged.") if saved else ""
        return render(request, "workbench/_activities.html", context)
    if saved:
        messages.success(request, _("The activity is logged."))
    else:
        messages.error(
            request, _("Please check the activity: %(errors)s") % {"errors": form.errors.as_text()}
        )
    return redirect(lead)


@members_only_view(["POST"])
def screening_override(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    lead = _lead(collective, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the red line does not apply."))
        return redirect(lead)
    try:
        actions.do_override_screening(
            lead=lead, user=request_user(request), reason=form.cleaned_data["reason"]
        )
    except actions.WorkbenchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The flag is lifted; your reason is kept with the lead."))
    return redirect(lead)


# --- referrals -------------------------------------------------------------------------


@members_only_view()
def lead_refer(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    """Suggest collectives that could take the lead, and offer it to one of them."""
    lead = _lead(collective, pk)
    user = request_user(request)
    initial: dict[str, object] = {}
    if lead.contact is not None:
        contact = Contact.objects.with_details().get(pk=lead.contact.pk)
        lines = [contact.display_name]
        lines += [e.email for e in contact.emails.all()] + [p.number for p in contact.phones.all()]
        initial["client_contact"] = "\n".join(lines)
    chosen = request.GET.get("to", "")
    if chosen:
        initial["to_collective"] = chosen
    form = ReferralForm(request.POST or None, lead=lead, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_onto(form, actions.WorkbenchError):
            referral = actions.do_refer_lead(
                lead=lead,
                user=user,
                to_collective=form.cleaned_data["to_collective"],
                client_agreed=form.cleaned_data["client_agreed"],
                message=form.cleaned_data["message"],
                client_contact=form.cleaned_data["client_contact"],
            )
            messages.success(
                request,
                _("We offered the lead to %(name)s. It stays here until they accept.")
                % {"name": referral.to_collective.name},
            )
            return redirect(lead)
    suggestions = candidates.rank_collectives_for_lead(lead, user=user) if lead.is_open else []
    return render(
        request,
        "workbench/lead_refer.html",
        {"collective": collective, "lead": lead, "form": form, "suggestions": suggestions},
    )


def _referral(collective: Collective, pk: int) -> Referral:
    queryset = Referral.objects.involving(collective).select_related(
        "from_collective", "to_collective", "referred_by", "answered_by", "topic", "new_lead"
    )
    return get_object_or_404(queryset, pk=pk)


@members_only_view(["GET"])
def referrals(request: HttpRequest, collective: Collective) -> HttpResponse:
    """Referrals offered to and by the collective, and its part of the network's log."""
    related = ("from_collective", "to_collective", "topic")
    return render(
        request,
        "workbench/referrals.html",
        {
            "collective": collective,
            "incoming": Referral.objects.filter(to_collective=collective).select_related(*related)[
                :50
            ],
            "outgoing": Referral.objects.filter(from_collective=collective).select_related(
                *related
            )[:50],
            "log": ReferralLogEntry.objects.filter(
                Q(from_collective=collective) | Q(to_collective=collective)
            ).select_related(*related)[:200],
        },
    )


@members_only_view(["GET"])
def referral_detail(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    referral = _referral(collective, pk)
    receiving = referral.to_collective_id == collective.pk
    evidence: list[Evidence] = []
    if receiving and referral.state == ReferralState.OFFERED:
        # Screen the offer against the receiving collective's own red lines before it answers.
        probe = Lead(
            collective=collective,
            title=referral.title,
            client_name=referral.client_name,
            description=referral.description,
        )
        probe.refresh_screening()
        evidence = _evidence(probe)
    return render(
        request,
        "workbench/referral_detail.html",
        {
            "collective": collective,
            "referral": referral,
            "receiving": receiving,
            "evidence": evidence,
        },
    )


@members_only_view(["POST"])
def referral_answer(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    referral = _referral(collective, pk)
    accept = request.POST.get("answer") == "accept"
    if request.POST.get("answer") not in ("accept", "decline"):
        messages.error(request, _("Accept or decline."))
        return redirect(referral.url_for(collective))
    try:
        referral = actions.do_answer_referral(
            referral_id=referral.pk,
            user=request_user(request),
            accept=accept,
            message=request.POST.get("message", ""),
        )
    except actions.WorkbenchError as exc:
        messages.error(request, str(exc))
        return redirect(referral.url_for(collective))
    if accept and referral.new_lead is not None:
        messages.success(request, _("Accepted. The lead is now on your board."))
        return redirect(referral.new_lead)
    messages.success(request, _("Declined. Thank you for answering."))
    return redirect("workbench:referrals", collective.slug)


@members_only_view(["POST"])
def referral_withdraw(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    referral = _referral(collective, pk)
    try:
        actions.do_withdraw_referral(referral_id=referral.pk, user=request_user(request))
    except actions.WorkbenchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The referral is withdrawn."))
    return redirect(referral.url_for(collective))


@login_required
def referral_totals(request: HttpRequest, slug: str) -> HttpResponse:
    """Referrals between collectives per month, for network stewards.

    This view lives under a collective's address only because the app has no top-level URL;
    it ignores the slug and asks for the steward role instead of membership. Non-stewards get
    404 like on every other workbench page.
    """
    user = request_user(request)
    if not user.is_steward:
        raise Http404
    rows = (
        ReferralLogEntry.objects.annotate(month=TruncMonth("referred_on"))
        .values("month", "from_collective__name", "to_collective__name")
        .annotate(
            total=Count("pk"),
            accepted=Count("pk", filter=Q(state=ReferralState.ACCEPTED)),
            declined=Count("pk", filter=Q(state=ReferralState.DECLINED)),
            open=Count("pk", filter=Q(state=ReferralState.OFFERED)),
        )
        .order_by("-month", "from_collective__name", "to_collective__name")
    )
    return render(request, "workbench/referral_totals.html", {"rows": rows[:500]})


# --- decisions -------------------------------------------------------------------------


@members_only_view(["GET"])
def decision_list(request: HttpRequest, collective: Collective) -> HttpResponse:
    decisions = (
        Decision.objects.filter(collective=collective)
        .select_related("lead")
        .annotate(n_responses=Count("responses"))
        .order_by("state", "-opened_at")
    )
    return render(
        request,
        "workbench/decision_list.html",
        {"collective": collective, "decisions": decisions[:100]},
    )


@members_only_view()
@once_per_submission
def decision_create(request: HttpRequest, collective: Collective) -> HttpResponse:
    initial: dict[str, object] = {
        "deadline": (timezone.localtime() + timedelta(days=7)).replace(
            hour=18, minute=0, second=0, microsecond=0
        )
    }
    lead_pk = request.GET.get("lead", "")
    if lead_pk.isdigit():
        lead = Lead.objects.filter(collective=collective, pk=lead_pk).first()
        if lead is not None:
            initial.update(
                lead=lead.pk, question=_("Do we take “%(title)s”?") % {"title": lead.title}
            )
    form = DecisionForm(request.POST or None, collective=collective, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_onto(form, actions.WorkbenchError):
            decision = actions.do_open_decision(
                collective=collective,
                user=request_user(request),
                question=form.cleaned_data["question"],
                details=form.cleaned_data["details"],
                deadline=form.cleaned_data["deadline"],
                lead=form.cleaned_data["lead"],
            )
            messages.success(request, _("The decision is open; the others are told by email."))
            return redirect(decision)
    return render(
        request,
        "workbench/decision_form.html",
        {"collective": collective, "form": form, "settings": _settings(collective)},
    )


def _decision(collective: Collective, pk: int) -> Decision:
    return get_object_or_404(
        Decision.objects.filter(collective=collective).select_related("lead", "opened_by"), pk=pk
    )


def _decision_context(
    request: HttpRequest, decision: Decision, form: ResponseForm | None = None
) -> dict[str, object]:
    user = request_user(request)
    responses = list(decision.responses.select_related("member"))
    mine = next((r for r in responses if r.member_id == user.pk), None)
    tally = actions.current_tally(decision) if decision.is_open else None
    members = actions.member_users(decision.collective)
    answered = {r.member_id for r in responses}
    if form is None:
        form = ResponseForm(
            initial={"choice": mine.choice, "reason": mine.reason} if mine else None
        )
    return {
        "collective": decision.collective,
        "decision": decision,
        "comments": _thread(decision, user),
        "comment_form": DecisionCommentForm(),
        "responses": responses,
        "mine": mine,
        "tally": tally,
        "waiting": [m for m in members if m.pk not in answered],
        "form": form,
        "accepts_responses": decision.accepts_responses(),
    }


@members_only_view(["GET"])
def decision_detail(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    decision = _decision(collective, pk)
    decision.collective = collective
    return render(request, "workbench/decision_detail.html", _decision_context(request, decision))


@members_only_view(["POST"])
def decision_respond(request: HtmxHttpRequest, collective: Collective, pk: int) -> HttpResponse:
    decision = _decision(collective, pk)
    decision.collective = collective
    form = ResponseForm(request.POST)
    status_text = ""
    ok = False
    if form.is_valid():
        with refusal_onto(form, actions.WorkbenchError):
            actions.do_respond_to_decision(
                decision_id=decision.pk,
                user=request_user(request),
                choice=form.cleaned_data["choice"],
                reason=form.cleaned_data["reason"],
            )
            ok = True
            status_text = _("Your response is recorded.")
            decision = _decision(collective, pk)
            decision.collective = collective
    if request.htmx:
        context = _decision_context(request, decision, None if ok else form)
        context["status_text"] = status_text
        return render(request, "workbench/_decision_body.html", context)
    if ok:
        messages.success(request, status_text)
        return redirect(decision)
    return render(
        request,
        "workbench/decision_detail.html",
        _decision_context(request, decision, form),
        status=422,
    )


def _thread(decision: Decision, user: object) -> list[tuple[DecisionComment, bool]]:
    """The decision's comments in order, each with whether the reader may still change it."""
    now = timezone.now()
    return [
        (comment, comment.can_be_changed_by(user, now))
        for comment in DecisionComment.objects.filter(decision=decision).for_thread()
    ]


@members_only_view(["POST"])
@once_per_submission
def decision_comment(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    decision = _decision(collective, pk)
    decision.collective = collective
    form = DecisionCommentForm(request.POST)
    if form.is_valid():
        with refusal_onto(form, actions.WorkbenchError):
            comment = actions.do_comment_on_decision(
                decision=decision, user=request_user(request), text=form.cleaned_data["text"]
            )
            messages.success(request, _("Your comment is posted."))
            return redirect(f"{decision.get_absolute_url()}#comment-{comment.pk}")
    context = _decision_context(request, decision)
    context["comment_form"] = form
    return render(request, "workbench/decision_detail.html", context, status=422)


def _comment(decision: Decision, comment_pk: int) -> DecisionComment:
    return get_object_or_404(
        DecisionComment.objects.filter(decision=decision).select_related("author"),
        pk=comment_pk,
    )


@members_only_view(["GET", "POST"])
def decision_comment_edit(
    request: HttpRequest, collective: Collective, pk: int, comment_pk: int
) -> HttpResponse:
    decision = _decision(collective, pk)
    decision.collective = collective
    comment = _comment(decision, comment_pk)
    if not comment.can_be_changed_by(request.user):
        raise Http404
    form = DecisionCommentForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST" and form.is_valid():
        with refusal_onto(form, actions.WorkbenchError):
            actions.do_edit_decision_comment(
                comment_id=comment.pk, user=request_user(request), text=form.cleaned_data["text"]
            )
            messages.success(request, _("Your comment is changed."))
            return redirect(f"{decision.get_absolute_url()}#comment-{comment.pk}")
    return render(
        request,
        "workbench/decision_comment_form.html",
        {"collective": collective, "decision": decision, "comment": comment, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@members_only_view(["POST"])
def decision_comment_delete(
    request: HttpRequest, collective: Collective, pk: int, comment_pk: int
) -> HttpResponse:
    decision = _decision(collective, pk)
    comment = _comment(decision, comment_pk)
    if not comment.can_be_changed_by(request.user):
        raise Http404
    try:
        actions.do_delete_decision_comment(comment_id=comment.pk, user=request_user(request))
    except actions.WorkbenchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your comment is deleted."))
    return redirect(decision)


# --- red lines -------------------------------------------------------------------------


@members_only_view()
def red_lines(request: HttpRequest, collective: Collective) -> HttpResponse:
    form = RedLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        red_line = actions.do_save_red_line(
            collective=collective, user=request_user(request), values=form.values()
        )
        flagged_count = Lead.objects.filter(collective=collective, is_flagged=True).open().count()
        messages.success(
            request,
            _("The red line “%(name)s” is saved. Open leads flagged now: %(n)s.")
            % {"name": red_line.name, "n": flagged_count},
        )
        return redirect("workbench:red_lines", collective.slug)
    language = interface_language()
    lines = [
        (red_line, red_line.sector_labels(language))
        for red_line in RedLine.objects.filter(collective=collective)
    ]
    flagged = Lead.objects.filter(collective=collective, is_flagged=True).open()
    return render(
        request,
        "workbench/red_lines.html",
        {"collective": collective, "form": form, "lines": lines, "flagged": flagged},
    )


@members_only_view()
def red_line_edit(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    red_line = get_object_or_404(RedLine.objects.filter(collective=collective), pk=pk)
    form = RedLineForm(request.POST or None, instance=red_line)
    if request.method == "POST" and form.is_valid():
        actions.do_save_red_line(
            collective=collective,
            user=request_user(request),
            values=form.values(),
            red_line=red_line,
        )
        messages.success(request, _("Your changes are saved; all leads are screened again."))
        return redirect("workbench:red_lines", collective.slug)
    return render(
        request,
        "workbench/red_line_form.html",
        {"collective": collective, "form": form, "red_line": red_line},
    )


@members_only_view(["POST"])
def red_line_delete(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    red_line = get_object_or_404(RedLine.objects.filter(collective=collective), pk=pk)
    actions.do_delete_red_line(red_line=red_line, user=request_user(request))
    messages.success(request, _("The red line is removed."))
    return redirect("workbench:red_lines", collective.slug)


# --- summary and settings --------------------------------------------------------------


@members_only_view(["GET"])
def pipeline_summary(request: HttpRequest, collective: Collective) -> HttpResponse:
    stages = summary.stage_figures(collective)
    months = summary.month_figures(collective)
    open_stages = [s for s in stages if s.stage in OPEN_STAGES]
    return render(
        request,
        "workbench/summary.html",
        {
            "collective": collective,
            "stages": stages,
            "open_total": {
                "count": sum(s.count for s in open_stages),
                "low": sum(s.value_low for s in open_stages),
                "high": sum(s.value_high for s in open_stages),
            },
            "months": months,
            "chart": summary.month_chart_svg(months),
        },
    )


@members_only_view()
def workbench_settings(request: HttpRequest, collective: Collective) -> HttpResponse:
    """The collective's settings, and each member's own reminder email."""
    user = request_user(request)
    config = _settings(collective)
    preference = WorkbenchPreference.objects.filter(user=user).first()
    muted = NotificationMute.objects.filter(user=user, kind=NotificationKind.WORKBENCH).exists()
    which = request.POST.get("form") if request.method == "POST" else None
    settings_form = SettingsForm(request.POST if which == "collective" else None, instance=config)
    reminder_form = ReminderForm(
        request.POST if which == "reminders" else None,
        initial={
            "enabled": not muted,
            "scope": preference.digest_scope if preference else DigestScope.MINE,
        },
    )
    if which == "collective" and settings_form.is_valid():
        actions.do_save_settings(collective=collective, user=user, values=settings_form.values())
        messages.success(request, _("The workbench settings are saved."))
        return redirect("workbench:settings", collective.slug)
    if which == "reminders" and reminder_form.is_valid():
        actions.do_set_reminder_preferences(
            user=user,
            scope=reminder_form.cleaned_data["scope"],
            enabled=reminder_form.cleaned_data["enabled"],
        )
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("workbench:settings", collective.slug)
    return render(
        request,
        "workbench/settings.html",
        {"collective": collective, "settings_form": settings_form, "reminder_form": reminder_form},
    )


# --- export and import -----------------------------------------------------------------


@members_only_view(methods=("GET",))
def data_export(request: HttpRequest, collective: Collective) -> HttpResponse:
    return archive_response(collective)


@members_only_view()
def data(request: HttpRequest, collective: Collective) -> HttpResponse:
    """Take the workbench along: download it as a .zip, or import one from elsewhere."""
    form = WorkbenchImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            counts = actions.do_import_workbench(
                collective=collective, archive=form.cleaned_data["archive"]
            )
        except WorkbenchArchiveError as exc:
            form.add_error("archive", str(exc))
        else:
            messages.success(
                request,
                _("Imported: %(created)d new, %(updated)d updated, %(skipped)d left out.")
                % {
                    "created": sum(counts.created.values()),
                    "updated": sum(counts.updated.values()),
                    "skipped": sum(counts.skipped.values()),
                },
            )
            return redirect("workbench:data", collective.slug)
    return render(
        request,
        "workbench/data.html",
        {"collective": collective, "form": form},
        status=400 if form.errors else 200,
    )
