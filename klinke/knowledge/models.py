"""The knowledge base (Wissensartikel with revisions) and the Q&A (Fragen and answers)."""

from __future__ import annotations

from typing import Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klinke.core import search as core_search
from klinke.core.models import (
    TopicSet,
    Visibility,
    Visitor,
    is_network_member,
    signed_in_pk,
    topic_names,
)
from klinke.knowledge import search
from klinke.knowledge.markup import render_markdown
from klinke.matching.analysis import guess_language
from klinke.matching.analysis import search_document as _document


class ArticleLanguage(models.TextChoices):
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")


def _is_steward(user: Visitor | None) -> bool:
    """Whether a signed-in person is a steward (only `User` knows; a visitor never is)."""
    return signed_in_pk(user) is not None and bool(getattr(user, "is_steward", False))


class ArticleKind(models.TextChoices):
    ARTICLE = "article", _("article")
    PLAYBOOK = "playbook", _("playbook")
    EXPERIENCE = "experience", _("experience report")


_Row = TypeVar("_Row", bound=models.Model)


class VisibleQuerySet(models.QuerySet[_Row]):
    def visible_to(self, user: Visitor | None) -> Self:
        if is_network_member(user):
            return self
        return self.filter(visibility=Visibility.PUBLIC)

    def search(self, text: str) -> Self:
        """Rows answering every word of `text`, most title hits first, then the newest."""
        words = search.parse_query(text)
        if not words:
            return self.order_by("-updated_at", "-pk")
        return (
            core_search.matching(self, search.text_query(words))
            .annotate(title_hits=search.title_hits(words))
            .order_by("-title_hits", "-updated_at", "-pk")
        )

    def about(self, topic_slugs: list[str]) -> Self:
        """Rows on any of these topics or on a topic below them."""
        from klinke.topics.models import Topic

        if not topic_slugs:
            return self
        topics = Topic.objects.with_descendants(topic_slugs)
        field = self.model._meta.get_field("topics")
        assert isinstance(field, models.ManyToManyField)
        through = field.remote_field.through
        assert through is not None
        return self.filter(
            pk__in=through._default_manager.filter(topic__in=topics).values(self._through_key())
        )

    def _through_key(self) -> str:
        return f"{self.model._meta.model_name}_id"


