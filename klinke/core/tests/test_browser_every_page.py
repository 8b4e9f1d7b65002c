"""Every page of the demo fits a phone and a laptop, in German and English, for every role.

The pages are the page walk's (pages.py), as an anonymous visitor, a member (also a steward) and
a supporter, each in German and English at 390×844 and 1280×800: one browser, one context per
role and language; each page is loaded once per context at 390 px, checked, widened to 1280 px
(the browser lays it out again) and checked again. A page fails when the document is wider than
the window (it would scroll sideways), when a text element's content spills out of its box, or
when the content starts more than 80 px down on a phone (the header must stay slim). axe keeps
every page free of serious and critical violations; it runs once per role and page (German, on
the phone): colours, names and landmarks do not change with the language or the width, and axe
is the slowest step. Each role is a test of its own, so parallel workers share the walk.

Each page is saved as a full-page screenshot (JPEG, quick to write) under
var/screenshots/<role>-<language>-<width>/, so anyone can look at them (var/ is not committed).
KLINKE_SCREENSHOTS=0 leaves them out (the checks stay): .ci/run does, since its clone is
thrown away and a third of the walk's time went into pictures nobody would see.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

import klinke
from klinke.accounts.models import User
from klinke.core.tests.pages import load_demo, page_urls
from klinke.core.tests.test_accessibility import AXE
from klinke.core.tests.test_valid_html import SUPPORTER_EMAIL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(klinke.__file__).parent.parent / "var" / "screenshots"
TAKE_SCREENSHOTS = os.environ.get("KLINKE_SCREENSHOTS", "1") != "0"
SIZES = [(390, 844), (1280, 800)]
LANGUAGES = ["de", "en"]
AXE_RUNS = {("de", 390)}

# Django's admin and the API's Swagger UI are their projects' design, not klinke's;
# test_browser_csp.py covers their policy.
SKIPPED = re.compile(r"^/(admin|api)/")

# Overflow: the document is wider than the window, or an element that shows text (a direct text
# node) has content wider than its own box. Scroll containers (tables, the board, code) and form
# controls scroll on purpose; ellipsis clips on purpose.
FIT = """
() => {
  const found = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    found.push(`page is ${root.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  const skip = new Set(['INPUT', 'SELECT', 'TEXTAREA', 'OPTION', 'svg', 'SCRIPT', 'STYLE']);
  for (const el of document.body.querySelectorAll('*')) {
    if (skip.has(el.tagName) || el.closest('svg')) continue;
    const hasText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!hasText) continue;
    const style = getComputedStyle(el);
    if (style.display === 'inline' || style.display === 'none') continue;
    if (style.overflowX !== 'visible' || style.textOverflow === 'ellipsis') continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (classes ? '.' + classes.split(/\\s+/).join('.') : '');
      found.push(`${name} overflows (${el.scrollWidth} > ${el.clientWidth}): `
        + el.textContent.trim().slice(0, 60));
    }
  }
  return found;
}
"""

MAIN_TOP = "(document.querySelector('main') || {offsetTop: -1}).offsetTop"

AXE_RUN = """async () => {
    const r = await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
    return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
}"""


def html_pages(client: Client, urls: list[str]) -> list[str]:
    """The URLs that answer this visitor with an HTML page (no downloads, no redirects)."""
    found = []
    for url in urls:
        if SKIPPED.match(url):
            continue
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.headers["Content-Type"]:
            found.append(url)
    return found


def screenshot_name(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", url.lower()).strip("_") or "home"


@pytest.fixture(autouse=True)
def quick_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ROLES = ["anonymous", "member", "supporter"]


@pytest.mark.parametrize("role", ROLES)
def test_it_fits_every_page_to_both_sizes_in_both_languages_for_each_role(
    browser_page, live_server, role
):
    collective, member = load_demo()
    user = {
        "anonymous": None,
        "member": member,
        "supporter": User.objects.get(email=SUPPORTER_EMAIL),
    }[role]
    urls = page_urls(collective)
    browser = browser_page.context.browser
    axe = AXE.read_text()
    problems: list[str] = []
    visited = 0
    started = time.monotonic()

    client = Client()
    if user is not None:
        client.force_login(user)
    pages = html_pages(client, urls)
    assert len(pages) > 20, role
    cookies = [{"name": "django_language", "value": "", "url": live_server.url}]
    if user is not None:
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        )
    for language in LANGUAGES:
        cookies[0]["value"] = language
        first_width, first_height = SIZES[0]
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": first_width, "height": first_height}
        )
        context.add_cookies(cookies)
        page = context.new_page()
        page.set_default_timeout(15_000)
        for url in pages:
            page.goto(url, wait_until="domcontentloaded")
            if page.locator("html").get_attribute("lang") != language:
                problems.append(f"{url} ({role}, {language}): not in {language}")
            for width, height in SIZES:
                if width != first_width:
                    page.set_viewport_size({"width": width, "height": height})
                visited += 1
                where = f"{role}, {language}, {width}px"
                problems += [f"{url} ({where}): {found}" for found in page.evaluate(FIT)]
                top = page.evaluate(MAIN_TOP)
                if top < 0:
                    problems.append(f"{url} ({where}): no <main> landmark")
                elif width < 500 and top > 80:
                    problems.append(f"{url} ({where}): content starts {top}px down")
                if (language, width) in AXE_RUNS:
                    page.evaluate(axe)
                    found = page.evaluate(AXE_RUN)
                    problems += [f"{url} ({where}): axe {item}" for item in found]
                if TAKE_SCREENSHOTS:
                    # JPEG: a full-page PNG takes several times longer to encode.
                    folder = SCREENSHOTS / f"{role}-{language}-{width}"
                    folder.mkdir(parents=True, exist_ok=True)
                    shot = folder / f"{screenshot_name(url)}.jpg"
                    page.screenshot(path=shot, full_page=True, type="jpeg", quality=70)
            page.set_viewport_size({"width": first_width, "height": first_height})
        context.close()

    assert problems == [], "\n".join(problems)
    assert visited == len(pages) * len(LANGUAGES) * len(SIZES)
    print(f"{visited} page views as {role} in {time.monotonic() - started:.0f} s")
