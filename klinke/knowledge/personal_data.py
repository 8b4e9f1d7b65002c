"""A person's articles, revisions, questions and answers: exported with their data. On deletion
what they wrote stays with the network under "former member"; their digests go."""

from __future__ import annotations

from typing import TYPE_CHECKING

from klinke.core.personal_data import ExportFile, PersonalData, rows
from klinke.knowledge.models import (
    Answer,
    Article,
    ArticleRevision,
    Question,
    QuestionDigest,
    QuestionRecipient,
)

if TYPE_CHECKING:
    from klinke.accounts.models import User


def export(user: User) -> list[ExportFile]:
    return [
        ExportFile(
            name="articles",
            about_en="Articles you wrote.",
            about_de="Artikel, die du geschrieben hast.",
            content=rows(
                Article.objects.filter(author=user).order_by("created_at"),
                "title",
                "slug",
                "language",
                "kind",
                "summary",
                "body",
                "visibility",
                "created_at",
                "updated_at",
            ),
        ),
        ExportFile(
            name="article_revisions",
            about_en="Revisions of articles you made.",
            about_de="Überarbeitungen von Artikeln, die du gemacht hast.",
            content=rows(
                ArticleRevision.objects.filter(author=user).order_by("created_at"),
                "article__slug",
                "number",
                "title",
                "body",
                "note",
                "created_at",
            ),
        ),
        ExportFile(
            name="questions",
            about_en="Questions you asked.",
            about_de="Fragen, die du gestellt hast.",
            content=rows(
                Question.objects.filter(asker=user).order_by("created_at"),
                "title",
                "body",
                "visibility",
                "created_at",
            ),
        ),
        ExportFile(
            name="answers",
            about_en="Answers you gave to questions.",
            about_de="Antworten, die du auf Fragen gegeben hast.",
            content=rows(
                Answer.objects.filter(author=user).order_by("created_at"),
                "question__title",
                "body",
                "created_at",
                "updated_at",
            ),
        ),
        ExportFile(
            name="question_digests",
            about_en="Questions klinke suggested to you by email because they fit you.",
            about_de="Fragen, die klinke dir per E-Mail vorgeschlagen hat, weil sie zu dir passen.",
            content=rows(
                QuestionRecipient.objects.filter(user=user).order_by("created_at"),
                "question__title",
                "score",
                "created_at",
            )
            + rows(
                QuestionDigest.objects.filter(user=user).order_by("created_at"),
                "created_at",
                "delivered",
                "question_count",
            ),
        ),
    ]


def erase(user: User) -> None:
    QuestionRecipient.objects.filter(user=user).delete()
    QuestionDigest.objects.filter(user=user).delete()


PERSONAL_DATA = PersonalData(
    app_label="knowledge",
    covers=(
        "knowledge.Article.author",
        "knowledge.ArticleRevision.author",
        "knowledge.Question.asker",
        "knowledge.Answer.author",
        "knowledge.QuestionDigest.user",
        "knowledge.QuestionRecipient.user",
    ),
    export=export,
    erase=erase,
)
