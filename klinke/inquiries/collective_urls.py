from django.urls import path

from klinke.inquiries import views

app_name = "collective_inquiries"

urlpatterns = [
    path("", views.offers, name="list"),
    path("<int:pk>/", views.offer_detail, name="detail"),
    path("settings/", views.inquiry_settings, name="settings"),
]
