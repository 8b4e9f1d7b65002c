"""The house rules that code review keeps forgetting, checked by reading the source.

- Apps are floors: an app imports only from apps on lower floors, never sideways or up, so
  there is no import cycle and `core` stays the ground floor everything else stands on.
- A view module is an entry point, not a library: nothing imports another app's views.
- htmx requests are recognised one way, by django-htmx's `request.htmx`.
- Tests say what they check: `test_it_<behaviour>`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[2]
REPO_DIR = PACKAGE_DIR.parent

# Lowest floor first. `matching` and `screening` are pure Python without Django models;
# `network` (import/export of everything) is the roof. Modules directly in klinke/ (settings,
# urls, the API root, the test support) stand above all floors.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("matching",),
    ("core", "screening"),
    ("accounts", "topics"),
    ("collectives", "supporters"),
    ("directory", "exchange"),
    ("contacts", "knowledge"),
    ("workbench", "workshops", "rates"),
    ("tenders", "home", "estimates"),
    # Vouches name consortia (tenders) and referrals (workbench) as where people worked
    # together; inquiries show vouches next to each interested collective.
    ("vouches",),
    ("inquiries",),
    ("network",),
)
FLOOR = {app: level for level, apps in enumerate(FLOORS) for app in apps}


def _is_test_or_migration(path: Path) -> bool:
    parts = path.relative_to(PACKAGE_DIR).parts
    return "tests" in parts or "migrations" in parts or path.name == "conftest.py"


def _app_modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).parts
        if len(parts) < 2 or _is_test_or_migration(path):
            continue
        yield parts[0], path


def _imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every absolute `klinke.…` module the file imports, at any depth (TYPE_CHECKING too)."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                # `from klinke.collectives import views` imports the module `views`.
                yield node.lineno, f"{node.module}.{alias.name}"


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(REPO_DIR)}:{line}"


def test_it_places_every_app_on_a_floor() -> None:
    apps = {
        path.name
        for path in PACKAGE_DIR.iterdir()
        if path.is_dir() and (path / "__init__.py").exists()
    }
    assert apps == set(FLOOR)


def test_it_imports_only_from_apps_on_lower_floors() -> None:
    upward = []
    for app, path in _app_modules():
        for line, module in _imported_modules(path):
            parts = module.split(".")
            if parts[0] != "klinke" or len(parts) < 2 or parts[1] not in FLOOR:
                continue
            other = parts[1]
            if other != app and FLOOR[other] >= FLOOR[app]:
                upward.append(f"{_where(path, line)}: {app} imports klinke.{other}")
    assert sorted(set(upward)) == []


def test_it_imports_no_app_views_outside_url_configurations() -> None:
    imports_of_views = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if _is_test_or_migration(path) or path.name == "urls.py":
            continue
        own_app = path.relative_to(PACKAGE_DIR).parts[0]
        for line, module in _imported_modules(path):
            parts = module.split(".")
            is_views = len(parts) == 3 and parts[0] == "klinke" and parts[2] == "views"
            if is_views and parts[1] != own_app:
                imports_of_views.append(f"{_where(path, line)}: {module}")
    assert sorted(set(imports_of_views)) == []


# What a hand-rolled htmx check looks like: reading the header, or guessing the attribute.
HAND_ROLLED_HTMX = re.compile(
    r"HTTP_HX_|[\"']HX-Request[\"']|getattr\(\s*request\s*,\s*[\"']htmx", re.IGNORECASE
)


def test_it_recognises_htmx_requests_only_through_request_htmx() -> None:
    hand_rolled = [
        f"{_where(path, number)}: {line.strip()}"
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if not _is_test_or_migration(path)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if HAND_ROLLED_HTMX.search(line)
    ]
    assert hand_rolled == []


@pytest.mark.parametrize(
    "line, hand_rolled",
    [
        ('if request.headers.get("HX-Request"):', True),
        ('if request.META.get("HTTP_HX_REQUEST") == "true":', True),
        ('if getattr(request, "htmx", False):', True),
        ("if request.htmx:", False),
    ],
)
def test_it_spots_each_hand_rolled_htmx_check(line: str, hand_rolled: bool) -> None:
    assert bool(HAND_ROLLED_HTMX.search(line)) is hand_rolled


def _test_functions() -> Iterator[tuple[Path, int, str]]:
    for path in sorted([*PACKAGE_DIR.rglob("test_*.py"), *(REPO_DIR / "bench").rglob("*.py")]):
        tree = ast.parse(path.read_text(), filename=str(path))
        bodies = [tree.body] + [
            node.body
            for node in tree.body
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test")
        ]
        for body in bodies:
            for node in body:
                function = (
                    node if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else None
                )
                if function is not None and function.name.startswith("test"):
                    yield path, function.lineno, function.name


def test_it_names_every_test_after_its_behaviour() -> None:
    found = list(_test_functions())
    assert len(found) > 500  # the walk found the suite
    badly_named = [
        f"{_where(path, line)}: {name}"
        for path, line, name in found
        if not name.startswith("test_it_")
    ]
    assert badly_named == []


def test_it_synchronises_tests_with_barriers_and_events_not_sleep() -> None:
    sleeping = []
    for path in sorted(PACKAGE_DIR.rglob("test*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name == "sleep":
                    sleeping.append(_where(path, node.lineno))
    assert sleeping == []


def test_it_waits_in_browser_tests_without_evaluating_strings_in_the_page() -> None:
    # Playwright's wait_for_function polls with `new Function`, which the Content-Security-Policy
    # forbids: such a wait fails whenever its condition is not already true (a flaky test).
    # klinke.testing.wait_for_js polls through page.evaluate instead.
    waiting = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "wait_for_function"
            ):
                waiting.append(_where(path, node.lineno))
    assert waiting == []
