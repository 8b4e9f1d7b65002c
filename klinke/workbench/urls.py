"""Under /collectives/<slug>/workbench/: the collective's slug is always the first argument."""

from django.urls import URLPattern, URLResolver, path

from klinke.workbench import views

app_name = "workbench"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/move/", views.lead_move, name="lead_move"),
    path("leads/<int:pk>/close/", views.lead_close, name="lead_close"),
    path("leads/<int:pk>/activities/", views.activity_create, name="activity_create"),
    path("leads/<int:pk>/override/", views.screening_override, name="screening_override"),
    path("leads/<int:pk>/refer/", views.lead_refer, name="lead_refer"),
    path("summary/", views.pipeline_summary, name="summary"),
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/new/", views.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/respond/", views.decision_respond, name="decision_respond"),
    path("decisions/<int:pk>/comments/", views.decision_comment, name="decision_comment"),
    path(
        "decisions/<int:pk>/comments/<int:comment_pk>/edit/",
        views.decision_comment_edit,
        name="decision_comment_edit",
    ),
    path(
        "decisions/<int:pk>/comments/<int:comment_pk>/delete/",
        views.decision_comment_delete,
        name="decision_comment_delete",
    ),
    path("red-lines/", views.red_lines, name="red_lines"),
    path("red-lines/<int:pk>/edit/", views.red_line_edit, name="red_line_edit"),
    path("red-lines/<int:pk>/delete/", views.red_line_delete, name="red_line_delete"),
    path("referrals/", views.referrals, name="referrals"),
    # For network stewards: ignores the slug's membership and requires the steward role.
    path("referrals/totals/", views.referral_totals, name="referral_totals"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/answer/", views.referral_answer, name="referral_answer"),
    path("referrals/<int:pk>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("settings/", views.workbench_settings, name="settings"),
    path("data/", views.data, name="data"),
    path("data/export.zip", views.data_export, name="data_export"),
]
