"""Hostile Markdown for sanitiser tests; reusable by any app that renders user Markdown.

Each entry is (name, markdown). `assert_harmless(html)` checks rendered output: no script
element, no event-handler attributes, no javascript:/vbscript:/data: URLs, and none of the
elements that can run code, load frames or change the page (iframe, object, embed, style,
meta, base, form, link, svg, math, template).
"""

from __future__ import annotations

from html.parser import HTMLParser

XSS_PAYLOADS: tuple[tuple[str, str], ...] = (
    ("script tag", "<script>alert(1)</script>"),
    ("script tag upper case", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"),
    ("img onerror", '<img src=x onerror="alert(1)">'),
    ("img onerror no quotes", "<img src=x onerror=alert(1)//>"),
    ("javascript link", "[x](javascript:alert(1))"),
    ("javascript link mixed case", "[x](JaVaScRiPt:alert(1))"),
    ("javascript link with whitespace", "[x]( javascript:alert(1) )"),
    ("javascript link with tab", "[x](java\tscript:alert(1))"),
    ("javascript link percent-encoded", "[x](javascript%3Aalert(1))"),
    ("javascript reference link", "[x][r]\n\n[r]: javascript:alert(1)"),
    ("vbscript link", "[x](vbscript:msgbox(1))"),
    ("data html link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("data html link plain", "[x](data:text/html,<script>alert(1)</script>)"),
    ("data image markdown", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"),
    ("svg onload", "<svg onload=alert(1)>"),
    (
        "svg in markdown image",
        "![x](https://evil.example/x.svg)<svg><script>alert(1)</script></svg>",
    ),
    ("iframe", '<iframe src="https://evil.example"></iframe>'),
    ("iframe srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    ("entity-encoded javascript href", '<a href="&#106;avascript:alert(1)">x</a>'),
    ("hex entity javascript href", '<a href="&#x6A;&#x61;vascript:alert(1)">x</a>'),
    ("entity-encoded javascript markdown link", "[x](&#106;avascript:alert(1))"),
    ("entity colon markdown link", "[x](javascript&colon;alert(1))"),
    ("autolink javascript", "<javascript:alert(1)>"),
    ("autolink javascript upper case", "<JAVASCRIPT:alert(1)>"),
    ("autolink data", "<data:text/html;base64,PHNjcmlwdD4=>"),
    ("style tag", "<style>body{background:url(javascript:alert(1))}</style>"),
    ("style attribute", '<p style="background:url(javascript:alert(1))">x</p>'),
    ("css expression", '<div style="width: expression(alert(1))">x</div>'),
    ("object", '<object data="javascript:alert(1)"></object>'),
    ("embed", '<embed src="javascript:alert(1)">'),
    ("form action", '<form action="javascript:alert(1)"><button>go</button></form>'),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("base href", '<base href="javascript:alert(1)//">'),
    ("link stylesheet", '<link rel="stylesheet" href="https://evil.example/x.css">'),
    ("script in link title", '[x](https://example.org "\\"><script>alert(1)</script>")'),
    ("quote breaking link title", '[x](https://example.org "a\\" onmouseover=\\"alert(1)")'),
    ("image alt breaking out", '![x" onerror="alert(1)](https://example.org/x.png)'),
    ("image title with onerror", '![x](https://example.org/x.png "x\\" onerror=\\"alert(1)")'),
    ("image with javascript src", "![x](javascript:alert(1))"),
    ("nested unclosed tags", "<<script>script>alert(1)<</script>/script>"),
    ("unclosed img", "<img src=x onerror=alert(1"),
    ("unclosed script", "<script>alert(1)"),
    ("html comment trick", "<!--<script>-->alert(1)<!--</script>-->"),
    ("mathml", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    ("template", "<template><script>alert(1)</script></template>"),
    ("event handler on allowed tag", '<a href="https://example.org" onclick="alert(1)">x</a>'),
    ("details ontoggle", "<details open ontoggle=alert(1)>"),
    ("body onload", "<body onload=alert(1)>"),
    ("code fence with script", "```html\n<script>alert(1)</script>\n```"),
    ("inline code with script", "`<script>alert(1)</script>`"),
    ("link in heading", "# [x](javascript:alert(1))"),
    ("table cell payload", "| a |\n|---|\n| <img src=x onerror=alert(1)> |"),
    ("null byte in scheme", "[x](java\x00script:alert(1))"),
    ("newline in scheme", "[x](<java\nscript:alert(1)>)"),
    ("file url", "[x](file:///etc/passwd)"),
)

FORBIDDEN_ELEMENTS = frozenset(
    {
        "script", "iframe", "object", "embed", "style", "meta", "base", "form", "link",
        "svg", "math", "template", "frame", "frameset", "applet",
    }
)  # fmt: skip
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"})
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def problems(html: str) -> list[str]:
    """Everything dangerous found in `html`; empty when it is harmless."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    found: list[str] = []
    for tag, attrs in collector.elements:
        if tag in FORBIDDEN_ELEMENTS:
            found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"{name}= on <{tag}>")
            if name in ("style", "srcdoc"):
                found.append(f"{name}= on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                # Browsers ignore ASCII whitespace and control characters inside the scheme.
                squashed = "".join(ch for ch in value if ord(ch) > 32).lower()
                if squashed.startswith(BAD_SCHEMES):
                    found.append(f"{name}={value!r} on <{tag}>")
    lowered = html.lower()
    for needle in ("<script", "<iframe", "<object", "<embed", "<style", "<meta", "<base", "<form"):
        if needle in lowered:
            found.append(f"raw {needle}")
    return found


def assert_harmless(html: str) -> None:
    found = problems(html)
    assert not found, f"dangerous output {found}: {html!r}"
