"""Pages of the knowledge base and the Q&A. Writes go through `actions`."""

from __future__ import annotations

from typing import TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klinke.accounts import request_user
from klinke.accounts.models import User
from klinke.core import fragments
from klinke.core.counts import page_of
from klinke.core.forms import refusal_onto
from klinke.core.htmx import HtmxHttpRequest
from klinke.core.languages import interface_language
from klinke.core.models import is_network_member
from klinke.core.submissions import once_per_submission
from klinke.knowledge import actions
from klinke.knowledge.diffs import diff_texts
from klinke.knowledge.forms import (
    AnswerForm,
    ArticleFilterForm,
    ArticleForm,
    QuestionFilterForm,
    QuestionForm,
    QuestionToArticleForm,
    RevertForm,
)
from klinke.knowledge.markup import outline, render_markdown
from klinke.knowledge.models import Answer, Article, ArticleQuerySet, ArticleRevision, Question
from klinke.topics.models import Topic, topic_names_by_row

PAGE_SIZE = 20
_LONG_TEXTS = ("body", "body_html", "search_document", "title_document")
"""What an article list never shows."""


def _require_member(request: HttpRequest) -> User:
    user = request_user(request)
    if not is_network_member(user):
        raise PermissionDenied
    return user


# --- articles ---------------------------------------------------------------------------------


def _visible_article(
    request: HttpRequest, slug: str, queryset: ArticleQuerySet | None = None
) -> Article:
    """The article, or 404 for anyone who may not see it, so its existence does not leak."""
    base = Article.objects.all() if queryset is None else queryset
    article: Article = get_object_or_404(base.visible_to(request.user), slug=slug)
    return article


def index(request: HtmxHttpRequest) -> HttpResponse:
    """The knowledge base: search and browse articles, with the newest questions alongside.

    It shows alike to everyone of an audience (the public, or the network's members), so it is
    kept for the next visitor (klinke.core.fragments)."""
    member = is_network_member(request.user)
    template = "knowledge/_article_results.html" if request.htmx else "knowledge/_index_body.html"

    def build() -> str:
        return fragments.render_part(template, _index_context(request, member))

    body = fragments.kept(template, (member, fragments.query_values(request.GET)), build)
    if request.htmx:
        return HttpResponse(body)
    return render(request, "knowledge/index.html", {"body": body})


def _index_context(request: HtmxHttpRequest, member: bool) -> dict[str, object]:
    form = ArticleFilterForm(request.GET or None)
    articles = Article.objects.visible_to(request.user)
    text = ""
    if form.is_valid():
        data = form.cleaned_data
        text = data["q"]
        articles = articles.in_language(data["language"]).about(
            [data["topic"]] if data["topic"] else []
        )
        if data["kind"]:
            articles = articles.filter(kind=data["kind"])
    # A list shows titles, summaries and topics: the long texts stay unread, and the
    # translation (fetched for the page's rows only: a join would read every match) is read
    # for its language and visibility.
    articles = (
        articles.search(text)
        .defer(*_LONG_TEXTS)
        .prefetch_related(Prefetch("translation", Article.objects.only("language", "visibility")))
    )
    page = page_of(articles, PAGE_SIZE, request.GET.get("page"))
    # The cards show their topics' names: read as plain values, without Topic objects.
    names = topic_names_by_row(Article, [article.pk for article in page.object_list])
    for article in page.object_list:
        article.topic_names = names[article.pk]
    context: dict[str, object] = {
        "form": form,
        "page": page,
        "page_query": request.GET,
        "query": text,
        "is_member": member,
        "can_write": member,
    }
    if request.htmx:
        return context
    # The newest five through their index, answers counted for those five only (a count
    # grouped over the join would count the answers of every question first).
    answers = (
        Answer.objects.filter(question=OuterRef("pk"))
        .order_by()
        .values("question")
        .annotate(count=Count("pk"))
        .values("count")
    )
    context["questions"] = (
        Question.objects.visible_to(request.user)
        .only("title")
        .annotate(answer_count=Coalesce(Subquery(answers), 0))[:5]
    )
    return context


class _ArticleValues(TypedDict):
    """What the article form gives `do_create_article` and `do_edit_article` alike."""

    title: str
    summary: str
    body: str
    language: str
    kind: str
    visibility: str
    topics: list[Topic]


def _article_form_data(form: ArticleForm) -> _ArticleValues:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "summary": data["summary"],
        "body": data["body"],
        "language": data["language"],
        "kind": data["kind"],
        "visibility": data["visibility"],
        "topics": list(data["topics"]),
    }


