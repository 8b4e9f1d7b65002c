"""Markdown written by people in the network, turned into HTML that is safe to show.

Two independent layers, so a mistake in one is caught by the other:

1. markdown-it-py parses CommonMark with raw HTML turned off, so `<script>` in the text is
   shown as text, and its link validator refuses `javascript:`, `vbscript:`, `file:` and
   `data:` targets. Images are rendered as plain links: an article should not make every
   reader's browser fetch a picture from a third-party host.
2. nh3 (ammonia) then keeps only an allow-list of tags and attributes, only http, https and
   mailto URLs (and relative ones), drops every event handler and style, and puts
   `rel="nofollow noopener"` on every link.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "code", "pre",
        "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "ol": {"start"},
    "h2": {"id"},
    "h3": {"id"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"
HEADING_ID_PREFIX = "section-"
# Tags whose content is dropped along with them, should they ever reach the sanitiser.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript"})


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


def _anchor(text: str, seen: dict[str, int]) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "part"
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return f"{HEADING_ID_PREFIX}{slug}" + (f"-{count + 1}" if count else "")


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{escapeHtml(src)}">{escapeHtml(str(alt))}</a>'


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    parser.add_render_rule("image", _render_image)
    return parser


def _level_and_anchor(tokens: list[Token]) -> list[Heading]:
    """Make `#` headings h2 (the page's title is the only h1) and give h2/h3 ids."""
    headings: list[Heading] = []
    seen: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token.type not in ("heading_open", "heading_close"):
            continue
        level = max(int(token.tag[1]), 2)
        token.tag = f"h{level}"
        if token.type == "heading_open" and level <= 3:
            inline = tokens[i + 1]
            text = "".join(
                child.content
                for child in inline.children or []
                if child.type in ("text", "code_inline")
            )
            anchor = _anchor(text, seen)
            token.attrSet("id", anchor)
            headings.append(Heading(level=level, text=text, anchor=anchor))
    return headings


def sanitise_html(html: str) -> str:
    """The allow-list pass; also safe on its own for HTML from anywhere."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: list[Heading]


def render(text: str) -> Rendered:
    """Markdown to sanitised HTML, with the outline of its h2/h3 sections."""
    parser = _parser()
    env: EnvType = {}
    tokens = parser.parse(text or "", env)
    headings = _level_and_anchor(tokens)
    html = parser.renderer.render(tokens, parser.options, env)
    return Rendered(html=sanitise_html(html), headings=headings)


def render_markdown(text: str) -> str:
    return render(text).html


def outline(text: str) -> list[Heading]:
    """The h2/h3 headings of a Markdown text, for a table of contents."""
    tokens = _parser().parse(text or "", {})
    return _level_and_anchor(tokens)
