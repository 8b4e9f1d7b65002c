"""Under /vouches/: a supporter's own vouches (404 for anyone without a supporter profile)."""

from django.urls import URLPattern, URLResolver, path

from klinke.vouches import views

app_name = "supporter_vouches"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.supporter_index, name="index"),
    path("offer/", views.supporter_offer, name="offer"),
    path("<int:pk>/confirm/", views.supporter_confirm, name="confirm"),
    path("<int:pk>/withdraw/", views.supporter_withdraw, name="withdraw"),
]
