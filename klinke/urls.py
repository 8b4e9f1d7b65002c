from django.contrib import admin
from django.urls import include, path

from klinke.api import api
from klinke.core import views as core_views
from klinke.home import views as home_views

admin.site.site_header = "klinke"
admin.site.site_title = "klinke"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("first-steps/", include("klinke.home.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("klinke.accounts.urls")),
    path("collectives/", include("klinke.collectives.urls")),
    path("supporters/", include("klinke.supporters.urls")),
    path("directory/", include("klinke.directory.urls")),
    path("exchange/", include("klinke.exchange.urls")),
    path("workshops/", include("klinke.workshops.urls")),
    path("knowledge/", include("klinke.knowledge.urls")),
    path("inquiries/", include("klinke.inquiries.urls")),
    path("murmurations/", include("klinke.network.urls")),
    # The acquisition workbench is private to each collective: everything sits under its slug.
    path("collectives/<slug:slug>/contacts/", include("klinke.contacts.urls")),
    path("collectives/<slug:slug>/workbench/", include("klinke.workbench.urls")),
    path("collectives/<slug:slug>/tenders/", include("klinke.tenders.urls")),
    path("collectives/<slug:slug>/rates/", include("klinke.rates.urls")),
    path("day-rate/", include("klinke.rates.public_urls")),
    path("collectives/<slug:slug>/estimates/", include("klinke.estimates.urls")),
    # A client's estimate behind its secret link (no login; see estimates/views.py).
    path("e/", include("klinke.estimates.client_urls")),
    path(
        "collectives/<slug:slug>/inquiries/",
        include("klinke.inquiries.collective_urls"),
    ),
    # Vouches: a collective's (members only) and a supporter's own.
    path("collectives/<slug:slug>/vouches/", include("klinke.vouches.urls")),
    path("vouches/", include("klinke.vouches.supporter_urls")),
    path("notifications/off/<str:token>/", core_views.notifications_off, name="notifications_off"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
