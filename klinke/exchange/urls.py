from django.urls import path

from klinke.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("needs/new/<slug:slug>/", views.need_create, name="need_create"),
    path("needs/<slug:ref>/", views.need_detail, name="need_detail"),
    path("needs/<slug:ref>/edit/", views.need_edit, name="need_edit"),
    path("needs/<slug:ref>/state/", views.need_state, name="need_state"),
    path("needs/<slug:ref>/renew/", views.need_renew, name="need_renew"),
    path(
        "needs/<slug:ref>/introductions/", views.request_introduction, name="request_introduction"
    ),
    path("offers/new/", views.offer_create, name="offer_create"),
    path("offers/new/<slug:slug>/", views.offer_create, name="collective_offer_create"),
    path("offers/<slug:ref>/", views.offer_detail, name="offer_detail"),
    path("offers/<slug:ref>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<slug:ref>/ask/", views.ask_offer, name="ask_offer"),
    path("supporters/<slug:slug>/ask/", views.ask_supporter, name="ask_supporter"),
    path("offers/<slug:ref>/state/", views.offer_state, name="offer_state"),
    path("offers/<slug:ref>/renew/", views.offer_renew, name="offer_renew"),
    path("renew/<str:token>/", views.renew_from_email, name="renew"),
    path("introductions/<int:pk>/", views.introduction_detail, name="introduction_detail"),
    path("introductions/<int:pk>/answer/", views.introduction_answer, name="introduction_answer"),
    path(
        "introductions/<int:pk>/withdraw/",
        views.introduction_withdraw,
        name="introduction_withdraw",
    ),
    path(
        "introductions/<int:pk>/complete/",
        views.introduction_complete,
        name="introduction_complete",
    ),
]
