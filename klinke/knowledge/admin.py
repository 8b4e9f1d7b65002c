"""Admin for the knowledge base. Texts are edited on the site, where every change becomes a
revision; here stewards see the history and can hide an article or question from outsiders."""

from django.contrib import admin
from django.http import HttpRequest

from klinke.knowledge.models import Answer, Article, ArticleRevision, Question


class RevisionInline(admin.TabularInline[ArticleRevision, Article]):
    model = ArticleRevision
    fields = ["number", "created_at", "author", "note"]
    readonly_fields = ["number", "created_at", "author", "note"]
    extra = 0
    can_delete = False
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = [
        "title",
        "language",
        "kind",
        "visibility",
        "author",
        "revision",
        "updated_at",
        "is_demo",
    ]
    list_filter = ["language", "kind", "visibility", "is_demo", "topics"]
    search_fields = ["title", "slug", "summary"]
    fields = [
        "title", "slug", "language", "kind", "visibility", "summary", "topics", "author",
        "translation", "is_demo", "revision", "created_at", "updated_at", "body",
    ]  # fmt: skip
    readonly_fields = [
        "title", "slug", "language", "kind", "summary", "topics", "author", "translation",
        "revision", "created_at", "updated_at", "body",
    ]  # fmt: skip
    inlines = [RevisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class AnswerInline(admin.StackedInline[Answer, Question]):
    model = Answer
    fields = ["author", "created_at", "body"]
    readonly_fields = ["author", "created_at", "body"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = ["title", "asker", "visibility", "created_at", "matched_at", "is_demo"]
    list_filter = ["visibility", "is_demo", "topics"]
    search_fields = ["title"]
    fields = [
        "title",
        "asker",
        "visibility",
        "topics",
        "accepted_answer",
        "article",
        "body",
        "is_demo",
    ]
    readonly_fields = ["title", "asker", "topics", "accepted_answer", "article", "body"]
    inlines = [AnswerInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
