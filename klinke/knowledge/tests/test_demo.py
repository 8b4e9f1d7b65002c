"""The demo content: bilingual, substantial, marked as demo, and loaded once however often."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klinke.knowledge.models import Answer, Article, Question
from klinke.network.demo_loader import do_load_demo_network

pytestmark = pytest.mark.django_db


def test_it_loads_bilingual_demo_articles_and_answered_questions_once(client):
    do_load_demo_network()
    counts = (Article.objects.count(), Question.objects.count(), Answer.objects.count())
    summary, _logins, _password = do_load_demo_network()

    assert (Article.objects.count(), Question.objects.count(), Answer.objects.count()) == counts
    assert "knowledge: 0 articles, 0 questions added" in summary.extra
    assert counts[0] >= 4 and counts[1] >= 2
    assert not Article.objects.filter(is_demo=False).exists()
    assert set(Article.objects.values_list("language", flat=True)) == {"de", "en"}
    for article in Article.objects.all():
        assert article.author is not None
        assert article.author.email.endswith("@demo.klinke.example")
        assert article.body.count("\n## ") >= 3, article.slug  # sections, not a stub
        assert "<ul>" in article.body_html or "<ol>" in article.body_html
        assert article.revisions.count() == 1
    german = Article.objects.get(slug="preisgestaltung-und-kostenschaetzung")
    assert german.translation is not None and german.translation.language == "en"
    assert german.translation.translation == german
    titles = set(Article.objects.values_list("title", flat=True))
    assert {"Akquise für Kollektive", "Preisgestaltung und Kostenschätzung"} <= titles
    assert Question.objects.filter(accepted_answer__isnull=False).count() >= 1
    assert not Question.objects.filter(matched_at__isnull=True).exists()  # no digests for demos

    page = client.get(german.get_absolute_url()).content.decode()
    assert 'class="badge-demo"' in page
    assert "Also in English" in page
    assert client.get(reverse("knowledge:question_list")).status_code == 200
