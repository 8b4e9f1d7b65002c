"""Everything a web process would otherwise do on its first request, done once in gunicorn's
master before it forks the workers (gunicorn.conf.py `when_ready`).

Without it each worker imports the URLconf on its first request (the API's schemas and the PDF
renderer: seconds of CPU), reads the message catalogues and compiles the templates; and since
gunicorn replaces a worker after `max_requests`, every replacement paid the same again while
requests queued behind it. Done in the master, the forked workers share the result (copy on
write) and answer their first request like any other. Nothing here opens a database connection:
a connection made before the fork would be shared by every worker.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.templatetags.static import static
from django.urls import get_resolver
from django.utils import translation


def warm_up() -> int:
    """Import the URLconf, load both languages' catalogues, the static files' manifest and
    every template of klinke's own; returns the number of templates compiled."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module and the API
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # activating a language reads its catalogues
            resolver.reverse_dict  # noqa: B018 - the reverse lookup tables, per language
    static("klinke/klinke.css")  # reads the manifest of hashed file names
    return _compile_templates()


def _compile_templates() -> int:
    compiled = 0
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        for directory in _template_dirs(engine):
            for path in sorted(directory.rglob("*")):
                if path.is_file() and path.suffix in {".html", ".txt", ".xml"}:
                    engine.get_template(path.relative_to(directory).as_posix())
                    compiled += 1
    return compiled


def _template_dirs(engine: DjangoTemplates) -> list[Path]:
    """klinke's own template folders: other packages ship templates for features klinke does
    not install (allauth's social accounts), which would not compile."""
    from django.template.utils import get_app_template_dirs

    ours = Path(settings.BASE_DIR) / "klinke"
    folders = [Path(d) for d in engine.dirs] + [Path(d) for d in get_app_template_dirs("templates")]
    return [d for d in folders if d.is_relative_to(ours)]
