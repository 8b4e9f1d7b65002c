"""Writes of the knowledge base and the Q&A.

Articles are wiki-like: any network member may edit, every change is kept as a revision, an
edit based on an older revision than the current one is refused as a conflict, and stewards
can restore an old revision (as a new revision, so nothing is ever lost). Questions are
matched to people who could answer them by a background job, which sends each person at
most one digest a day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import Enum

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from klinke.accounts.models import User
from klinke.core.mail import has_muted, notify_user
from klinke.core.models import NotificationKind, Visibility, Visitor, is_network_member
from klinke.knowledge.models import (
    Answer,
    Article,
    ArticleKind,
    ArticleLanguage,
    ArticleRevision,
    Question,
    QuestionDigest,
    QuestionRecipient,
)
from klinke.topics.models import Topic

logger = logging.getLogger(__name__)

DIGEST_INTERVAL = timedelta(hours=24)
# Questions older than this are no longer worth telling anyone about.
MATCHING_WINDOW = timedelta(days=14)
TITLE_MAX = 200


class KnowledgeError(Exception):
    """Something the knowledge base's rules do not allow; the message says why."""


class NotAllowed(KnowledgeError):
    """The person may not do this (pages answer 403)."""


class EditConflict(KnowledgeError):
    """Someone saved the article after the revision this edit started from."""

    def __init__(self, message: str, *, current: int) -> None:
        super().__init__(message)
        self.current = current


# --- checks shared by pages and API -----------------------------------------------------


def _require_member(user: Visitor | None, message: str) -> None:
    if not is_network_member(user):
        raise NotAllowed(message)


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise KnowledgeError(_("Please give a title."))
    if len(title) > TITLE_MAX:
        raise KnowledgeError(_("The title is too long (at most 200 characters)."))
    return title


def _check_choices(*, language: str, kind: str, visibility: str) -> None:
    if language not in ArticleLanguage.values:
        raise KnowledgeError(_("Unknown language; use “de” or “en”."))
    if kind not in ArticleKind.values:
        raise KnowledgeError(_("Unknown kind of article."))
    if visibility not in Visibility.values:
        raise KnowledgeError(_("Unknown visibility."))


def topics_from_slugs(slugs: Iterable[str]) -> list[Topic]:
    """The topics named by `slugs`; an unknown slug is an error, not silently dropped."""
    wanted = list(dict.fromkeys(slug for slug in slugs if slug))
    found = {t.slug: t for t in Topic.objects.filter(slug__in=wanted)}
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        raise KnowledgeError(_("Unknown topic: %(slugs)s.") % {"slugs": ", ".join(unknown)})
    return [found[slug] for slug in wanted]


# --- articles -----------------------------------------------------------------------------


def _unique_slug(title: str, wanted: str = "") -> str:
    base = slugify(wanted or title)[:90].strip("-") or "article"
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _add_revision(
    article: Article, *, user: User | None, note: str, reverted_from: ArticleRevision | None = None
) -> ArticleRevision:
    article.revision += 1
    return ArticleRevision.objects.create(
        article=article,
        number=article.revision,
        title=article.title,
        body=article.body,
        note=note[:300],
        author=user,
        reverted_from=reverted_from,
        created_at=article.updated_at,
    )


def _save_derived(article: Article) -> None:
    article.refresh_derived_fields()
    Article.objects.filter(pk=article.pk).update(
        body_html=article.body_html,
        search_document=article.search_document,
        title_document=article.title_document,
        revision=article.revision,
    )


