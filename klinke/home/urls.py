from django.urls import path

from klinke.home import views

app_name = "home"
urlpatterns = [
    path("<slug:slug>/", views.first_steps, name="first_steps"),
    path("<slug:slug>/skip/<slug:step>/", views.skip_step, name="skip_step"),
    path("<slug:slug>/resume/<slug:step>/", views.resume_step, name="resume_step"),
]
