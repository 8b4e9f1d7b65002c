"""Under /collectives/<slug>/contacts/: the collective's slug is always the first argument."""

from django.urls import URLPattern, URLResolver, path

from klinke.contacts import views

app_name = "contacts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("new/", views.contact_create, name="create"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/edit/", views.contact_edit, name="edit"),
    path("<int:pk>/delete/", views.contact_delete, name="delete"),
    path("<int:pk>/merge/", views.contact_merge, name="merge"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("from-introduction/<int:pk>/", views.from_introduction, name="from_introduction"),
    path("organisations/", views.organisation_index, name="organisation_index"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/delete/", views.organisation_delete, name="organisation_delete"),
    path("import/", views.import_start, name="import"),
    path("import/<int:pk>/columns/", views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/preview/", views.import_preview, name="import_preview"),
    path("export.<str:file_format>", views.export, name="export"),
]