def do_create_article(
    *,
    author: User | None,
    title: str,
    body: str,
    language: str,
    kind: str = ArticleKind.ARTICLE,
    visibility: str = Visibility.MEMBERS,
    topics: Sequence[Topic] = (),
    summary: str = "",
    slug: str = "",
    translation_of: Article | None = None,
    note: str = "",
    is_demo: bool = False,
) -> Article:
    """A new article with its first revision. `author` None only for imports and demos."""
    if author is not None:
        _require_member(author, _("Only network members can write articles."))
    title = _clean_title(title)
    if not (body or "").strip():
        raise KnowledgeError(_("Please write the text of the article."))
    _check_choices(language=language, kind=kind, visibility=visibility)
    if translation_of is not None and translation_of.language == language:
        raise KnowledgeError(_("A translation must be in the other language."))
    for attempt in range(3):
        try:
            with transaction.atomic():
                now = timezone.now()
                article = Article.objects.create(
                    title=title,
                    slug=_unique_slug(title, slug),
                    language=language,
                    kind=kind,
                    visibility=visibility,
                    summary=" ".join(summary.split())[:300],
                    body=body,
                    author=author,
                    is_demo=is_demo,
                    created_at=now,
                    updated_at=now,
                )
                article.topics.set(topics)
                _add_revision(article, user=author, note=note or _("First version"))
                _save_derived(article)
                if translation_of is not None:
                    link_translations(article, translation_of)
                return article
        except IntegrityError:
            # Two people chose the same title at the same moment: the slug is taken; retry.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def link_translations(article: Article, other: Article | None) -> None:
    """Make `article` and `other` each other's translation (both ways), or unlink with None.

    Earlier partners of either article lose their link, so the relation stays symmetric.
    """
    involved = [article.pk] + ([other.pk] if other is not None else [])
    if other is not None and other.language == article.language:
        raise KnowledgeError(_("A translation must be in the other language."))
    Article.objects.filter(translation__in=involved).update(translation=None)
    Article.objects.filter(pk__in=involved).update(translation=None)
    if other is not None:
        Article.objects.filter(pk=article.pk).update(translation=other)
        Article.objects.filter(pk=other.pk).update(translation=article)
    article.translation = other
    if other is not None:
        other.translation = article


