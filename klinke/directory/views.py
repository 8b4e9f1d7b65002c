from django.http import HttpResponse
from django.shortcuts import render

from klinke.core.htmx import HtmxHttpRequest
from klinke.directory.forms import DirectoryFilterForm
from klinke.directory.search import DirectoryQuery


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
