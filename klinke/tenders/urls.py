"""Under /collectives/<slug>/tenders/: the collective's slug is always the first argument."""

from django.urls import URLPattern, URLResolver, path

from klinke.tenders import views

app_name = "tenders"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox, name="inbox"),
    path("profile/", views.profile_edit, name="profile"),
    path("entries/<int:pk>/dismiss/", views.entry_dismiss, name="entry_dismiss"),
    path("entries/<int:pk>/restore/", views.entry_restore, name="entry_restore"),
    path("entries/<int:pk>/lead/", views.entry_lead, name="entry_lead"),
    path("entries/<int:pk>/override/", views.entry_override, name="entry_override"),
]
