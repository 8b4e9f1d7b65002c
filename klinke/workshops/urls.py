from django.urls import URLPattern, URLResolver, path

from klinke.workshops import views

app_name = "workshops"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("ideas/", views.idea_list, name="idea_list"),
    path("ideas/new/", views.idea_create, name="idea_create"),
    path("ideas/<int:pk>/", views.idea_detail, name="idea_detail"),
    path("ideas/<int:pk>/edit/", views.idea_edit, name="idea_edit"),
    path("ideas/<int:pk>/interest/", views.idea_interest, name="idea_interest"),
    path("ideas/<int:pk>/interest/withdraw/", views.idea_withdraw, name="idea_withdraw"),
    path("ideas/<int:pk>/state/", views.idea_state, name="idea_state"),
    path("ideas/<int:pk>/schedule/", views.idea_schedule, name="idea_schedule"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<int:pk>/register/", views.event_register, name="event_register"),
    path("events/<int:pk>/unregister/", views.event_unregister, name="event_unregister"),
    path("events/<int:pk>/attendees/", views.event_attendees, name="event_attendees"),
    path("events/<int:pk>/message/", views.event_message, name="event_message"),
    path("events/<int:pk>/hosts/", views.event_add_host, name="event_add_host"),
    path(
        "events/<int:pk>/hosts/<int:user_pk>/remove/",
        views.event_remove_host,
        name="event_remove_host",
    ),
    path("events/<int:pk>/follow-up/", views.event_follow_up, name="event_follow_up"),
    path("events/<int:pk>/materials/", views.material_upload, name="material_upload"),
    path("events/<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("materials/<int:pk>/", views.material_download, name="material_download"),
    path("materials/<int:pk>/delete/", views.material_delete, name="material_delete"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/public.ics", views.public_feed, name="public_feed"),
    path("calendar/<str:token>.ics", views.personal_feed, name="personal_feed"),
]
