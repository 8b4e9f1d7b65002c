"""Settings come from the environment: bad values stop start-up naming the variable."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from klinke.environment import (
    ImproperEnvironment,
    env_bool,
    env_database,
    env_int,
    env_list,
    env_str,
    env_url,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
# Variables settings.py reads; a subprocess starts without any of them unless a test sets them,
# so a DATABASE_URL exported for the PostgreSQL CI run cannot leak into these checks.
KLINKE_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "LOG_LEVEL",
    "TRUSTED_PROXIES",
    "TRUSTED_PROXY_COUNT",
    "DJANGO_SETTINGS_MODULE",
}


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in KLINKE_VARIABLES}
    clean.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'check.sqlite3'}")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- the helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("YES", True), ("1", True), ("on", True), ("False", False), ("0", False)],
)
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("KLINKE_TEST_FLAG", raw)
    assert env_bool("KLINKE_TEST_FLAG", not expected) is expected


def test_it_uses_the_default_for_missing_or_blank_variables(monkeypatch):
    monkeypatch.delenv("KLINKE_TEST_VALUE", raising=False)
    assert env_int("KLINKE_TEST_VALUE", 7) == 7
    monkeypatch.setenv("KLINKE_TEST_VALUE", "   ")
    assert env_int("KLINKE_TEST_VALUE", 7) == 7
    assert env_str("KLINKE_TEST_VALUE", "fallback") == "fallback"


def test_it_refuses_a_bad_boolean_naming_the_variable(monkeypatch):
    monkeypatch.setenv("KLINKE_TEST_FLAG", "maybe")
    with pytest.raises(ImproperEnvironment) as error:
        env_bool("KLINKE_TEST_FLAG", False)
    assert error.value.name == "KLINKE_TEST_FLAG"
    assert "KLINKE_TEST_FLAG" in str(error.value)
    assert "maybe" in str(error.value)


@pytest.mark.parametrize("raw", ["abc", "2.5", "0x10"])
def test_it_refuses_a_non_integer_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("KLINKE_TEST_PORT", raw)
    with pytest.raises(ImproperEnvironment, match="KLINKE_TEST_PORT"):
        env_int("KLINKE_TEST_PORT", 25)


@pytest.mark.parametrize("raw", ["0", "65536", "-1"])
def test_it_refuses_an_integer_out_of_range(monkeypatch, raw):
    monkeypatch.setenv("KLINKE_TEST_PORT", raw)
    with pytest.raises(ImproperEnvironment, match=r"KLINKE_TEST_PORT.*from 1 to 65535"):
        env_int("KLINKE_TEST_PORT", 25, minimum=1, maximum=65535)


def test_it_reads_integers_in_range(monkeypatch):
    monkeypatch.setenv("KLINKE_TEST_PORT", " 587 ")
    assert env_int("KLINKE_TEST_PORT", 25, minimum=1, maximum=65535) == 587


@pytest.mark.parametrize("raw", ["klinke.example.org", "ftp://klinke.example.org", "https://"])
def test_it_refuses_a_bad_url_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("KLINKE_TEST_URL", raw)
    with pytest.raises(ImproperEnvironment, match="KLINKE_TEST_URL"):
        env_url("KLINKE_TEST_URL", "http://localhost")


def test_it_strips_the_trailing_slash_of_urls(monkeypatch):
    monkeypatch.setenv("KLINKE_TEST_URL", "https://klinke.example.org/")
    assert env_url("KLINKE_TEST_URL", "http://localhost") == "https://klinke.example.org"


def test_it_splits_lists_and_drops_empty_items(monkeypatch):
    monkeypatch.setenv("KLINKE_TEST_HOSTS", "a.example.org, b.example.org,, ,")
    assert env_list("KLINKE_TEST_HOSTS", []) == ["a.example.org", "b.example.org"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("mysql://x/y", "unsupported database"),
        ("postgres://", "names no database"),
        ("postgres://db.example.org:5432", "names no database"),
        ("not a url", "unsupported database"),
    ],
)
def test_it_refuses_a_bad_database_url_naming_the_variable(monkeypatch, raw, reason):
    monkeypatch.setenv("KLINKE_TEST_DB", raw)
    with pytest.raises(ImproperEnvironment) as error:
        env_database("KLINKE_TEST_DB", "sqlite:///x.sqlite3")
    assert error.value.name == "KLINKE_TEST_DB"
    assert reason in str(error.value)


def test_it_parses_sqlite_and_postgres_urls(monkeypatch):
    monkeypatch.setenv("KLINKE_TEST_DB", "postgres://klinke:pw@db.example.org:5433/klinke")
    config = env_database("KLINKE_TEST_DB", "sqlite:///x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"]) == ("klinke", "db.example.org", 5433)
    monkeypatch.delenv("KLINKE_TEST_DB")
    config = env_database("KLINKE_TEST_DB", "sqlite:////srv/klinke/x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/klinke/x.sqlite3"


# --- manage.py with a bad environment ----------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://"}, "DATABASE_URL"),
        ({"EMAIL_PORT": "abc"}, "EMAIL_PORT"),
        ({"DEBUG": "false"}, "SECRET_KEY"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"SITE_URL": "klinke.example.org"}, "SITE_URL"),
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "EMAIL_USE_SSL"),
        ({"TRUSTED_PROXIES": "nginx"}, "TRUSTED_PROXIES"),
        # The old count trusted X-Forwarded-For from anyone; it must not be silently ignored.
        ({"TRUSTED_PROXY_COUNT": "1"}, "TRUSTED_PROXY_COUNT"),
    ],
)
def test_it_refuses_to_start_with_a_bad_variable(tmp_path, variables, named):
    result = manage("check", env=variables, tmp_path=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"klinke cannot start: Environment variable {named}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_starts_with_no_configuration_at_all(tmp_path):
    result = manage("check", env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_passes_the_deployment_checklist_with_production_variables(tmp_path):
    production = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "klinke.example.org",
        "SITE_URL": "https://klinke.example.org",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_lets_operators_opt_out_of_hsts_preload(tmp_path):
    production = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "klinke.example.org",
        "SITE_URL": "https://klinke.example.org",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "false",
    }
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production, tmp_path=tmp_path
    )
    assert result.returncode == 1
    assert "security.W021" in result.stderr


def test_it_fails_the_deployment_checklist_with_the_development_key(tmp_path):
    # The guard above must be able to fail: without SECRET_KEY and with DEBUG on it does.
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env={"DEBUG": "true"}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr  # the django-insecure- key


# --- SQLite runs in WAL mode -------------------------------------------------------------------


def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("WAL is a SQLite journal mode; this run uses " + connection.vendor)


@pytest.mark.django_db
def test_it_opens_file_databases_in_wal_mode_with_the_settings_options(tmp_path):
    sqlite_only()
    from django.db.backends.sqlite3.base import DatabaseWrapper

    settings_dict = {**connection.settings_dict, "NAME": str(tmp_path / "wal.sqlite3")}
    assert settings_dict["OPTIONS"] == settings.DATABASES["default"]["OPTIONS"]
    wrapper = DatabaseWrapper(settings_dict, alias="wal_probe")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 1  # NORMAL
    finally:
        wrapper.close()
    # WAL is a property of the file: a plain sqlite3 connection sees it too.
    with sqlite3.connect(tmp_path / "wal.sqlite3") as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_it_runs_the_configured_sqlite_database_in_wal_mode(tmp_path):
    if not str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
        pytest.skip("this run uses PostgreSQL")
    database = tmp_path / "klinke.sqlite3"
    probe = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode')\n"
        "    print(c.fetchone()[0])\n"
    )
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        probe,
        env={"DATABASE_URL": f"sqlite:///{database}"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"
    assert database.exists()
