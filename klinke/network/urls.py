"""Under /murmurations/: the network's public Murmurations profiles (JSON)."""

from django.urls import URLPattern, URLResolver, path

from klinke.network import views

app_name = "murmurations"
urlpatterns: list[URLPattern | URLResolver] = [
    path("profiles.json", views.index, name="index"),
    path("collectives/<slug:slug>.json", views.collective, name="collective"),
    path("needs/<slug:ref>.json", views.need, name="need"),
    path("offers/<slug:ref>.json", views.offer, name="offer"),
]
