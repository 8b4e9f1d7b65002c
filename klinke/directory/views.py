from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from klinke.collectives.models import Collective
from klinke.core.counts import cached_count
from klinke.core.htmx import HtmxHttpRequest
from klinke.directory.forms import DirectoryFilterForm
from klinke.directory.search import DirectoryQuery
from klinke.supporters.models import Supporter


def index(request: HtmxHttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    query = DirectoryQuery()
    if form.is_valid():
        data = form.cleaned_data
        query = DirectoryQuery(
            text=data["q"],
            topic=data["topic"],
            region=data["region"],
            language=data["language"],
            kind=data["kind"],
        )
    page = query.page(request.user, request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"form": form, "page": page, "query_string": params.urlencode()}
    template = "directory/results.html" if request.htmx else "directory/index.html"
    return render(request, template, context)


def home(request: HttpRequest) -> HttpResponse:
    """The front page: how big the directory is, its newest collectives, and mine."""
    collectives = Collective.objects.active().visible_to(request.user)
    supporters = Supporter.objects.visible_to(request.user)
    my_collectives = (
        Collective.objects.active().of_member(request.user).annotate(n=Count("memberships"))
    )
    return render(
        request,
        "directory/home.html",
        {
            "collective_count": cached_count(collectives),
            "supporter_count": cached_count(supporters),
            "recent_collectives": collectives.order_by("-created_at")[:6],
            "my_collectives": my_collectives,
        },
    )
