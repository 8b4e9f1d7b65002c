"""Under /collectives/<slug>/rates/: the collective's slug is always the first argument."""

from django.urls import URLPattern, URLResolver, path

from klinke.rates import views

app_name = "rates"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("calculator/", views.edit, name="edit"),
    path("history/", views.history, name="history"),
    path("versions/<int:pk>/", views.version, name="version"),
]
