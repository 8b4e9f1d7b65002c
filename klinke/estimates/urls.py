"""Under /collectives/<slug>/estimates/: the collective's slug is always the first argument."""

from django.urls import URLPattern, URLResolver, path

from klinke.estimates import views

app_name = "estimates"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("accuracy/", views.accuracy_page, name="accuracy"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/content/", views.content, name="content"),
    path("<int:pk>/share/", views.share, name="share"),
    path("<int:pk>/link/renew/", views.renew_link, name="renew_link"),
    path("<int:pk>/link/revoke/", views.revoke_link, name="revoke_link"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/pdf/", views.pdf_download, name="pdf"),
    path("<int:pk>/en16931.xml", views.invoice_xml, name="invoice_xml"),
    path("<int:pk>/calibrate/", views.calibrate, name="calibrate"),
    path("<int:pk>/actuals/", views.actuals, name="actuals"),
    path("<int:pk>/actuals/<int:row>/delete/", views.actuals_delete, name="actuals_delete"),
    path("<int:pk>/actuals/end/", views.end_project, name="end_project"),
    path("<int:pk>/actuals/upload/", views.actuals_upload, name="actuals_upload"),
    path("<int:pk>/actuals/import/", views.actuals_import, name="actuals_import"),
]