class ArticleQuerySet(VisibleQuerySet["Article"]):
    def in_language(self, language: str) -> Self:
        return self.filter(language=language) if language else self

    def search(self, text: str) -> Self:
        """As for every searchable row, and among equal title hits, articles in the language
        the query is written in come first ("Preisgestaltung" puts German articles first)."""
        results = super().search(text)
        language = guess_language(text)
        # Without a searchable word (only stop words or punctuation) there is no title_hits
        # ranking to refine; the plain newest-first listing stands.
        if language is None or "title_hits" not in results.query.annotations:
            return results
        return results.annotate(
            same_language=Case(
                When(language=language, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        ).order_by("-title_hits", "-same_language", "-updated_at", "-pk")


class SearchableMarkdown(models.Model):
    """What articles and questions share: a Markdown body rendered to safe HTML, search
    documents built from the texts and topic names, a visibility, and timestamps.

    A concrete model declares `title`, `body` and `topics`, and names its searched texts in
    `search_texts()`.
    """

    body_html = models.TextField(editable=False, default="")
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    search_document = models.TextField(editable=False, default="")
    title_document = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    # Declared by each concrete model (with its own labels, limits and related names).
    title: str
    body: str
    topics: TopicSet

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    def search_texts(self) -> list[str]:
        """The texts, besides the topic names, that a search looks in."""
        return [self.title, self.body]

    def refresh_derived_fields(self) -> None:
        """Render the Markdown and rebuild the search documents (call after topics are set)."""
        self.body_html = render_markdown(self.body)
        for column, value in self.search_documents().items():
            setattr(self, column, value)

    def search_documents(self) -> dict[str, str]:
        """The search columns and what they should hold (see `core.search.rebuild`)."""
        # A row not yet saved has no topics to name.
        names = topic_names(self.topics) if self.pk is not None else []
        return {
            "search_document": _document(*self.search_texts(), *names),
            "title_document": _document(self.title),
        }

    def is_visible_to(self, user: Visitor | None) -> bool:
        return self.visibility == Visibility.PUBLIC or is_network_member(user)


class Article(SearchableMarkdown):
    """A knowledge-base page: an article, a playbook or an experience report, in Markdown.

    Every change is kept as an `ArticleRevision`; the body here is the current one.
    """

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=100, unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=ArticleLanguage.choices, default=ArticleLanguage.GERMAN
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ArticleKind.choices, default=ArticleKind.ARTICLE
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown in lists and search results."),
    )
    body = models.TextField(_("text"), max_length=100_000, help_text=_("Markdown."))
    topics = models.ManyToManyField(
        "topics.Topic", verbose_name=_("topics"), blank=True, related_name="articles"
    )
    # One link, kept symmetric by Article.link_translation: both articles point at each other.
    translation = models.OneToOneField(
        "self",
        verbose_name=_("translation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_articles",
    )
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Invented for the demo network.")
    )
    revision = models.PositiveIntegerField(
        _("current revision"),
        default=0,
        editable=False,
        help_text=_("Number of the revision the text is at; edits based on an older one conflict."),
    )

    objects = ArticleQuerySet.as_manager()

    SEARCH_PREFETCH = ("topics",)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        # The knowledge page lists the most recently changed first.
        indexes = [models.Index(fields=["-updated_at", "-id"], name="article_recent")]

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article_detail", args=[self.slug])

    def search_texts(self) -> list[str]:
        return [self.title, self.summary, self.body]

    def is_editable_by(self, user: Visitor | None) -> bool:
        """Wiki-like: any network member may edit; every edit is kept as a revision."""
        return is_network_member(user)

    def is_revertable_by(self, user: Visitor | None) -> bool:
        return _is_steward(user)

    @property
    def translation_language(self) -> str:
        return (
            ArticleLanguage.ENGLISH
            if self.language == ArticleLanguage.GERMAN
            else ArticleLanguage.GERMAN
        )


class ArticleRevision(models.Model):
    """One saved state of an article: who, when, why, and the full text."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reverted_from = models.ForeignKey(
        "self",
        verbose_name=_("restores revision"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article", "-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="one_revision_number_per_article"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article_revision", args=[self.article.slug, self.number])

    @property
    def kind_of_change(self) -> str:
        if self.number == 1:
            return str(_("created"))
        if self.reverted_from_id is not None:
            return str(_("restored an earlier revision"))
        return str(_("edited"))


class QuestionQuerySet(VisibleQuerySet["Question"]):
    pass


class Question(SearchableMarkdown):
    """A question a network member asks; people who fit its topics are told in a digest."""

    title = models.CharField(_("question"), max_length=200)
    body = models.TextField(_("details"), max_length=20_000, blank=True, help_text=_("Markdown."))
    topics = models.ManyToManyField(
        "topics.Topic", verbose_name=_("topics"), related_name="questions"
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="knowledge_questions",
    )
    accepted_answer = models.ForeignKey(
        "Answer",
        verbose_name=_("accepted answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_questions",
    )
    # Set when the matching job has found the people to tell; claimed with a conditional
    # UPDATE so two workers never match the same question twice.
    matched_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = QuestionQuerySet.as_manager()

    SEARCH_PREFETCH = ("topics",)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        # The knowledge page and the question list show the newest first.
        indexes = [models.Index(fields=["-created_at", "-id"], name="question_newest")]

    def get_absolute_url(self) -> str:
        return reverse("knowledge:question_detail", args=[self.pk])

    def is_asked_by(self, user: Visitor | None) -> bool:
        pk = signed_in_pk(user)
        return pk is not None and self.asker_id == pk

    def can_be_answered_by(self, user: Visitor | None) -> bool:
        return is_network_member(user)

    def can_accept(self, user: Visitor | None) -> bool:
        """Only the person who asked marks the answer that helped."""
        return self.is_asked_by(user)

    def can_become_article_by(self, user: Visitor | None) -> bool:
        return self.is_asked_by(user) or _is_steward(user)


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="knowledge_answers",
    )
    body = models.TextField(_("answer"), max_length=20_000, help_text=_("Markdown."))
    body_html = models.TextField(editable=False, default="")
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.question} – {self.author}"

    def get_absolute_url(self) -> str:
        return f"{self.question.get_absolute_url()}#answer-{self.pk}"

    def refresh_derived_fields(self) -> None:
        self.body_html = render_markdown(self.body)

    def is_editable_by(self, user: Visitor | None) -> bool:
        pk = signed_in_pk(user)
        return pk is not None and self.author_id == pk

    @property
    def is_accepted(self) -> bool:
        return self.question.accepted_answer_id == self.pk


class QuestionDigest(models.Model):
    """One digest email (or, for someone who muted questions, one skipped digest)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_digests"
    )
    created_at = models.DateTimeField(default=timezone.now)
    delivered = models.BooleanField(default=True)
    question_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="knowledge_digest_user_time")]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class QuestionRecipient(models.Model):
    """A person the matching engine found for a question, and the digest that told them."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    digest = models.ForeignKey(
        QuestionDigest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recipients",
    )

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="one_recipient_per_question")
        ]
        indexes = [models.Index(fields=["user", "digest"], name="knowledge_recipient_pending")]

    def __str__(self) -> str:
        return f"{self.user} ← {self.question}"