class Unchanged(Enum):
    """Marks an argument left out, where None means something (no translation)."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


def _locked_article(article_id: int) -> Article:
    article: Article | None = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise KnowledgeError(_("This article no longer exists."))
    return article


@transaction.atomic
def do_edit_article(
    *,
    article_id: int,
    user: User,
    title: str,
    body: str,
    base_revision: int | None,
    language: str | None = None,
    kind: str | None = None,
    visibility: str | None = None,
    topics: Sequence[Topic] | None = None,
    summary: str | None = None,
    translation: Article | Unchanged | None = UNCHANGED,
    note: str = "",
) -> tuple[Article, bool]:
    """Save an edit as a new revision. Returns the article and whether anything changed.

    `base_revision` is the revision the editor started from; when someone saved since, the
    edit is refused with EditConflict rather than silently overwriting their work.
    `translation` links the same article in the other language (both ways; None unlinks);
    the link alone adds no revision. Text and link are written in this one transaction.
    """
    article = _locked_article(article_id)
    if not article.is_editable_by(user):
        raise NotAllowed(_("Only network members can edit articles."))
    if base_revision is not None and base_revision != article.revision:
        raise EditConflict(
            _(
                "Someone else saved this article while you were editing (revision %(number)s). "
                "Please look at their changes and edit again."
            )
            % {"number": article.revision},
            current=article.revision,
        )
    title = _clean_title(title)
    if not (body or "").strip():
        raise KnowledgeError(_("Please write the text of the article."))
    language = language or article.language
    kind = kind or article.kind
    visibility = visibility or article.visibility
    _check_choices(language=language, kind=kind, visibility=visibility)
    summary = article.summary if summary is None else " ".join(summary.split())[:300]
    old_topics = set(article.topics.values_list("pk", flat=True))
    new_topics = old_topics if topics is None else {t.pk for t in topics}
    changed_text = (title, body) != (article.title, article.body)
    changed_meta = (language, kind, visibility, summary) != (
        article.language,
        article.kind,
        article.visibility,
        article.summary,
    ) or new_topics != old_topics
    other = None if isinstance(translation, Unchanged) else translation
    relink = (
        not isinstance(translation, Unchanged)
        and (None if other is None else other.pk) != article.translation_id
    )
    if other is not None:
        if other.pk == article.pk or not other.is_visible_to(user):
            raise KnowledgeError(_("There is no such article to link as translation."))
        if other.language == language:
            raise KnowledgeError(_("A translation must be in the other language."))
    if not (changed_text or changed_meta):
        if relink:
            link_translations(article, other)
        return article, relink
    if language != article.language and article.translation_id is not None and not relink:
        # A translation in the same language is no translation any more.
        link_translations(article, None)
    article.title, article.body, article.summary = title, body, summary
    article.language, article.kind, article.visibility = language, kind, visibility
    article.updated_at = timezone.now()
    article.save(
        update_fields=[
            "title", "body", "summary", "language", "kind", "visibility", "updated_at",
        ]
    )  # fmt: skip
    if topics is not None:
        article.topics.set(topics)
    _add_revision(article, user=user, note=note or "")
    _save_derived(article)
    if relink:
        link_translations(article, other)
    return article, True


@transaction.atomic
def do_revert_article(*, article_id: int, user: User, number: int, note: str = "") -> Article:
    """Restore the text of revision `number`, as a new revision (stewards only)."""
    article = _locked_article(article_id)
    if not article.is_revertable_by(user):
        raise NotAllowed(_("Only network stewards can restore earlier revisions."))
    old = article.revisions.filter(number=number).first()
    if old is None:
        raise KnowledgeError(_("There is no such revision."))
    if old.number == article.revision:
        raise KnowledgeError(_("This is already the current revision."))
    article.title, article.body = old.title, old.body
    article.updated_at = timezone.now()
    article.save(update_fields=["title", "body", "updated_at"])
    _add_revision(
        article,
        user=user,
        note=note or _("Restored revision %(number)s") % {"number": old.number},
        reverted_from=old,
    )
    _save_derived(article)
    return article


# --- questions and answers ---------------------------------------------------------------


def do_ask_question(
    *,
    asker: User,
    title: str,
    body: str = "",
    topics: Sequence[Topic],
    visibility: str = Visibility.MEMBERS,
    is_demo: bool = False,
) -> Question:
    """A new question; the digest job finds the people who could answer it."""
    _require_member(asker, _("Only network members can ask questions."))
    title = _clean_title(title)
    if not topics:
        raise KnowledgeError(_("Choose at least one topic, so the right people see it."))
    if visibility not in Visibility.values:
        raise KnowledgeError(_("Unknown visibility."))
    with transaction.atomic():
        now = timezone.now()
        question = Question.objects.create(
            title=title,
            body=body or "",
            asker=asker,
            visibility=visibility,
            is_demo=is_demo,
            created_at=now,
            updated_at=now,
        )
        question.topics.set(topics)
        question.refresh_derived_fields()
        Question.objects.filter(pk=question.pk).update(
            body_html=question.body_html,
            search_document=question.search_document,
            title_document=question.title_document,
        )
    return question


def _question_link_context(question: Question) -> dict[str, object]:
    return {"question": question, "question_url": question.get_absolute_url()}


@transaction.atomic
def do_answer_question(
    *, question: Question, author: User, body: str, is_demo: bool = False
) -> Answer:
    if not question.can_be_answered_by(author):
        raise NotAllowed(_("Only network members can answer questions."))
    if not (body or "").strip():
        raise KnowledgeError(_("Please write your answer."))
    now = timezone.now()
    answer = Answer(
        question=question, author=author, body=body, is_demo=is_demo, created_at=now, updated_at=now
    )
    answer.refresh_derived_fields()
    answer.save()
    Question.objects.filter(pk=question.pk).update(updated_at=now)
    asker = question.asker
    if asker is not None and asker.pk != author.pk and asker.is_active and not is_demo:
        notify_user(
            asker,
            template="knowledge/email/question_answered",
            context={**_question_link_context(question), "answer": answer, "author": author},
            kind=NotificationKind.QUESTIONS,
        )
    return answer


@transaction.atomic
def do_edit_answer(*, answer: Answer, user: User, body: str) -> Answer:
    if not answer.is_editable_by(user):
        raise NotAllowed(_("Only the author can edit an answer."))
    if not (body or "").strip():
        raise KnowledgeError(_("Please write your answer."))
    answer.body = body
    answer.updated_at = timezone.now()
    answer.refresh_derived_fields()
    answer.save(update_fields=["body", "body_html", "updated_at"])
    return answer


def _locked_question(question_id: int) -> Question:
    question: Question | None = Question.objects.select_for_update().filter(pk=question_id).first()
    if question is None:
        raise KnowledgeError(_("This question no longer exists."))
    return question


@transaction.atomic
def do_accept_answer(*, question_id: int, user: User, answer_id: int | None) -> Question:
    """Mark the answer that helped (or, with None, none); only the asker may, and may change it."""
    question = _locked_question(question_id)
    if not question.can_accept(user):
        raise NotAllowed(_("Only the person who asked can accept an answer."))
    answer = None
    if answer_id is not None:
        answer = question.answers.select_related("author").filter(pk=answer_id).first()
        if answer is None:
            raise KnowledgeError(_("That answer does not belong to this question."))
    if question.accepted_answer_id == (answer.pk if answer else None):
        return question
    question.accepted_answer = answer
    question.updated_at = timezone.now()
    question.save(update_fields=["accepted_answer", "updated_at"])
    author = answer.author if answer else None
    if author is not None and author.pk != user.pk and author.is_active and not question.is_demo:
        notify_user(
            author,
            template="knowledge/email/answer_accepted",
            context={**_question_link_context(question), "answer": answer},
            kind=NotificationKind.QUESTIONS,
        )
    return question


def _name(user: User | None) -> str:
    return user.display_name if user is not None else _("a former member")


def article_body_from_question(question: Question, answers: Sequence[Answer], language: str) -> str:
    """Markdown for an article made from a question: the question, the accepted answer, the
    other answers, and a line crediting everyone by name."""
    accepted = [a for a in answers if a.pk == question.accepted_answer_id]
    others = [a for a in answers if a.pk != question.accepted_answer_id]
    with translation.override(language):
        parts = [f"## {_('The question')}", question.body.strip() or question.title]
        for answer in accepted:
            parts.append(
                f"## {_('The accepted answer, by %(name)s') % {'name': _name(answer.author)}}"
            )
            parts.append(answer.body.strip())
        if others:
            parts.append(f"## {_('More answers')}")
            for answer in others:
                parts.append(f"### {_('By %(name)s') % {'name': _name(answer.author)}}")
                parts.append(answer.body.strip())
        names = list(dict.fromkeys(_name(a.author) for a in [*accepted, *others]))
        credit = _("Asked by %(asker)s.") % {"asker": _name(question.asker)}
        if names:
            credit += " " + _("Answered by %(names)s.") % {"names": ", ".join(names)}
        parts.append("---")
        parts.append(f"*{credit}*")
    return "\n\n".join(parts) + "\n"


@transaction.atomic
def do_turn_question_into_article(
    *,
    question_id: int,
    user: User,
    title: str = "",
    language: str = "",
    visibility: str = "",
) -> Article:
    """Make a knowledge article from a question and its answers (the asker or a steward)."""
    question = _locked_question(question_id)
    if not question.can_become_article_by(user):
        raise NotAllowed(_("Only the person who asked or a steward can do this."))
    if question.article_id is not None:
        raise KnowledgeError(_("This question already became an article."))
    answers = list(question.answers.select_related("author"))
    if not answers:
        raise KnowledgeError(_("A question without answers cannot become an article yet."))
    language = language or (user.language if user.language in ArticleLanguage.values else "de")
    article = do_create_article(
        author=user,
        title=title or question.title,
        body=article_body_from_question(question, answers, language),
        language=language,
        kind=ArticleKind.EXPERIENCE,
        visibility=visibility or question.visibility,
        topics=list(question.topics.all()),
        note=_("Made from the question “%(title)s”") % {"title": question.title},
        is_demo=question.is_demo,
    )
    # The first revision records who made it; the article names the asker as its author,
    # and its text credits everyone who answered.
    if question.asker is not None:
        Article.objects.filter(pk=article.pk).update(author=question.asker)
        article.author = question.asker
    question.article = article
    question.save(update_fields=["article"])
    return article


# --- matching and the daily digest ----------------------------------------------------------


def match_new_questions(limit: int = 50) -> int:
    """Find the people who could answer each new question; returns how many questions."""
    from klinke.knowledge.candidates import rank_people_for_question

    now = timezone.now()
    done = 0
    pending = Question.objects.filter(matched_at__isnull=True).order_by("created_at", "pk")
    for question_id, created_at in pending.values_list("pk", "created_at")[:limit]:
        with transaction.atomic():
            # Claim the question: only one worker's UPDATE finds it unmatched.
            if not Question.objects.filter(pk=question_id, matched_at__isnull=True).update(
                matched_at=now
            ):
                continue
            if created_at < now - MATCHING_WINDOW:
                continue
            question = Question.objects.prefetch_related("topics").get(pk=question_id)
            fits = rank_people_for_question(question)
            QuestionRecipient.objects.bulk_create(
                [
                    QuestionRecipient(
                        question=question,
                        user_id=fit.user_id,
                        score=fit.score,
                        reasons=fit.reason_dicts(),
                        created_at=now,
                    )
                    for fit in fits
                ],
                ignore_conflicts=True,
            )
            done += 1
    return done


def _send_digest_to(user_id: int, now: datetime) -> bool:
    """One person's digest, if one is due; the person's pending rows are locked meanwhile."""
    with transaction.atomic():
        pending = list(
            QuestionRecipient.objects.select_for_update(of=("self",))
            .filter(user_id=user_id, digest__isnull=True)
            .select_related("question", "question__asker")
            .order_by("-score", "pk")
        )
        if not pending:
            return False
        if QuestionDigest.objects.filter(
            user_id=user_id, delivered=True, created_at__gt=now - DIGEST_INTERVAL
        ).exists():
            return False  # one digest a day; these wait for the next one
        user = User.objects.get(pk=user_id)
        # Never tell someone about their own question, nor about one they can no longer see.
        questions = [
            r.question
            for r in pending
            if r.question.asker_id != user_id and r.question.is_visible_to(user)
        ]
        muted = has_muted(user, NotificationKind.QUESTIONS)
        delivered = bool(questions) and user.is_active and not muted
        digest = QuestionDigest.objects.create(
            user=user, created_at=now, delivered=delivered, question_count=len(questions)
        )
        QuestionRecipient.objects.filter(pk__in=[r.pk for r in pending]).update(digest=digest)
        if not delivered:
            return False
        answer_counts = dict(
            Answer.objects.filter(question__in=questions)
            .values("question")
            .annotate(n=Count("pk"))
            .values_list("question", "n")
        )
        items = [(q, answer_counts.get(q.pk, 0)) for q in questions]
        notify_user(
            user,
            template="knowledge/email/question_digest",
            context={"items": items, "count": len(items)},
            kind=NotificationKind.QUESTIONS,
        )
        return True


def do_send_question_digests() -> int:
    """Match new questions, then send each person with waiting questions one digest, at most
    one in 24 hours. Returns the number of digests sent."""
    match_new_questions()
    now = timezone.now()
    user_ids = (
        QuestionRecipient.objects.filter(digest__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    sent = 0
    for user_id in list(user_ids):
        try:
            sent += _send_digest_to(user_id, now)
        except Exception:  # one person's failure must not stop everyone else's digest
            logger.exception("question digest for user %s failed", user_id)
    return sent
