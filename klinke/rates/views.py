"""Pages of the day-rate calculator under /collectives/<slug>/rates/, members only (404 for
everyone else), and one public page under /day-rate/ that says what the calculator does."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from klinke.accounts import request_user
from klinke.collectives.access import members_only_view
from klinke.collectives.models import Collective
from klinke.core.forms import refusal_onto
from klinke.core.htmx import HtmxHttpRequest
from klinke.core.languages import interface_language
from klinke.core.submissions import once_per_submission
from klinke.rates import actions, calculation
from klinke.rates.explanation import LANGUAGES, chart_svg, explain
from klinke.rates.forms import DayRateForm
from klinke.rates.models import DayRate


def _language() -> str:
    language = interface_language()
    return language if language in LANGUAGES else "de"


def result_context(result: calculation.RateResult) -> dict[str, object]:
    """The explanation in the page's language, the other language for clients who speak it,
    and the chart."""
    language = _language()
    explanation = explain(result, language)
    other = explain(result, "en" if language == "de" else "de")
    return {
        "result": result,
        "explanation": explanation,
        "other_explanation": other,
        "chart": chart_svg(explanation),
    }


@members_only_view(["GET"])
def index(request: HttpRequest, collective: Collective) -> HttpResponse:
    current = DayRate.objects.current_for(collective)
    context: dict[str, object] = {"collective": collective, "day_rate": current}
    if current is not None:
        context |= result_context(current.result())
    return render(request, "rates/index.html", context)


@members_only_view()
@once_per_submission
def edit(request: HtmxHttpRequest, collective: Collective) -> HttpResponse:
    """The calculator: "Calculate" shows the result without saving (htmx does so on every
    change), "Save as new version" adds a version."""
    current = DayRate.objects.current_for(collective)
    initial = None
    if current is not None:
        initial = {name: getattr(current, name) for name in DayRateForm.Meta.fields}
        initial["change_note"] = ""
    form = DayRateForm(request.POST or None, initial=initial)
    saving = request.method == "POST" and "save" in request.POST and not request.htmx
    if request.method == "POST" and form.is_valid() and saving:
        with refusal_onto(form, actions.RatesError):
            day_rate = actions.do_save_day_rate(
                collective=collective,
                user=request_user(request),
                values=form.values(),
                change_note=form.cleaned_data["change_note"],
            )
            messages.success(
                request,
                _("Version %(number)s of your day rate is saved.") % {"number": day_rate.number},
            )
            return redirect("rates:index", collective.slug)
    context: dict[str, object] = {"collective": collective, "form": form, "current": current}
    if form.is_bound and form.result is not None:
        context |= result_context(form.result)
    elif not form.is_bound and current is not None:
        context |= result_context(current.result())
    if request.htmx:
        return render(request, "rates/_result.html", context)
    return render(request, "rates/edit.html", context)


@members_only_view(["GET"])
def history(request: HttpRequest, collective: Collective) -> HttpResponse:
    versions = [
        (version, version.result())
        for version in DayRate.objects.of(collective).select_related("created_by")
    ]
    return render(request, "rates/history.html", {"collective": collective, "versions": versions})


@members_only_view(["GET"])
def version(request: HttpRequest, collective: Collective, pk: int) -> HttpResponse:
    day_rate = get_object_or_404(DayRate.objects.of(collective).select_related("created_by"), pk=pk)
    latest = DayRate.objects.current_for(collective)
    context: dict[str, object] = {
        "collective": collective,
        "day_rate": day_rate,
        "is_current": latest is not None and latest.pk == day_rate.pk,
    }
    context |= result_context(day_rate.result())
    return render(request, "rates/version.html", context)


EXAMPLE = calculation.RateInputs.for_members(
    3,
    Decimal("2600"),
    fixed_costs_per_month=Decimal("1500"),
)
"""The public page's example: three members who each need 2,600 € net, 1,500 € fixed costs a
month, every other input at its German default."""


def about(request: HttpRequest) -> HttpResponse:
    """Public: what the calculator does, an example, and the way to one's own collective's."""
    own = []
    if request.user.is_authenticated:
        own = list(
            Collective.objects.filter(memberships__user=request_user(request)).order_by("name")
        )
    context: dict[str, object] = {
        "collectives": own,
        "defaults": {
            "social": calculation.DEFAULT_SOCIAL_CONTRIBUTIONS_PERCENT,
            "taxes": calculation.DEFAULT_TAXES_PERCENT,
            "billable": calculation.DEFAULT_BILLABLE_PERCENT,
            "working_days": calculation.DEFAULT_WORKING_DAYS,
            "holidays": calculation.DEFAULT_HOLIDAYS,
            "sick_days": calculation.DEFAULT_SICK_DAYS,
        },
    }
    context |= result_context(calculation.calculate(EXAMPLE))
    return render(request, "rates/about.html", context)