@login_required
@once_per_submission
def article_create(request: HttpRequest) -> HttpResponse:
    user = _require_member(request)
    initial: dict[str, object] = {"language": interface_language()}
    if slug := request.GET.get("translation_of", ""):
        original = _visible_article(request, slug)
        initial = {
            "language": original.translation_language,
            "translation": original.slug,
            "kind": original.kind,
            "visibility": original.visibility,
            "topics": [t.slug for t in original.topics.all()],
        }
    form = ArticleForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_onto(form, actions.KnowledgeError):
            article = actions.do_create_article(
                author=user,
                translation_of=form.cleaned_data["translation"],
                **_article_form_data(form),
            )
            messages.success(request, _("The article is published."))
            return redirect(article)
    return render(request, "knowledge/article_form.html", {"form": form, "article": None})


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = _visible_article(
        request,
        slug,
        Article.objects.select_related("author", "translation").prefetch_related("topics"),
    )
    translation = article.translation
    if translation is not None and not translation.is_visible_to(request.user):
        translation = None
    last_revision = article.revisions.select_related("author").order_by("-number").first()
    source_questions = article.source_questions.visible_to(request.user).only("pk", "title")
    return render(
        request,
        "knowledge/article_detail.html",
        {
            "article": article,
            "translation": translation,
            "headings": outline(article.body),
            "last_revision": last_revision,
            "can_edit": article.is_editable_by(request.user),
            "source_questions": source_questions,
        },
    )


