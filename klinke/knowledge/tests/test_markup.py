"""Markdown rendering: what authors can use, and what hostile input cannot do."""

from __future__ import annotations

import pytest

from klinke.knowledge.markup import outline, render_markdown, sanitise_html
from klinke.knowledge.tests.xss_payloads import XSS_PAYLOADS, assert_harmless, problems


@pytest.mark.parametrize(("name", "payload"), XSS_PAYLOADS, ids=[n for n, _ in XSS_PAYLOADS])
def test_it_renders_hostile_markdown_harmless(name, payload):
    html = render_markdown(payload)

    assert_harmless(html)
    # Images are links in klinke, so not even a tracking pixel loads.
    assert "<img" not in html


@pytest.mark.parametrize(("name", "payload"), XSS_PAYLOADS, ids=[n for n, _ in XSS_PAYLOADS])
def test_it_sanitises_hostile_html_on_its_own(name, payload):
    # The second layer alone must hold, should the parser ever let raw HTML through.
    assert_harmless(sanitise_html(payload))


def test_it_has_at_least_twenty_payloads_and_the_checker_catches_them_unsanitised():
    assert len(XSS_PAYLOADS) >= 20
    raw = [payload for _name, payload in XSS_PAYLOADS if problems(payload)]
    # The checker is not blind: most payloads are dangerous before rendering.
    assert len(raw) >= 20


def test_it_shows_raw_html_as_text():
    html = render_markdown("Hello <b>world</b> & <script>alert(1)</script>")

    assert "&lt;b&gt;world&lt;/b&gt;" in html
    assert "&lt;script&gt;" in html


def test_it_renders_the_markdown_authors_need():
    html = render_markdown(
        "# Title\n\n## Section\n\nSome **bold**, *italic*, `code` and ~~old~~ text.\n\n"
        "- one\n- two\n\n3. three\n4. four\n\n> quoted\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nprint(1)\n```\n"
    )

    assert '<h2 id="section-title">Title</h2>' in html
    assert '<h2 id="section-section">Section</h2>' in html
    for fragment in (
        "<strong>bold</strong>",
        "<em>italic</em>",
        "<code>code</code>",
        "<s>old</s>",
        "<li>one</li>",
        '<ol start="3">',
        "<blockquote>",
        "<td>1</td>",
        "<pre><code>print(1)",
    ):
        assert fragment in html


def test_it_marks_links_nofollow_noopener_and_keeps_safe_schemes():
    html = render_markdown(
        "[site](https://example.org/a?b=1&c=2) [mail](mailto:hi@example.org) [rel](/knowledge/) "
        "<https://example.org/auto>"
    )

    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener">site</a>' in html
    assert '<a href="mailto:hi@example.org" rel="nofollow noopener">mail</a>' in html
    assert '<a href="/knowledge/" rel="nofollow noopener">rel</a>' in html
    assert '<a href="https://example.org/auto" rel="nofollow noopener">' in html


def test_it_turns_images_into_links_so_nothing_loads_from_third_parties():
    html = render_markdown('![A chart](https://example.org/chart.png "title")')

    assert "<img" not in html
    assert '<a href="https://example.org/chart.png" rel="nofollow noopener">A chart</a>' in html


def test_it_lists_the_sections_for_a_table_of_contents():
    headings = outline("# Intro\n\ntext\n\n## Day rates\n\n### Day rates\n\n#### deep\n")

    assert [(h.level, h.text, h.anchor) for h in headings] == [
        (2, "Intro", "section-intro"),
        (2, "Day rates", "section-day-rates"),
        (3, "Day rates", "section-day-rates-2"),
    ]
