"""Pages of estimates: the members' pages under /collectives/<slug>/estimates/ (404 for
everyone else, as everywhere in a collective's private area) and the client's page behind
its secret link under /e/<secret>/ (read-only, in the client's language, no login)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from klinke.accounts import request_user
from klinke.collectives.access import members_only_view
from klinke.collectives.models import Collective
from klinke.core.client_address import client_ip
from klinke.core.forms import refusal_onto
from klinke.core.submissions import once_per_submission
from klinke.estimates import accuracy, actions, calibration, einvoice, pdf, timesheets
from klinke.estimates.forms import (
    ActualHoursForm,
    ClientAnswerForm,
    EstimateForm,
    PackageFormSet,
    StartForm,
    TimesheetMappingForm,
    TimesheetUploadForm,
    VersionForm,
)
from klinke.estimates.models import (
    ActualHours,
    Estimate,
    EstimateState,
    EstimateVersion,
    HoursSource,
    WorkPackage,
)
from klinke.estimates.presenting import present, previous_shared
from klinke.estimates.starters import STARTERS
from klinke.workbench.models import Lead


def _estimate(collective: Collective, pk: int) -> Estimate:
    return get_object_or_404(
        Estimate.objects.filter(collective=collective).select_related("collective", "lead"),
        pk=pk,
    )


def _version(estimate: Estimate, number: int | None = None) -> EstimateVersion | None:
    versions = estimate.versions.prefetch_related("packages")
    if number is not None:
        return versions.filter(number=number).first()
    return versions.order_by("-number").first()


@members_only_view(["GET"])
def index(request: HttpRequest, collective: Collective) -> HttpResponse:
    estimates = Estimate.objects.of(collective).for_list().annotate(version_count=Count("versions"))
    lead = None
    if request.GET.get("lead", "").isdigit():
        lead = Lead.objects.filter(collective=collective, pk=int(request.GET["lead"])).first()
        if lead is not None:
            estimates = estimates.filter(lead=lead)
    return render(
        request,
        "estimates/index.html",
        {"collective": collective, "estimates": estimates, "lead": lead},
    )


@members_only_view()
@once_per_submission
def create(request: HttpRequest, collective: Collective) -> HttpResponse:
    """A new estimate: empty, from a shared template or from an earlier estimate."""
    lead = None
    lead_ref = request.GET.get("lead") or request.POST.get("lead") or ""
    if lead_ref.isdigit():
        lead = Lead.objects.filter(collective=collective, pk=int(lead_ref)).first()
    earlier = list(Estimate.objects.of(collective).order_by("-created_at")[:30])
    initial = {"start": "starter:website-relaunch-cms"}
    if lead is not None:
        initial.update(title=lead.title, client_name=lead.client_label)
    form = StartForm(
        request.POST if request.method == "POST" else None, earlier=earlier, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        start = form.cleaned_data["start"]
        values = form.values()
        content = None
        if start.startswith("starter:"):
            content = actions.starter_values(
                STARTERS[start.removeprefix("starter:")],
                language=values.client_language,
                hourly_rate=form.cleaned_data["hourly_rate"],
            )
        elif start.startswith("estimate:"):
            source = _estimate(collective, int(start.removeprefix("estimate:")))
            version = _version(source)
            content = actions.version_values(version) if version is not None else None
        with refusal_onto(form, actions.EstimateError, ValidationError):
            estimate = actions.do_create_estimate(
                collective=collective,
                user=request_user(request),
                values=values,
                lead=lead,
                content=content,
            )
            messages.success(request, _("The estimate is ready: check its work packages."))
            return redirect("estimates:content", collective.slug, estimate.pk)
    return render(
        request, "estimates/create.html", {"collective": collective, "form": form, "lead": lead}
    )


@members_only_view(["GET"])
def detail(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    estimate = _estimate(collective, pk)
    versions = list(estimate.versions.order_by("-number"))
    number = request.GET.get("version", "")
    version = _version(estimate, int(number) if number.isdigit() else None)
    if version is None:
        raise Http404
    shown = present(estimate, version, previous_shared(version))
    return render(
        request,
        "estimates/detail.html",
        {
            "collective": collective,
            "estimate": estimate,
            "versions": versions,
            "shown": shown,
            "new_link": request.session.pop(f"estimate-link-{estimate.pk}", ""),
            "client_version": estimate.client_version(),
            **_calibration_context(estimate, versions[0] if versions else None),
        },
    )


def _calibration_context(estimate: Estimate, latest: EstimateVersion | None) -> dict[str, object]:
    """The sentence from past projects and whether the draft can take the factor."""
    if estimate.is_closed:
        return {}
    hint = accuracy.hint_for(estimate)
    return {
        "calibration_hint": accuracy.hint_sentence(hint) if hint is not None else "",
        "can_calibrate": latest is not None and not latest.is_frozen,
    }


@members_only_view()
def edit(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    estimate = _estimate(collective, pk)
    form = EstimateForm(request.POST if request.method == "POST" else None, instance=estimate)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        estimate.refresh_from_db()
        with refusal_onto(form, actions.EstimateError, ValidationError):
            actions.do_update_estimate(estimate=estimate, user=request_user(request), values=values)
            messages.success(request, _("Saved."))
            return redirect(estimate)
    return render(
        request,
        "estimates/edit.html",
        {"collective": collective, "estimate": estimate, "form": form},
    )


@members_only_view()
def content(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    """The latest version's packages, assumptions, exclusions and buffer. Once the latest
    version was shared, saving makes the next one."""
    estimate = _estimate(collective, pk)
    version = _version(estimate)
    if version is None:
        raise Http404
    packages = WorkPackage.objects.filter(version=version).order_by("order", "pk")
    initial = {
        "assumptions": "\n".join(version.assumptions),
        "exclusions": "\n".join(version.exclusions),
        "risk_buffer_percent": version.risk_buffer_percent,
        "risk_buffer_reason": version.risk_buffer_reason,
        "change_note": "" if version.is_frozen else version.change_note,
    }
    posted = request.POST if request.method == "POST" else None
    form = VersionForm(posted, initial=initial)
    formset = PackageFormSet(posted, queryset=packages, prefix="packages")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        kept = [
            f.values()
            for f in formset.forms
            if f.has_changed() or f.instance.pk
            if f not in formset.deleted_forms and f.cleaned_data
        ]
        # An applied calibration line stays until it is taken off on the estimate's page.
        values = replace(
            form.values(kept),
            calibration_factor=version.calibration_factor,
            calibration_note=version.calibration_note,
        )
        with refusal_onto(form, actions.EstimateError, ValidationError):
            saved = actions.do_save_version(
                estimate=estimate, user=request_user(request), values=values
            )
            messages.success(request, _("Saved as version %(number)d.") % {"number": saved.number})
            return redirect(estimate)
    return render(
        request,
        "estimates/content.html",
        {
            "collective": collective,
            "estimate": estimate,
            "version": version,
            "form": form,
            "formset": formset,
            "shown": {"version": version},
            **_calibration_context(estimate, version),
        },
    )


def _post_action(request: HttpRequest, estimate: Estimate, done: str) -> HttpResponse:
    messages.success(request, done)
    return redirect(estimate)


@members_only_view(["POST"])
def share(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    estimate = _estimate(collective, pk)
    try:
        raw = actions.do_share_estimate(estimate=estimate, user=request_user(request))
    except actions.EstimateError as exc:
        messages.error(request, str(exc))
        return redirect(estimate)
    if raw:
        request.session[f"estimate-link-{estimate.pk}"] = request.build_absolute_uri(
            reverse("estimate_client:page", args=[raw])
        )
    return _post_action(request, estimate, _("Shared: the client's link shows this version."))


@members_only_view(["POST"])
def renew_link(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    estimate = _estimate(collective, pk)
    try:
        raw = actions.do_renew_link(estimate=estimate, user=request_user(request))
    except actions.EstimateError as exc:
        messages.error(request, str(exc))
        return redirect(estimate)
    request.session[f"estimate-link-{estimate.pk}"] = request.build_absolute_uri(
        reverse("estimate_client:page", args=[raw])
    )
    return _post_action(request, estimate, _("A new link is made; the old one no longer works."))


@members_only_view(["POST"])
def revoke_link(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    estimate = _estimate(collective, pk)
    actions.do_revoke_link(estimate=estimate, user=request_user(request))
    return _post_action(request, estimate, _("The client's link no longer works."))


@members_only_view(["POST"])
def withdraw(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    estimate = _estimate(collective, pk)
    try:
        actions.do_withdraw_estimate(estimate=estimate, user=request_user(request))
    except actions.EstimateError as exc:
        messages.error(request, str(exc))
        return redirect(estimate)
    return _post_action(request, estimate, _("The estimate is withdrawn."))


@members_only_view(["GET"])
def pdf_download(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    estimate = _estimate(collective, pk)
    number = request.GET.get("version", "")
    version = _version(estimate, int(number) if number.isdigit() else None)
    if version is None:
        raise Http404
    return _pdf_response(estimate, version)


@members_only_view(["GET"])
def invoice_xml(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    """The accepted version as EN 16931 CII XML (checked against the schema)."""
    estimate = _estimate(collective, pk)
    if estimate.state != EstimateState.ACCEPTED or estimate.decided_version is None:
        raise Http404
    try:
        xml = einvoice.cii_xml(estimate, estimate.decided_version)
    except einvoice.InvoiceDataError as exc:
        messages.error(request, str(exc))
        return redirect(estimate)
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="estimate-{estimate.pk}-en16931.xml"'
    return response


def _pdf_response(estimate: Estimate, version: EstimateVersion) -> HttpResponse:
    with translation.override(estimate.client_language):
        content = pdf.render_estimate(estimate, version, previous_shared(version))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="estimate-{estimate.pk}-v{version.number}.pdf"'
    )
    return response


# --- the client's page -----------------------------------------------------------------


def _client_estimate(request: HttpRequest, token: str) -> Estimate:
    """The estimate behind the link, or 404; an address guessing links gets 404 for every
    link (even a right one) until its hour of failures has passed."""
    address = client_ip(request)
    if actions.is_guessing(address):
        raise Http404
    estimate = actions.estimate_for_link(token)
    if estimate is None:
        actions.record_guess(address)
        raise Http404
    return estimate


def _client_render(
    request: HttpRequest, estimate: Estimate, form: ClientAnswerForm | None = None
) -> HttpResponse:
    version = estimate.client_version()
    if version is None:
        raise Http404
    version = _version(estimate, version.number) or version
    with translation.override(estimate.client_language):
        shown = present(estimate, version, previous_shared(version))
        response = render(
            request,
            "estimates/client.html",
            {
                "estimate": estimate,
                "collective": estimate.collective,
                "shown": shown,
                "form": form or ClientAnswerForm(initial={"version": version.number}),
                "can_answer": estimate.state == EstimateState.SHARED and not estimate.is_expired(),
                "client_language": estimate.client_language,
            },
        )
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
def client_page(request: HttpRequest, token: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    return _client_render(request, _client_estimate(request, token))


@never_cache
def client_pdf(request: HttpRequest, token: str) -> HttpResponse:
    estimate = _client_estimate(request, token)
    version = estimate.client_version()
    if version is None:
        raise Http404
    response = _pdf_response(estimate, version)
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
def client_answer(request: HttpRequest, token: str) -> HttpResponse:
    estimate = _client_estimate(request, token)
    if request.method != "POST":
        return HttpResponse(status=405)
    form = ClientAnswerForm(request.POST)
    with translation.override(estimate.client_language):
        if form.is_valid():
            try:
                actions.do_decide_estimate(
                    estimate=estimate,
                    version_number=form.cleaned_data["version"],
                    accept=form.cleaned_data["answer"] == "accept",
                    message=form.cleaned_data["message"],
                )
            except (actions.EstimateError, ValidationError) as exc:
                form.add_error(None, str(exc) if isinstance(exc, actions.EstimateError) else exc)
            else:
                messages.success(
                    request,
                    _("Thank you. The collective has been told about your answer."),
                )
                return redirect("estimate_client:page", token)
    return _client_render(request, estimate, form)


# --- actual hours, calibration and accuracy ----------------------------------------------


def _accepted(collective: Collective, pk: int) -> tuple[Estimate, EstimateVersion]:
    estimate = _estimate(collective, pk)
    if estimate.state != EstimateState.ACCEPTED or estimate.decided_version_id is None:
        raise Http404
    version = EstimateVersion.objects.get(pk=estimate.decided_version_id)
    version.estimate = estimate
    return estimate, version


def _import_key(estimate: Estimate) -> str:
    return f"estimate-timesheet-{estimate.pk}"


@members_only_view()
def actuals(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    """The accepted version's packages against the hours they actually took; add hours by
    hand or from a time tracker's CSV, and end the project so it counts for calibration."""
    estimate, version = _accepted(collective, pk)
    packages = list(
        WorkPackage.objects.filter(version=version)
        .annotate(actual=Sum("actual_hours__hours"))
        .order_by("order", "pk")
    )
    posted = request.POST if request.method == "POST" else None
    form = ActualHoursForm(posted, packages=packages, prefix="hours")
    if posted is not None and form.is_valid():
        with refusal_onto(form, actions.EstimateError, ValidationError):
            actions.do_record_actual_hours(
                estimate=estimate, user=request_user(request), rows=[form.values()]
            )
            messages.success(request, _("The hours are saved."))
            return redirect("estimates:actuals", collective.slug, estimate.pk)
    outcome = calibration.project_outcome(
        key=estimate.pk,
        title=estimate.title,
        ended_on=timezone.localdate(),
        topics=(),
        packages=[
            calibration.PackageActual(
                package=p.as_input(), kind=p.kind, actual=getattr(p, "actual", None) or Decimal(0)
            )
            for p in packages
        ],
    )
    rows = (
        ActualHours.objects.of_estimate(estimate)
        .select_related("package")
        .order_by("-worked_on", "-pk")
    )
    return render(
        request,
        "estimates/actuals.html",
        {
            "collective": collective,
            "estimate": estimate,
            "version": version,
            "lines": [
                (p, part, accuracy.kind_label(p.kind))
                for p, part in zip(packages, outcome.packages, strict=True)
            ],
            "outcome": outcome,
            "rows": rows,
            "form": form,
            "upload": TimesheetUploadForm(),
            "ended": estimate.actuals_closed_at is not None,
        },
    )


