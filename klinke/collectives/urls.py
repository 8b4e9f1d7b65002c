from django.urls import path

from klinke.collectives import views

app_name = "collectives"
urlpatterns = [
    path("new/", views.create, name="create"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/archive/", views.archive, name="archive"),
    path("<slug:slug>/delete/", views.delete, name="delete"),
]
