"""A second URLconf for klinke.core.tests.test_url_memo: `home` lives elsewhere here."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/", lambda request: HttpResponse(), name="home")]
