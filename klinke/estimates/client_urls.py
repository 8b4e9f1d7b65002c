"""Under /e/<secret>/: the client's read-only page of one estimate, with no login."""

from django.urls import URLPattern, URLResolver, path

from klinke.estimates import views

app_name = "estimate_client"
urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:token>/", views.client_page, name="page"),
    path("<str:token>/pdf/", views.client_pdf, name="pdf"),
    path("<str:token>/answer/", views.client_answer, name="answer"),
]
