from django.urls import path

from klinke.inquiries import views

app_name = "inquiries"

urlpatterns = [
    path("", views.start, name="start"),
    path("sent/", views.sent, name="sent"),
    path("how-they-are-shared/", views.rules, name="rules"),
    path("status/<str:token>/", views.status, name="status"),
    path("unmet/", views.stewards, name="stewards"),
]
