from django.urls import URLPattern, URLResolver, path

from klinke.knowledge import views

app_name = "knowledge"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("articles/new/", views.article_create, name="article_create"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
    path("articles/<slug:slug>/edit/", views.article_edit, name="article_edit"),
    path("articles/<slug:slug>/history/", views.article_history, name="article_history"),
    path(
        "articles/<slug:slug>/history/<int:number>/",
        views.article_revision,
        name="article_revision",
    ),
    path(
        "articles/<slug:slug>/history/<int:number>/restore/",
        views.article_revert,
        name="article_revert",
    ),
    path("preview/", views.preview, name="preview"),
    path("questions/", views.question_list, name="question_list"),
    path("questions/new/", views.question_create, name="question_create"),
    path("questions/<int:pk>/", views.question_detail, name="question_detail"),
    path("questions/<int:pk>/answers/", views.answer_create, name="answer_create"),
    path("questions/<int:pk>/accept/", views.answer_accept, name="answer_accept"),
    path("questions/<int:pk>/article/", views.question_to_article, name="question_to_article"),
    path("answers/<int:pk>/edit/", views.answer_edit, name="answer_edit"),
]
