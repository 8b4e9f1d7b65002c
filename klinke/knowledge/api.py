"""JSON API of the knowledge base and the Q&A, with the same permissions as its pages.

Members-only articles and questions answer 404 to everyone outside the network; writing needs
a login (401 otherwise) and network membership (403); only the asker accepts an answer (403).
Input the rules refuse answers 422 with the reason; an edit based on an outdated revision 409.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from klinke.accounts import request_user
from klinke.accounts.api_auth import TokenOrSessionRequired
from klinke.core.api_pagination import Pagination
from klinke.core.api_schemas import InputSchema, ResolverContext, answers
from klinke.core.models import Visibility
from klinke.knowledge import actions
from klinke.knowledge.actions import Unchanged
from klinke.knowledge.diffs import diff_texts
from klinke.knowledge.models import (
    Answer,
    Article,
    ArticleKind,
    ArticleLanguage,
    ArticleQuerySet,
    ArticleRevision,
    Question,
    QuestionQuerySet,
)
from klinke.topics.models import Topic

router = Router(tags=["knowledge"])


def _slug_if_visible(target: Article | None, context: ResolverContext) -> str | None:
    """The slug of a linked article the caller may see, else None (as the HTML page hides it)."""
    request = (context or {}).get("request")
    if target is None or not isinstance(request, HttpRequest):
        return None
    return target.slug if target.is_visible_to(request.user) else None


login = TokenOrSessionRequired()


# --- schemas -------------------------------------------------------------------------------


class ArticleSummaryOut(Schema):
    slug: str
    title: str
    summary: str
    language: str
    kind: str
    visibility: str
    topics: list[str]
    author: str | None
    translation: str | None
    revision: int
    is_demo: bool
    updated_at: datetime
    url: str

    @staticmethod
    def resolve_topics(obj: Article) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    @staticmethod
    def resolve_author(obj: Article) -> str | None:
        return obj.author.display_name if obj.author else None

    @staticmethod
    def resolve_translation(obj: Article, context: ResolverContext) -> str | None:
        return _slug_if_visible(obj.translation, context)

    @staticmethod
    def resolve_url(obj: Article) -> str:
        return obj.get_absolute_url()


class ArticleOut(ArticleSummaryOut):
    body: str
    """The Markdown source."""
    body_html: str
    """Rendered and sanitised; safe to insert into a page."""
    created_at: datetime


class ArticleIn(InputSchema):
    title: str
    body: str
    language: str
    kind: str = ArticleKind.ARTICLE
    visibility: str = Visibility.MEMBERS
    topics: list[str] = []
    summary: str = ""
    slug: str = ""
    translation: str | None = None
    """Slug of the same article in the other language; the link is made both ways."""


class ArticleUpdateIn(InputSchema):
    base_revision: int | None = None
    """The revision your edit starts from; when someone saved since, the answer is 409."""
    title: str | None = None
    body: str | None = None
    language: str | None = None
    kind: str | None = None
    visibility: str | None = None
    topics: list[str] | None = None
    summary: str | None = None
    translation: str | None = None
    """Slug of the same article in the other language, linked both ways; null unlinks,
    left out keeps the link."""
    note: str = ""


class RevisionOut(Schema):
    number: int
    title: str
    note: str
    author: str | None
    created_at: datetime
    restores: int | None

    @staticmethod
    def resolve_author(obj: ArticleRevision) -> str | None:
        return obj.author.display_name if obj.author else None

    @staticmethod
    def resolve_restores(obj: ArticleRevision) -> int | None:
        return obj.reverted_from.number if obj.reverted_from else None


class RevisionDetailOut(Schema):
    number: int
    title: str
    note: str
    author: str | None
    created_at: datetime
    restores: int | None
    body: str
    diff: list[str]
    """Changed lines against the previous revision, each starting with "+", "-" or " "."""


class RestoreIn(InputSchema):
    note: str = ""


class AnswerOut(Schema):
    id: int
    body: str
    body_html: str
    author: str | None
    accepted: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_author(obj: Answer) -> str | None:
        return obj.author.display_name if obj.author else None

    @staticmethod
    def resolve_accepted(obj: Answer) -> bool:
        return obj.is_accepted


class QuestionSummaryOut(Schema):
    id: int
    title: str
    visibility: str
    topics: list[str]
    asker: str | None
    answer_count: int
    accepted_answer: int | None
    article: str | None
    is_demo: bool
    created_at: datetime
    url: str

    @staticmethod
    def resolve_topics(obj: Question) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    @staticmethod
    def resolve_asker(obj: Question) -> str | None:
        return obj.asker.display_name if obj.asker else None

    @staticmethod
    def resolve_accepted_answer(obj: Question) -> int | None:
        return obj.accepted_answer_id

    @staticmethod
    def resolve_answer_count(obj: Question) -> int:
        count = getattr(obj, "answer_count", None)
        return int(count) if count is not None else obj.answers.count()

    @staticmethod
    def resolve_article(obj: Question, context: ResolverContext) -> str | None:
        return _slug_if_visible(obj.article, context)

    @staticmethod
    def resolve_url(obj: Question) -> str:
        return obj.get_absolute_url()


class QuestionOut(QuestionSummaryOut):
    body: str
    body_html: str
    answers: list[AnswerOut]

    @staticmethod
    def resolve_answers(obj: Question) -> list[Answer]:
        answers = list(obj.answers.select_related("author"))
        for answer in answers:
            answer.question = obj
        return answers


class QuestionIn(InputSchema):
    title: str
    body: str = ""
    topics: list[str]
    visibility: str = Visibility.MEMBERS


class AnswerIn(InputSchema):
    body: str


class AcceptIn(InputSchema):
    answer: int | None
    """The answer that helped, or null to unmark."""


class QuestionToArticleIn(InputSchema):
    title: str = ""
    language: str = ""
    visibility: str = ""


# --- helpers -------------------------------------------------------------------------------


def _articles(request: HttpRequest) -> ArticleQuerySet:
    return (
        Article.objects.visible_to(request.user)
        .select_related("author", "translation")
        .prefetch_related("topics")
    )


def _article(request: HttpRequest, slug: str) -> Article:
    article: Article = get_object_or_404(_articles(request), slug=slug)
    return article


def _questions(request: HttpRequest) -> QuestionQuerySet:
    return (
        Question.objects.visible_to(request.user)
        .select_related("asker", "article")
        .prefetch_related("topics")
        .annotate(answer_count=Count("answers"))
    )


def _question(request: HttpRequest, pk: int) -> Question:
    question: Question = get_object_or_404(_questions(request), pk=pk)
    return question


def _refused(exc: actions.KnowledgeError) -> HttpError:
    if isinstance(exc, actions.NotAllowed):
        return HttpError(403, str(exc))
    if isinstance(exc, actions.EditConflict):
        return HttpError(409, str(exc))
    return HttpError(422, str(exc))


def _topics(slugs: list[str]) -> list[Topic]:
    try:
        return actions.topics_from_slugs(slugs)
    except actions.KnowledgeError as exc:
        raise HttpError(422, str(exc)) from exc


# --- articles ------------------------------------------------------------------------------


@router.get("/articles", response=answers(list[ArticleSummaryOut], 401, 422))
@paginate(Pagination)
def list_articles(
    request: HttpRequest, q: str = "", topic: str = "", language: str = "", kind: str = ""
) -> QuerySet[Article]:
    """Articles you may see; with `q`, those answering every word, best title hits first."""
    if language and language not in ArticleLanguage.values:
        raise HttpError(422, "language: use “de” or “en”.")
    articles = _articles(request).in_language(language).about([topic] if topic else [])
    if kind:
        articles = articles.filter(kind=kind)
    return articles.search(q)


@router.get("/articles/{slug}", response=answers(ArticleOut, 401, 404, 422))
def get_article(request: HttpRequest, slug: str) -> Article:
    return _article(request, slug)


@router.post(
    "/articles", response=answers(ArticleOut, 401, 403, 404, 409, 422, status=201), auth=login
)
def create_article(request: HttpRequest, payload: ArticleIn) -> Status[Article]:
    user = request_user(request)
    translation_of = None
    if payload.translation:
        translation_of = _article(request, payload.translation)
    try:
        article = actions.do_create_article(
            author=user,
            title=payload.title,
            body=payload.body,
            language=payload.language,
            kind=payload.kind,
            visibility=payload.visibility,
            topics=_topics(payload.topics),
            summary=payload.summary,
            slug=payload.slug,
            translation_of=translation_of,
        )
    except actions.KnowledgeError as exc:
        raise _refused(exc) from exc
    return Status(201, _article(request, article.slug))


def _translation(request: HttpRequest, payload: ArticleUpdateIn) -> Article | Unchanged | None:
    """The article the payload names as translation, looked up as the edit page does."""
    if "translation" not in payload.model_fields_set:
        return actions.UNCHANGED
    if payload.translation is None:
        return None
    other: Article | None = _articles(request).filter(slug=payload.translation).first()
    if other is None:
        raise HttpError(422, "translation: no such article")
    return other


def _update(request: HttpRequest, slug: str, payload: ArticleUpdateIn) -> Article:
    user = request_user(request)
    article = _article(request, slug)
    try:
        actions.do_edit_article(
            article_id=article.pk,
            user=user,
            base_revision=payload.base_revision,
            title=article.title if payload.title is None else payload.title,
            body=article.body if payload.body is None else payload.body,
            language=payload.language,
            kind=payload.kind,
            visibility=payload.visibility,
            topics=None if payload.topics is None else _topics(payload.topics),
            summary=payload.summary,
            translation=_translation(request, payload),
            note=payload.note,
        )
    except actions.KnowledgeError as exc:
        raise _refused(exc) from exc
    return get_object_or_404(_articles(request), pk=article.pk)


@router.patch("/articles/{slug}", response=answers(ArticleOut, 401, 403, 404, 409, 422), auth=login)
def update_article(request: HttpRequest, slug: str, payload: ArticleUpdateIn) -> Article:
    """Change some fields; every change is a new revision. Any network member may edit."""
    return _update(request, slug, payload)


@router.put("/articles/{slug}", response=answers(ArticleOut, 401, 403, 404, 409, 422), auth=login)
def replace_article(request: HttpRequest, slug: str, payload: ArticleUpdateIn) -> Article:
    return _update(request, slug, payload)


@router.get("/articles/{slug}/revisions", response=answers(list[RevisionOut], 401, 404, 422))
@paginate(Pagination)
def list_revisions(request: HttpRequest, slug: str) -> QuerySet[ArticleRevision]:
    article = _article(request, slug)
    return article.revisions.select_related("author", "reverted_from").order_by("-number")


@router.get(
    "/articles/{slug}/revisions/{number}", response=answers(RevisionDetailOut, 401, 404, 422)
)
def get_revision(request: HttpRequest, slug: str, number: int) -> RevisionDetailOut:
    article = _article(request, slug)
    revision = get_object_or_404(
        article.revisions.select_related("author", "reverted_from"), number=number
    )
    previous = article.revisions.filter(number=number - 1).first()
    diff = diff_texts(previous.body if previous else "", revision.body)
    marks = {"added": "+", "removed": "-", "same": " ", "hunk": ""}
    return RevisionDetailOut(
        number=revision.number,
        title=revision.title,
        note=revision.note,
        author=revision.author.display_name if revision.author else None,
        created_at=revision.created_at,
        restores=revision.reverted_from.number if revision.reverted_from else None,
        body=revision.body,
        diff=[marks[line.kind] + line.text for line in diff.lines],
    )


@router.post(
    "/articles/{slug}/revisions/{number}/restore",
    response=answers(ArticleOut, 401, 403, 404, 409, 422),
    auth=login,
)
def restore_revision(request: HttpRequest, slug: str, number: int, payload: RestoreIn) -> Article:
    """Make an old revision's text current again, as a new revision (stewards only)."""
    user = request_user(request)
    article = _article(request, slug)
    try:
        actions.do_revert_article(
            article_id=article.pk, user=user, number=number, note=payload.note
        )
    except actions.KnowledgeError as exc:
        raise _refused(exc) from exc
    return get_object_or_404(_articles(request), pk=article.pk)


