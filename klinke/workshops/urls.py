from django.urls import URLPattern, URLResolver

app_name = "workshops"
urlpatterns: list[URLPattern | URLResolver] = []
