"""Pages of estimates: the members' pages under /collectives/<slug>/estimates/ (404 for
everyone else, as everywhere in a collective's private area) and the client's page behind
its secret link under /e/<secret>/ (read-only, in the client's language, no login)."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from klinke.accounts import request_user
from klinke.collectives.access import members_only_view
from klinke.collectives.models import Collective
from klinke.core.client_address import client_ip
from klinke.core.forms import refusal_onto
from klinke.core.submissions import once_per_submission
from klinke.estimates import actions, einvoice, pdf
from klinke.estimates.forms import (
    ClientAnswerForm,
    EstimateForm,
    PackageFormSet,
    StartForm,
    VersionForm,
)
from klinke.estimates.models import Estimate, EstimateState, EstimateVersion, WorkPackage
from klinke.estimates.presenting import present, previous_shared
from klinke.estimates.starters import STARTERS
from klinke.workbench.models import Lead


def _language() -> str:
    return (get_language() or "de")[:2]


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
        },
    )


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
