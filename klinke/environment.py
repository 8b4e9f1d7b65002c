"""Strict readers for settings that come from the environment.

Every setting klinke reads from the environment goes through one of these helpers, so a bad
value stops start-up with a message that names the variable instead of failing later.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlparse

T = TypeVar("T")


class ImproperEnvironment(Exception):
    """An environment variable holds a value klinke cannot use."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"Environment variable {name}: {message}")
        self.name = name


def _read(name: str, default: T, parse: Callable[[str], T]) -> T:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw.strip())
    except ValueError as exc:
        raise ImproperEnvironment(name, str(exc)) from exc


def env_str(name: str, default: str = "") -> str:
    return _read(name, default, str)


def env_bool(name: str, default: bool) -> bool:
    def parse(raw: str) -> bool:
        value = raw.lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"expected true/false, got {raw!r}")

    return _read(name, default, parse)


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 2**31) -> int:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"expected a whole number, got {raw!r}") from None
        if not minimum <= value <= maximum:
            raise ValueError(f"expected a number from {minimum} to {maximum}, got {value}")
        return value

    return _read(name, default, parse)


def env_list(name: str, default: list[str]) -> list[str]:
    return _read(
        name, default, lambda raw: [item.strip() for item in raw.split(",") if item.strip()]
    )


def env_networks(name: str, default: list[str]) -> list[str]:
    """A comma-separated list of IP addresses or CIDR networks, such as 10.0.0.0/8,::1."""
    import ipaddress

    def parse(raw: str) -> list[str]:
        networks = []
        for item in (part.strip() for part in raw.split(",")):
            if not item:
                continue
            try:
                networks.append(str(ipaddress.ip_network(item, strict=False)))
            except ValueError:
                raise ValueError(f"expected IP addresses or networks, got {item!r}") from None
        return networks

    return _read(name, default, parse)


def env_url(name: str, default: str, *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    def parse(raw: str) -> str:
        parsed = urlparse(raw)
        if parsed.scheme not in schemes or not parsed.netloc:
            raise ValueError(f"expected an absolute {'/'.join(schemes)} URL, got {raw!r}")
        return raw.rstrip("/")

    return _read(name, default, parse)


def env_database(name: str, default: str) -> dict[str, object]:
    """Parse DATABASE_URL; only SQLite and PostgreSQL are supported."""
    import dj_database_url

    def parse(raw: str) -> dict[str, object]:
        scheme = urlparse(raw).scheme
        if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
            raise ValueError(
                f"unsupported database {scheme or raw!r}; use sqlite:///path or postgres://…"
            )
        try:
            config: dict[str, object] = dict(dj_database_url.parse(raw))
        except Exception as exc:
            raise ValueError(f"cannot parse {raw!r}: {exc}") from exc
        if scheme != "sqlite" and not config.get("NAME"):
            raise ValueError("the URL names no database")
        return config

    return _read(name, parse(default), parse)
