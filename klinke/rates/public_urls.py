"""Under /day-rate/: the public page about the calculator, linked from pricing articles."""

from django.urls import URLPattern, URLResolver, path

from klinke.rates import views

app_name = "rates_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.about, name="about"),
]
