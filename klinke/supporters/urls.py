from django.urls import path

from klinke.supporters import views

app_name = "supporters"
urlpatterns = [
    path("me/", views.edit_own, name="edit_own"),
    path("<slug:slug>/", views.detail, name="detail"),
]
