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
    path("entries/<int:pk>/consortium/", views.consortium_start, name="entry_consortium"),
    path("consortia/", views.consortium_list, name="consortia"),
    path("consortia/<int:pk>/", views.consortium_detail, name="consortium_detail"),
    path("consortia/<int:pk>/invite/", views.consortium_invite, name="consortium_invite"),
    path("consortia/<int:pk>/answer/", views.consortium_answer, name="consortium_answer"),
    path("consortia/<int:pk>/part/", views.consortium_part, name="consortium_part"),
    path("consortia/<int:pk>/leave/", views.consortium_leave, name="consortium_leave"),
    path("consortia/<int:pk>/state/", views.consortium_state, name="consortium_state"),
]
