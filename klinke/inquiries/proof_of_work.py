"""The public form's optional proof of work (ALTCHA), offered to browsers and never required.

The form embeds a fresh challenge signed with a key derived from `SECRET_KEY`; the vendored
widget (`core/static/klinke/vendor/altcha/`, loaded from klinke itself, never from another
host) solves it in a web worker while the client fills in the form and sends the solution back
in the field `proof`. Nothing of the client is sent anywhere.

A challenge is made in ALTCHA's deterministic mode: the server picks the counter the browser
must find (between `COUNTER_FROM` and `COUNTER_TO` PBKDF2 runs of `COST` iterations), so the
work is bounded, about a second in a browser, and checking a solution costs one run.

What comes back is one of four verdicts (`check`):

- *absent*: no solution, the path without JavaScript (or a browser whose widget did not finish).
  The form works as before, under the stricter limit per network address
  (`actions.LIMIT_PER_ADDRESS_WITHOUT_PROOF`).
- *expired*: a solution of a challenge older than `VALID_FOR`: treated as absent, since a
  person who took long over the form did nothing wrong.
- *wrong*: a forged, tampered or unparseable solution: the form is refused.
- *solved*: a correct solution. Its fingerprint (a hash of the challenge's signature) is kept
  as a `SpentChallenge` row until the challenge expires, so the same solution is refused the
  second time; the worker's job "forget unconfirmed inquiries…" deletes expired rows.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Literal

import altcha
from django.utils import timezone
from django.utils.crypto import salted_hmac

ALGORITHM = "PBKDF2/SHA-256"
COST = 1000
"""PBKDF2 iterations per try."""
COUNTER_FROM = 1000
COUNTER_TO = 2000
"""The counter the browser must find lies in [COUNTER_FROM, COUNTER_TO): that many tries."""
VALID_FOR = dt.timedelta(hours=2)
MAX_PAYLOAD = 4000
"""A real solution is about 600 characters; anything much longer is refused unread."""
FIELD = "proof"
"""The form field (and the widget's `name`) that carries the solution."""

Verdict = Literal["absent", "expired", "wrong", "solved"]


def _secret() -> str:
    return salted_hmac("klinke.inquiries.proof_of_work", "challenge").hexdigest()


def new_challenge(now: dt.datetime | None = None) -> str:
    """A fresh signed challenge, as the JSON the widget's `challenge` attribute takes."""
    expires = (now or timezone.now()) + VALID_FOR
    challenge = altcha.create_challenge(
        ALGORITHM,
        COST,
        counter=COUNTER_FROM + secrets.randbelow(COUNTER_TO - COUNTER_FROM),
        expires_at=expires,
        hmac_secret=_secret(),
    )
    return json.dumps(challenge.to_dict(), separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Checked:
    verdict: Verdict
    fingerprint: str = ""
    """For a solved challenge: a hash of its signature, what a replay would repeat."""
    expires_at: dt.datetime | None = None


def check(payload: str) -> Checked:
    """What the solution sent with the form is worth (see the module's docstring)."""
    payload = payload.strip()
    if not payload:
        return Checked("absent")
    if len(payload) > MAX_PAYLOAD:
        return Checked("wrong")
    try:
        result = altcha.verify_solution(payload, _secret())
        challenge = json.loads(base64.b64decode(payload, validate=True))["challenge"]
        signature = str(challenge["signature"])
        expires_at = int(challenge["parameters"]["expiresAt"])
    except (ValueError, KeyError, TypeError, binascii.Error, RecursionError, OverflowError):
        return Checked("wrong")
    if result.expired:
        return Checked("expired")
    if not result.verified:
        return Checked("wrong")
    return Checked(
        "solved",
        fingerprint=hashlib.sha256(signature.encode()).hexdigest(),
        expires_at=dt.datetime.fromtimestamp(expires_at, tz=dt.UTC),
    )


def solve(challenge_json: str) -> str:
    """Solve a challenge the way the widget does, in Python (for tests and the benchmark)."""
    challenge = altcha.Challenge.from_dict(json.loads(challenge_json))
    solution = altcha.solve_challenge(challenge)
    assert solution is not None
    return altcha.Payload(challenge, solution).to_base64()