@members_only_view(["POST"])
def actuals_delete(request: HttpRequest, collective: Collective, pk: int, row: int) -> HttpResponse:
    estimate, _version = _accepted(collective, pk)
    try:
        actions.do_delete_actual_hours(estimate=estimate, user=request_user(request), pk=row)
    except actions.EstimateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The hours are deleted."))
    return redirect("estimates:actuals", collective.slug, estimate.pk)


@members_only_view(["POST"])
def end_project(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    estimate, _version = _accepted(collective, pk)
    try:
        if request.POST.get("reopen"):
            actions.do_reopen_project(estimate=estimate, user=request_user(request))
            messages.success(request, _("The project is open again for hours."))
        else:
            actions.do_end_project(estimate=estimate, user=request_user(request))
            messages.success(request, _("The project has ended; it counts for calibration."))
    except actions.EstimateError as exc:
        messages.error(request, str(exc))
    return redirect("estimates:actuals", collective.slug, estimate.pk)


@members_only_view(["POST"])
def actuals_upload(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    """Read the file and keep it in the session for the preview; nothing is saved yet."""
    estimate, _version = _accepted(collective, pk)
    form = TimesheetUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("estimates:actuals", collective.slug, estimate.pk)
    data = form.cleaned_data["file"].read(timesheets.MAX_FILE_BYTES + 1)
    try:
        timesheets.read_table(data)
    except timesheets.TimesheetError as exc:
        messages.error(request, _(str(exc)))
        return redirect("estimates:actuals", collective.slug, estimate.pk)
    request.session[_import_key(estimate)] = timesheets.decode(data)
    return redirect("estimates:actuals_import", collective.slug, estimate.pk)


@members_only_view()
def actuals_import(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    """The preview: choose the columns, see every row with its package or its error, then
    save the rows that fit (or go back)."""
    estimate, version = _accepted(collective, pk)
    text = request.session.get(_import_key(estimate))
    if not isinstance(text, str):
        return redirect("estimates:actuals", collective.slug, estimate.pk)
    table = timesheets.read_table(text.encode("utf-8"))
    packages = dict(
        WorkPackage.objects.filter(version=version)
        .order_by("order", "pk")
        .values_list("pk", "name")
    )
    guessed = timesheets.guess_mapping(table.header)
    initial = {k: "" if v is None else str(v) for k, v in guessed.items()}
    posted = request.POST if request.method == "POST" else None
    mapping_form = TimesheetMappingForm(posted, header=table.header, initial=initial)
    if posted is None:
        mapping_form = TimesheetMappingForm(initial, header=table.header)
    rows: list[timesheets.TimesheetRow] = []
    problem = ""
    if posted is not None and "cancel" in posted:
        request.session.pop(_import_key(estimate), None)
        return redirect("estimates:actuals", collective.slug, estimate.pk)
    if mapping_form.is_valid():
        try:
            rows = timesheets.map_rows(table, mapping_form.mapping(), packages)
        except timesheets.TimesheetError as exc:
            problem = _(str(exc))
    usable = [r for r in rows if r.usable]
    if posted is not None and "confirm" in posted and usable and not problem:
        with refusal_onto(mapping_form, actions.EstimateError, ValidationError):
            actions.do_record_actual_hours(
                estimate=estimate,
                user=request_user(request),
                rows=[
                    actions.ActualValues(
                        package_id=r.package_id or 0,
                        hours=r.hours or Decimal(0),
                        worked_on=r.worked_on,
                        person=r.person,
                        note=r.note,
                    )
                    for r in usable
                ],
                source=HoursSource.IMPORTED,
            )
            request.session.pop(_import_key(estimate), None)
            messages.success(
                request,
                _("%(saved)d rows saved, %(skipped)d left out.")
                % {"saved": len(usable), "skipped": len(rows) - len(usable)},
            )
            return redirect("estimates:actuals", collective.slug, estimate.pk)
    return render(
        request,
        "estimates/actuals_import.html",
        {
            "collective": collective,
            "estimate": estimate,
            "form": mapping_form,
            "rows": [
                (r, packages.get(r.package_id or 0, ""), [_(e) for e in r.errors]) for r in rows
            ],
            "usable": len(usable),
            "problem": problem,
        },
    )


@members_only_view(["POST"])
def calibrate(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    """Apply the factor from past projects as a visible line, or take the line off."""
    estimate = _estimate(collective, pk)
    factor: Decimal | None = None
    note = ""
    if request.POST.get("apply"):
        hint = accuracy.hint_for(estimate)
        if hint is None:
            messages.error(request, _("There are not yet enough ended projects to calibrate."))
            return redirect(estimate)
        factor = hint.factor
        with translation.override(estimate.client_language):
            note = accuracy.hint_sentence(hint, for_client=True)
    try:
        actions.do_apply_calibration(
            estimate=estimate, user=request_user(request), factor=factor, note=note
        )
    except (actions.EstimateError, ValidationError) as exc:
        messages.error(
            request, str(exc) if isinstance(exc, actions.EstimateError) else exc.messages[0]
        )
        return redirect(estimate)
    if factor is None:
        return _post_action(request, estimate, _("The calibration line is taken off."))
    return _post_action(request, estimate, _("The calibration line is on the estimate."))


@members_only_view(["GET"])
def accuracy_page(request: HttpRequest, collective: Collective) -> HttpResponse:
    """How the collective's estimates compared with the hours projects took: over time, by
    topic and by package kind."""
    projects = accuracy.outcomes(collective)
    newest_first = list(reversed(projects))
    return render(
        request,
        "estimates/accuracy.html",
        {
            "collective": collective,
            "projects": newest_first,
            "overall": calibration.accuracy(projects),
            "chart": accuracy.ratio_chart_svg(projects) if projects else "",
            "topics": list(calibration.by_topic(projects).items()),
            "kinds": [
                (accuracy.kind_label(k), a) for k, a in calibration.by_kind(projects).items()
            ],
            "hint": calibration.hint(projects),
            "last": calibration.LAST_PROJECTS,
            "least": calibration.MIN_PROJECTS,
        },
    )
