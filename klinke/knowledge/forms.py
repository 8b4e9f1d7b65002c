from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.core.forms import CleanTextInputs
from klinke.core.languages import interface_language
from klinke.core.models import Visibility, Visitor
from klinke.knowledge.models import Article, ArticleKind, ArticleLanguage
from klinke.topics.models import Topic

MARKDOWN_HELP = _(
    "Markdown: ## heading, **bold**, *italic*, - list, 1. list, [link](https://…), > quote, "
    "`code`. HTML is shown as text."
)


class TopicChoiceField(forms.ModelMultipleChoiceField[Topic]):
    def label_from_instance(self, obj: Topic) -> str:
        return str(obj.name)


def _topics_field(*, required: bool) -> TopicChoiceField:
    return TopicChoiceField(
        label=_("topics"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        required=required,
        error_messages={"invalid_choice": _("Unknown topic: %(value)s.")},
    )


class ArticleForm(CleanTextInputs, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    summary = forms.CharField(
        label=_("summary"),
        max_length=300,
        required=False,
        help_text=_("One or two sentences shown in lists and search results."),
    )
    body = forms.CharField(
        label=_("text"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 22}),
        help_text=MARKDOWN_HELP,
    )
    language = forms.ChoiceField(label=_("language"), choices=ArticleLanguage.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=ArticleKind.choices)
    visibility = forms.ChoiceField(
        label=_("visibility"), choices=Visibility.choices, initial=Visibility.MEMBERS
    )
    topics = _topics_field(required=False)
    translation = forms.ModelChoiceField(
        label=_("translation of"),
        queryset=Article.objects.none(),
        required=False,
        to_field_name="slug",
        help_text=_("The same article in the other language, if there is one."),
    )
    note = forms.CharField(
        label=_("what did you change?"),
        max_length=300,
        required=False,
        help_text=_("A short note for the history, e.g. “added a section on retainers”."),
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data: Mapping[str, object] | None = None,
        *,
        user: Visitor | None = None,
        article: Article | None = None,
        initial: dict[str, object] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        candidates = Article.objects.visible_to(user).order_by("title")
        if article is not None:
            candidates = candidates.exclude(pk=article.pk)
            self.fields["note"].label = _("what did you change?")
        else:
            del self.fields["note"]
        translation = self.fields["translation"]
        assert isinstance(translation, forms.ModelChoiceField)
        translation.queryset = candidates

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        other = cleaned.get("translation")
        if isinstance(other, Article) and other.language == cleaned.get("language"):
            self.add_error("translation", _("A translation must be in the other language."))
        return cleaned


class TopicFilter(CleanTextInputs, forms.Form):
    """What the article and question lists filter by first: words, and one of every topic."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    topic = forms.ChoiceField(label=_("topic"), required=False)

    def __init__(self, data: Mapping[str, object] | None = None) -> None:
        super().__init__(data)
        topic = self.fields["topic"]
        assert isinstance(topic, forms.ChoiceField)
        # Plain values in the visitor's language: a select needs no Topic objects.
        name = "name_de" if interface_language() == "de" else "name_en"
        topic.choices = [("", _("all")), *Topic.objects.values_list("slug", name)]


class ArticleFilterForm(TopicFilter):
    language = forms.ChoiceField(
        label=_("language"),
        required=False,
        choices=[("", _("both")), *ArticleLanguage.choices],
    )
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("all")), *ArticleKind.choices]
    )


class RevertForm(CleanTextInputs, forms.Form):
    note = forms.CharField(label=_("why?"), max_length=300, required=False)


class QuestionForm(CleanTextInputs, forms.Form):
    title = forms.CharField(
        label=_("your question"),
        max_length=200,
        help_text=_("One sentence, e.g. “How do you price a maintenance contract?”"),
    )
    body = forms.CharField(
        label=_("details"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )
    topics = _topics_field(required=True)
    visibility = forms.ChoiceField(
        label=_("visibility"), choices=Visibility.choices, initial=Visibility.MEMBERS
    )


class AnswerForm(CleanTextInputs, forms.Form):
    body = forms.CharField(
        label=_("your answer"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )


class QuestionFilterForm(TopicFilter):
    state = forms.ChoiceField(
        label=_("show"),
        required=False,
        choices=[
            ("", _("all questions")),
            ("open", _("without accepted answer")),
            ("answered", _("with accepted answer")),
        ],
    )


class QuestionToArticleForm(CleanTextInputs, forms.Form):
    title = forms.CharField(label=_("title of the article"), max_length=200)
    language = forms.ChoiceField(label=_("language"), choices=ArticleLanguage.choices)
    visibility = forms.ChoiceField(label=_("visibility"), choices=Visibility.choices)
