"""Under /collectives/<slug>/vouches/: the collective's slug is always the first argument."""

from django.urls import URLPattern, URLResolver, path

from klinke.vouches import views

app_name = "vouches"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("offer/", views.offer, name="offer"),
    path("ask/", views.ask, name="ask"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
