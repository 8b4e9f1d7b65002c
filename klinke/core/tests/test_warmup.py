"""gunicorn's master warms Django up before forking, without touching the database."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template import engines

from klinke.core import warmup


def test_it_compiles_every_template_of_klinke_without_a_database() -> None:
    # No django_db mark: any query here would fail the test, and a connection opened in the
    # master would be shared by every forked worker.
    compiled = warmup.warm_up()
    ours = sorted((Path(settings.BASE_DIR) / "klinke").rglob("templates/**/*.html"))
    assert compiled >= len(ours) > 100
    loader = engines["django"].engine.template_loaders[0]  # type: ignore[attr-defined]
    assert "base.html" in {key.split("-")[0] for key in loader.get_template_cache}


def test_it_is_what_gunicorns_master_does_before_forking(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def called(name: str) -> Any:
        def record() -> int:
            calls.append(name)
            return 0

        return record

    monkeypatch.setattr(warmup, "warm_up", called("warm_up"))
    from klinke.exchange import match_index

    monkeypatch.setattr(match_index, "preload", called("preload"))
    monkeypatch.setattr("gc.freeze", called("freeze"))
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", Path(settings.BASE_DIR) / "gunicorn.conf.py"
    )
    assert spec is not None and spec.loader is not None
    conf: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.preload_app is True
    conf.when_ready(object())
    assert calls == ["preload", "warm_up", "freeze"]
