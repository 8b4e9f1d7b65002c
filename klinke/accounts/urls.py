from django.urls import path

from klinke.accounts import views

app_name = "accounts"
urlpatterns = [
    path("settings/", views.account_settings, name="settings"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_api_token, name="revoke_api_token"),
    path("data/", views.personal_data, name="personal_data"),
    path("data/<int:pk>/download/", views.export_download, name="export_download"),
    path("delete/", views.delete_account, name="delete_account"),
]
