"""Talking to a Murmurations index: a small transport object, so tests can use a fake one.

The index's endpoints (Index API v2): `POST {base}/nodes` with `{"profile_url": …}` queues a
profile for (re)validation and answers `{"data": {"node_id": …}}`; `DELETE {base}/nodes/{id}`
marks a node deleted once its profile URL answers 404. `node_id` is the SHA-256 hex digest of
the profile URL. The index follows no redirects and allows 6,000 requests a minute.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol


def node_id(profile_url: str) -> str:
    return hashlib.sha256(profile_url.encode()).hexdigest()


class IndexUnavailable(Exception):
    """The index refused a request or could not be reached; the message says which."""


@dataclass(frozen=True)
class IndexAnswer:
    status: int
    body: dict[str, object]


class Transport(Protocol):
    def register(self, profile_url: str) -> IndexAnswer: ...

    def delete(self, profile_url: str) -> IndexAnswer: ...


@dataclass(frozen=True)
class HttpTransport:
    """The real index, e.g. https://test-index.murmurations.network/v2 (no trailing /nodes)."""

    base_url: str
    timeout: float = 20

    def _request(self, method: str, url: str, body: dict[str, str] | None) -> IndexAnswer:
        if not url.startswith("https://") and not url.startswith("http://"):
            raise IndexUnavailable(f"Not an http(s) index address: {url}")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return IndexAnswer(response.status, _json(response.read()))
        except urllib.error.HTTPError as exc:
            return IndexAnswer(exc.code, _json(exc.read()))
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise IndexUnavailable(f"The index at {url} could not be reached: {exc}") from exc

    def register(self, profile_url: str) -> IndexAnswer:
        return self._request(
            "POST", f"{self.base_url.rstrip('/')}/nodes", {"profile_url": profile_url}
        )

    def delete(self, profile_url: str) -> IndexAnswer:
        return self._request(
            "DELETE", f"{self.base_url.rstrip('/')}/nodes/{node_id(profile_url)}", None
        )


def _json(raw: bytes) -> dict[str, object]:
    try:
        data = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