@login_required
def article_edit(request: HttpRequest, slug: str) -> HttpResponse:
    article = _visible_article(request, slug, Article.objects.prefetch_related("topics"))
    user = request_user(request)
    if not article.is_editable_by(user):
        raise PermissionDenied
    initial: dict[str, object] = {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "language": article.language,
        "kind": article.kind,
        "visibility": article.visibility,
        "topics": [t.slug for t in article.topics.all()],
        "translation": article.translation.slug if article.translation is not None else None,
        "base_revision": article.revision,
    }
    form = ArticleForm(request.POST or None, user=user, article=article, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            article, changed = actions.do_edit_article(
                article_id=article.pk,
                user=user,
                base_revision=form.cleaned_data["base_revision"],
                note=form.cleaned_data["note"],
                translation=form.cleaned_data["translation"],
                **_article_form_data(form),
            )
        except actions.EditConflict as exc:
            form.add_error(None, str(exc))
            current = Article.objects.get(pk=article.pk)
            conflict = diff_texts(
                form.cleaned_data["body"], current.body, old_title="", new_title=""
            )
        except actions.KnowledgeError as exc:
            form.add_error(None, str(exc))
        else:
            if changed:
                messages.success(request, _("Your changes are saved as a new revision."))
            else:
                messages.info(request, _("Nothing changed, so no revision was added."))
            return redirect(article)
    return render(
        request,
        "knowledge/article_form.html",
        {"form": form, "article": article, "conflict": conflict},
    )


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The Markdown of an edit form rendered as it will be shown (an htmx partial)."""
    _require_member(request)
    text = request.POST.get("body", "")[:100_000]
    return render(request, "knowledge/_preview.html", {"html": render_markdown(text)})


def article_history(request: HttpRequest, slug: str) -> HttpResponse:
    article = _visible_article(request, slug)
    revisions = article.revisions.select_related("author").order_by("-number")
    page = Paginator(revisions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/article_history.html",
        {
            "article": article,
            "page": page,
            "can_revert": article.is_revertable_by(request.user),
        },
    )


def article_revision(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One revision, and what changed against its predecessor (or against `?against=N`)."""
    article = _visible_article(request, slug)
    revision: ArticleRevision = get_object_or_404(
        article.revisions.select_related("author", "reverted_from"), number=number
    )
    against_number = number - 1
    if request.GET.get("against", "").isdigit():
        against_number = int(request.GET["against"])
    previous = None
    if against_number >= 1:
        previous = article.revisions.filter(number=against_number).first()
        if previous is None:
            raise Http404
    diff = diff_texts(
        previous.body if previous else "",
        revision.body,
        old_title=previous.title if previous else revision.title,
        new_title=revision.title,
    )
    return render(
        request,
        "knowledge/article_revision.html",
        {
            "article": article,
            "revision": revision,
            "previous": previous,
            "diff": diff,
            "can_revert": article.is_revertable_by(request.user)
            and revision.number != article.revision,
            "revert_form": RevertForm(),
        },
    )


@login_required
@require_POST
def article_revert(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    article = _visible_article(request, slug)
    if not article.is_revertable_by(request.user):
        raise PermissionDenied
    form = RevertForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.do_revert_article(
            article_id=article.pk, user=request_user(request), number=number, note=note
        )
    except actions.KnowledgeError as exc:
        messages.error(request, str(exc))
        return redirect("knowledge:article_revision", slug=slug, number=number)
    messages.success(
        request, _("Revision %(number)s is restored as the current text.") % {"number": number}
    )
    return redirect(article)


# --- questions ------------------------------------------------------------------------------


def question_list(request: HtmxHttpRequest) -> HttpResponse:
    form = QuestionFilterForm(request.GET or None)
    questions = Question.objects.visible_to(request.user)
    text = ""
    if form.is_valid():
        data = form.cleaned_data
        text = data["q"]
        questions = questions.about([data["topic"]] if data["topic"] else [])
        if data["state"] == "open":
            questions = questions.filter(accepted_answer__isnull=True)
        elif data["state"] == "answered":
            questions = questions.filter(accepted_answer__isnull=False)
    questions = (
        questions.search(text)
        .annotate(answer_count=Count("answers"))
        .select_related("asker")
        .prefetch_related("topics")
    )
    if not text:
        questions = questions.order_by("-created_at", "-pk")
    page = Paginator(questions, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, object] = {
        "form": form,
        "page": page,
        "can_ask": is_network_member(request.user),
    }
    template = (
        "knowledge/_question_results.html" if request.htmx else "knowledge/question_list.html"
    )
    return render(request, template, context)


@login_required
@once_per_submission
def question_create(request: HttpRequest) -> HttpResponse:
    user = _require_member(request)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_onto(form, actions.KnowledgeError):
            question = actions.do_ask_question(
                asker=user,
                title=data["title"],
                body=data["body"],
                topics=list(data["topics"]),
                visibility=data["visibility"],
            )
            messages.success(
                request,
                _(
                    "Your question is posted. People who know the topics will hear of it "
                    "in their daily digest."
                ),
            )
            return redirect(question)
    return render(request, "knowledge/question_form.html", {"form": form})


def _visible_question(request: HttpRequest, pk: int, *, with_topics: bool = False) -> Question:
    queryset = Question.objects.visible_to(request.user).select_related("asker", "article")
    if with_topics:
        queryset = queryset.prefetch_related("topics")
    question: Question = get_object_or_404(queryset, pk=pk)
    return question


def _answers_context(request: HttpRequest, question: Question) -> dict[str, object]:
    answers = list(question.answers.select_related("author"))
    for answer in answers:
        answer.question = question  # saves a query per answer in is_accepted
    # The accepted answer first, then the rest in the order they came.
    answers.sort(key=lambda a: (a.pk != question.accepted_answer_id, a.created_at, a.pk))
    return {
        "question": question,
        "answers": answers,
        "can_accept": question.can_accept(request.user),
        "user_id": getattr(request.user, "pk", None),
    }


def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = _visible_question(request, pk, with_topics=True)
    context = _answers_context(request, question)
    article = question.article
    context.update(
        {
            "article": article
            if article is not None and article.is_visible_to(request.user)
            else None,
            "can_answer": question.can_be_answered_by(request.user),
            "can_make_article": question.can_become_article_by(request.user)
            and question.article_id is None
            and bool(context["answers"]),
            "answer_form": AnswerForm(),
        }
    )
    return render(request, "knowledge/question_detail.html", context)


@login_required
@require_POST
def answer_create(request: HttpRequest, pk: int) -> HttpResponse:
    question = _visible_question(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please write your answer."))
        return redirect(question)
    try:
        answer = actions.do_answer_question(
            question=question, author=request_user(request), body=form.cleaned_data["body"]
        )
    except actions.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except actions.KnowledgeError as exc:
        messages.error(request, str(exc))
        return redirect(question)
    messages.success(request, _("Thank you for your answer."))
    return redirect(answer.get_absolute_url())


@login_required
def answer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    answer: Answer = get_object_or_404(Answer.objects.select_related("question"), pk=pk)
    question = _visible_question(request, answer.question_id)
    if not answer.is_editable_by(request.user):
        raise PermissionDenied
    form = AnswerForm(request.POST or None, initial={"body": answer.body})
    if request.method == "POST" and form.is_valid():
        actions.do_edit_answer(
            answer=answer, user=request_user(request), body=form.cleaned_data["body"]
        )
        messages.success(request, _("Your answer is updated."))
        return redirect(answer.get_absolute_url())
    return render(
        request,
        "knowledge/answer_form.html",
        {"form": form, "answer": answer, "question": question},
    )


@login_required
@require_POST
def answer_accept(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    question = _visible_question(request, pk)
    raw = request.POST.get("answer", "")
    answer_id = int(raw) if raw.isdigit() else None
    try:
        question = actions.do_accept_answer(
            question_id=question.pk, user=request_user(request), answer_id=answer_id
        )
    except actions.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except actions.KnowledgeError as exc:
        if request.htmx:
            return HttpResponse(str(exc), status=400)
        messages.error(request, str(exc))
        return redirect(question)
    if request.htmx:
        question = _visible_question(request, pk)
        return render(request, "knowledge/_answers.html", _answers_context(request, question))
    if answer_id is None:
        messages.success(request, _("No answer is marked as accepted any more."))
    else:
        messages.success(request, _("You marked the answer that helped. Thank you."))
    return redirect(question)


@login_required
def question_to_article(request: HttpRequest, pk: int) -> HttpResponse:
    question = _visible_question(request, pk)
    user = request_user(request)
    if not question.can_become_article_by(user):
        raise PermissionDenied
    if question.article is not None:
        return redirect(question.article)
    initial = {
        "title": question.title,
        "language": user.language if user.language in ("de", "en") else "de",
        "visibility": question.visibility,
    }
    form = QuestionToArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article = actions.do_turn_question_into_article(
                question_id=question.pk, user=user, **form.cleaned_data
            )
        except actions.NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except actions.KnowledgeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The article is published. Edit it to make it read well on its own.")
            )
            return redirect(article)
    answers = question.answers.select_related("author")
    return render(
        request,
        "knowledge/question_to_article.html",
        {"form": form, "question": question, "answer_count": answers.count()},
    )