# --- questions and answers -----------------------------------------------------------------


@router.get("/questions", response=answers(list[QuestionSummaryOut], 401, 422))
@paginate(Pagination)
def list_questions(
    request: HttpRequest, q: str = "", topic: str = "", state: str = ""
) -> QuerySet[Question]:
    """Questions you may see; `state` is "open" (no accepted answer) or "answered"."""
    questions = _questions(request).about([topic] if topic else [])
    if state == "open":
        questions = questions.filter(accepted_answer__isnull=True)
    elif state == "answered":
        questions = questions.filter(accepted_answer__isnull=False)
    elif state:
        raise HttpError(422, "state: use “open” or “answered”.")
    if q:
        return questions.search(q)
    return questions.order_by("-created_at", "-pk")


@router.get("/questions/{pk}", response=answers(QuestionOut, 401, 404, 422))
def get_question(request: HttpRequest, pk: int) -> Question:
    return _question(request, pk)


@router.post(
    "/questions", response=answers(QuestionOut, 401, 403, 404, 409, 422, status=201), auth=login
)
def create_question(request: HttpRequest, payload: QuestionIn) -> Status[Question]:
    user = request_user(request)
    try:
        question = actions.do_ask_question(
            asker=user,
            title=payload.title,
            body=payload.body,
            topics=_topics(payload.topics),
            visibility=payload.visibility,
        )
    except actions.KnowledgeError as exc:
        raise _refused(exc) from exc
    return Status(201, _question(request, question.pk))


