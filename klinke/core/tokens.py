"""Secrets handed out once (API tokens, calendar feed addresses, invitation links).

Only a digest is stored, so a leaked database row or backup does not work as the secret.
The secrets are 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force
that a slow password hash would protect. Rows are looked up by digest (an index, not a scan);
`token_matches` compares a digest already in hand in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

DIGEST_LENGTH = 64  # hex characters of a SHA-256


def make_token(prefix: str = "") -> str:
    """A fresh secret, URL-safe, with an optional prefix that says what it is for."""
    return prefix + secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    """The digest stored in place of `raw`."""
    return hashlib.sha256(raw.encode()).hexdigest()


def token_matches(raw: str, digest: str) -> bool:
    """Whether `raw` is the secret behind `digest`, compared in constant time."""
    return hmac.compare_digest(hash_token(raw), digest)


def issue_token(prefix: str = "") -> tuple[str, str]:
    """A fresh secret and its digest: hand out the first, store the second."""
    raw = make_token(prefix)
    return raw, hash_token(raw)
