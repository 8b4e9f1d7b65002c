"""The public form's optional proof of work: offered on every form, checked when it comes back,
refused when wrong or replayed, never required (the path without JavaScript still works, under a
stricter limit per address)."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from klinke.inquiries import actions, proof_of_work
from klinke.inquiries.models import Inquiry, SpentChallenge
from klinke.inquiries.tests.conftest import Web, submitted
from klinke.inquiries.tests.test_views import START, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def light_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same scheme with a few cheap tries, so tests solve in milliseconds.
    monkeypatch.setattr(proof_of_work, "COST", 10)
    monkeypatch.setattr(proof_of_work, "COUNTER_FROM", 1)
    monkeypatch.setattr(proof_of_work, "COUNTER_TO", 20)


def solved(now: dt.datetime | None = None) -> str:
    return proof_of_work.solve(proof_of_work.new_challenge(now))


def tampered(payload: str, change: dict[str, object]) -> str:
    data = json.loads(base64.b64decode(payload))
    for path, value in change.items():
        target = data
        *parents, key = path.split(".")
        for part in parents:
            target = target[part]
        target[key] = value
    return base64.b64encode(json.dumps(data).encode()).decode()


def test_it_offers_a_fresh_signed_challenge_and_the_widget_from_klinke_itself(
    web: Web, client: Client
) -> None:
    first = client.get(START)
    second = client.get(START)
    assert first.status_code == second.status_code == 200
    challenges = [json.loads(r.context["challenge"]) for r in (first, second)]
    assert challenges[0]["signature"] != challenges[1]["signature"]
    assert challenges[0]["parameters"]["algorithm"] == proof_of_work.ALGORITHM
    html = first.content.decode()
    assert '<altcha-widget name="proof"' in html
    assert 'src="/static/klinke/vendor/altcha/altcha.min.js"' in html
    assert 'data-worker="/static/klinke/vendor/altcha/pbkdf2.worker.js"' in html
    assert "https://" not in html.split("<altcha-widget", 1)[1].split("</altcha-widget>")[0]


def test_it_gives_the_widget_klinkes_words_in_the_page_language(web: Web, client: Client) -> None:
    german = client.get(START, HTTP_ACCEPT_LANGUAGE="de")
    assert german.status_code == 200
    assert german.context["proof_strings"]["label"] == "Automatische Spamprüfung"
    assert 'language="de"' in german.content.decode()


def test_it_accepts_a_solved_challenge_and_spends_it(web: Web, client: Client) -> None:
    proof = solved()
    response = client.post(START, form_data(proof=proof))
    assert response.status_code == 302
    assert Inquiry.objects.count() == 1
    spent = SpentChallenge.objects.get()
    assert spent.expires_at > timezone.now() + dt.timedelta(minutes=100)
    assert spent.fingerprint not in proof


def test_it_refuses_a_replayed_solution(web: Web, client: Client) -> None:
    proof = solved()
    assert client.post(START, form_data(proof=proof)).status_code == 302
    again = client.post(START, form_data(proof=proof, contact_email="other@example.org"))
    assert again.status_code == 200
    assert "sent before" in again.content.decode() or "schon einmal" in again.content.decode()
    assert Inquiry.objects.count() == 1
    assert SpentChallenge.objects.count() == 1
    # The refused form comes back with a new challenge to solve.
    assert json.loads(again.context["challenge"])["signature"] not in proof


def test_it_refuses_a_wrong_solution(web: Web, client: Client) -> None:
    good = solved()
    data = json.loads(base64.b64decode(good))
    wrong = [
        tampered(good, {"solution.counter": data["solution"]["counter"] + 1}),
        tampered(good, {"solution.derivedKey": "00" * 32}),
        tampered(good, {"challenge.parameters.cost": 1}),  # no longer what was signed
        tampered(good, {"challenge.signature": "ab" * 32}),
        tampered(good, {"challenge.signature": None}),
        base64.b64encode(b'{"challenge": null, "solution": null, "test": true}').decode(),
        "not base64 at all!",
        base64.b64encode(b"[1, 2, 3]").decode(),
        good + "A" * proof_of_work.MAX_PAYLOAD,
    ]
    for proof in wrong:
        response = client.post(START, form_data(proof=proof))
        assert response.status_code == 200, proof
        assert response.context["form"].non_field_errors(), proof
    assert not Inquiry.objects.exists()
    assert not SpentChallenge.objects.exists()
    assert client.post(START, form_data(proof=good)).status_code == 302


def test_it_still_takes_the_form_without_javascript(web: Web, client: Client) -> None:
    data = form_data()
    data.pop("proof", None)
    assert client.post(START, data).status_code == 302
    assert Inquiry.objects.count() == 1
    assert not SpentChallenge.objects.exists()


def test_it_takes_an_expired_solution_like_none_at_all(web: Web) -> None:
    old = solved(timezone.now() - proof_of_work.VALID_FOR - dt.timedelta(minutes=1))
    assert proof_of_work.check(old).verdict == "expired"
    submitted(proof=old)
    assert not SpentChallenge.objects.exists()


def test_it_limits_an_address_more_strictly_without_a_proof_of_work(web: Web) -> None:
    for i in range(actions.LIMIT_PER_ADDRESS_WITHOUT_PROOF):
        submitted(contact_email=f"p{i}@example.org")
    with pytest.raises(actions.TooMany):
        submitted(contact_email="another@example.org")
    # With a solved proof of work the same address may send up to the higher limit.
    more = actions.LIMIT_PER_ADDRESS - actions.LIMIT_PER_ADDRESS_WITHOUT_PROOF
    for i in range(more):
        submitted(contact_email=f"q{i}@example.org", proof=solved())
    with pytest.raises(actions.TooMany):
        submitted(contact_email="last@example.org", proof=solved())
    assert Inquiry.objects.count() == actions.LIMIT_PER_ADDRESS
    assert SpentChallenge.objects.count() == more


def test_it_forgets_spent_challenges_once_they_expire(web: Web) -> None:
    submitted(proof=solved())
    spent = SpentChallenge.objects.get()
    actions.do_forget_inquiries(now=spent.expires_at - dt.timedelta(seconds=1))
    assert SpentChallenge.objects.exists()
    actions.do_forget_inquiries(now=spent.expires_at + dt.timedelta(seconds=1))
    assert not SpentChallenge.objects.exists()
