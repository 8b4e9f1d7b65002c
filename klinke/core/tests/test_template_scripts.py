"""No template of klinke's carries script the Content-Security-Policy would block.

Inline <script> blocks, on…= handler attributes and javascript: URLs do not run under the
policy, so they belong in static files. Email templates are not web pages and are skipped only
for style (they keep inline styles for mail clients); they may not carry script either.
"""

from __future__ import annotations

import re
from pathlib import Path

import klinke

ROOT = Path(klinke.__file__).parent

INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*[\"']?application/(?:ld\+)?json)[^>]*>",
    re.IGNORECASE,
)
HANDLER = re.compile(r"<[a-z][^>]*?\s(on[a-z]+)\s*=", re.IGNORECASE | re.DOTALL)
JAVASCRIPT_URL = re.compile(r"javascript\s*:", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[a-z][^>]*?\sstyle\s*=|<style\b", re.IGNORECASE | re.DOTALL)


def templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("templates/**/*") if p.suffix in {".html", ".txt", ".xml"})


def script_problems(text: str) -> list[str]:
    found = [f"inline script {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
    found += [f"{m.group(1)}= handler" for m in HANDLER.finditer(text)]
    found += ["javascript: URL" for _ in JAVASCRIPT_URL.finditer(text)]
    return found


def test_it_finds_no_inline_script_handler_or_javascript_url_in_any_template():
    problems = {
        str(path.relative_to(ROOT)): found
        for path in templates()
        if (found := script_problems(path.read_text()))
    }

    assert problems == {}
    assert len(templates()) > 100


def test_it_finds_no_inline_style_in_any_page_template():
    # Emails keep inline style: mail clients ignore stylesheets, and no CSP applies there.
    pages = [p for p in templates() if "email" not in p.relative_to(ROOT).parts]
    problems = [str(p.relative_to(ROOT)) for p in pages if INLINE_STYLE.search(p.read_text())]

    assert problems == []


def test_it_recognises_each_kind_of_inline_script():
    assert script_problems("<script>alert(1)</script>")
    assert script_problems('<SCRIPT type="text/javascript">x()</SCRIPT>')
    assert script_problems('<button type="button"\n  onclick="go()">')
    assert script_problems('<body onload="init()">')
    assert script_problems('<a href="javascript:void(0)">')
    assert script_problems('<a href="JavaScript: go()">')
    assert not script_problems('<script src="/static/klinke/app.js" defer></script>')
    assert not script_problems('<script type="application/json" id="data">{}</script>')
    assert not script_problems('<p data-once="1">Talk online, or in person.</p>')


def test_it_recognises_inline_style():
    assert INLINE_STYLE.search('<span style="width: 5%">')
    assert INLINE_STYLE.search("<style>p { color: red }</style>")
    assert not INLINE_STYLE.search('<span class="stylish">')
