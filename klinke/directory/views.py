from django.http import HttpResponse
from django.shortcuts import render

from klinke.core import fragments
from klinke.core.htmx import HtmxHttpRequest
from klinke.core.models import is_network_member
from klinke.directory.forms import DirectoryFilterForm
from klinke.directory.search import DirectoryQuery


def index(request: HtmxHttpRequest) -> HttpResponse:
    # The filters and results show the same to everyone of an audience (the public, or the
    # network's members), so they are kept for the next visitor (klinke.core.fragments).
    member = is_network_member(request.user)
    params = fragments.query_values(request.GET)
    template = "directory/results.html" if request.htmx else "directory/_body.html"

    def build() -> str:
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
        rest = request.GET.copy()
        rest.pop("page", None)
        context = {"form": form, "page": page, "query_string": rest.urlencode()}
        return fragments.render_part(template, context)

    body = fragments.kept(template, (member, params), build)
    if request.htmx:
        return HttpResponse(body)
    return render(request, "directory/index.html", {"body": body})