@router.post(
    "/questions/{pk}/answers",
    response=answers(AnswerOut, 401, 403, 404, 409, 422, status=201),
    auth=login,
)
def create_answer(request: HttpRequest, pk: int, payload: AnswerIn) -> Status[Answer]:
    user = request_user(request)
    question = _question(request, pk)
    try:
        answer = actions.do_answer_question(question=question, author=user, body=payload.body)
    except actions.KnowledgeError as exc:
        raise _refused(exc) from exc
    return Status(201, answer)


@router.patch("/answers/{pk}", response=answers(AnswerOut, 401, 403, 404, 409, 422), auth=login)
def update_answer(request: HttpRequest, pk: int, payload: AnswerIn) -> Answer:
    """Only the author edits an answer."""
    user = request_user(request)
    answer = get_object_or_404(Answer.objects.select_related("author", "question"), pk=pk)
    _question(request, answer.question_id)  # 404 when the question is hidden from you
    try:
        return actions.do_edit_answer(answer=answer, user=user, body=payload.body)
    except actions.KnowledgeError as exc:
        raise _refused(exc) from exc


@router.post(
    "/questions/{pk}/accept", response=answers(QuestionOut, 401, 403, 404, 409, 422), auth=login
)
def accept_answer(request: HttpRequest, pk: int, payload: AcceptIn) -> Question:
    """Mark the answer that helped; only the asker may (403 for everyone else)."""
    user = request_user(request)
    question = _question(request, pk)
    try:
        actions.do_accept_answer(question_id=question.pk, user=user, answer_id=payload.answer)
    except actions.KnowledgeError as exc:
        raise _refused(exc) from exc
    return _question(request, pk)


@router.post(
    "/questions/{pk}/article",
    response=answers(ArticleOut, 401, 403, 404, 409, 422, status=201),
    auth=login,
)
def question_to_article(
    request: HttpRequest, pk: int, payload: QuestionToArticleIn
) -> Status[Article]:
    """Make a knowledge article from the question and its answers (the asker or a steward)."""
    user = request_user(request)
    question = _question(request, pk)
    if payload.language and payload.language not in ArticleLanguage.values:
        raise HttpError(422, "language: use “de” or “en”.")
    try:
        article = actions.do_turn_question_into_article(
            question_id=question.pk,
            user=user,
            title=payload.title,
            language=payload.language,
            visibility=payload.visibility,
        )
    except actions.KnowledgeError as exc:
        raise _refused(exc) from exc
    return Status(201, _article(request, article.slug))
