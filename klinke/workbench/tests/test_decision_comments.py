"""The discussion beside a decision: members comment in order, change their own comment for a
day, and nobody outside the collective sees or writes a word of it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klinke.core import fragments
from klinke.core.submissions import FIELD
from klinke.testing import api_client
from klinke.workbench import actions
from klinke.workbench.models import Decision, DecisionComment, DecisionState
from klinke.workbench.tests.conftest import make_decision

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workbench/quellcode"


def _url(decision: Decision, name: str = "decision_comment", **extra: int) -> str:
    return reverse(f"workbench:{name}", kwargs={"slug": "quellcode", "pk": decision.pk, **extra})


def _post_form(client: Any, url: str, data: dict[str, str]) -> Any:
    page = client.get(url.split("comments/")[0]).content.decode()
    marker = f'name="{FIELD}" value="'
    start = page.index(marker, page.index('id="discussion"')) + len(marker)
    token = page[start : page.index('"', start)]
    return client.post(url, {**data, FIELD: token})


# --- actions --------------------------------------------------------------------------


def test_it_keeps_comments_in_the_order_they_were_written(network):
    decision = make_decision(network.collective_a, network.alice)
    first = actions.do_comment_on_decision(decision=decision, user=network.alice, text=" Eins ")
    second = actions.do_comment_on_decision(decision=decision, user=network.alice2, text="Zwei")
    thread = list(DecisionComment.objects.filter(decision=decision).for_thread())
    assert thread == [first, second]
    assert first.text == "Eins"


def test_it_refuses_empty_long_and_outside_comments_and_writes_nothing(network):
    decision = make_decision(network.collective_a, network.alice)
    with pytest.raises(actions.WorkbenchError):
        actions.do_comment_on_decision(decision=decision, user=network.alice, text="   ")
    with pytest.raises(actions.WorkbenchError):
        actions.do_comment_on_decision(decision=decision, user=network.alice, text="x" * 5001)
    with pytest.raises(actions.WorkbenchError):
        actions.do_comment_on_decision(decision=decision, user=network.bob, text="Hallo")
    assert not DecisionComment.objects.exists()


def test_it_lets_only_the_author_change_a_comment_and_only_for_a_day(network):
    decision = make_decision(network.collective_a, network.alice)
    comment = actions.do_comment_on_decision(decision=decision, user=network.alice, text="Eins")
    with pytest.raises(actions.WorkbenchError):
        actions.do_edit_decision_comment(comment_id=comment.pk, user=network.alice2, text="Nö")
    edited = actions.do_edit_decision_comment(comment_id=comment.pk, user=network.alice, text="1")
    assert edited.text == "1" and edited.edited_at is not None
    DecisionComment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    with pytest.raises(actions.WorkbenchError):
        actions.do_edit_decision_comment(comment_id=comment.pk, user=network.alice, text="2")
    with pytest.raises(actions.WorkbenchError):
        actions.do_delete_decision_comment(comment_id=comment.pk, user=network.alice)
    assert DecisionComment.objects.get(pk=comment.pk).text == "1"


def test_it_keeps_the_outcome_as_the_responses_decide_it(network):
    decision = make_decision(network.collective_a, network.alice)
    actions.do_comment_on_decision(decision=decision, user=network.alice, text="Ich blockiere!")
    actions.do_respond_to_decision(decision_id=decision.pk, user=network.alice, choice="agree")
    actions.do_respond_to_decision(decision_id=decision.pk, user=network.alice2, choice="agree")
    decision.refresh_from_db()
    assert decision.state == DecisionState.DECIDED and decision.outcome == "accepted"
    # The discussion may go on after the decision.
    actions.do_comment_on_decision(decision=decision, user=network.alice2, text="Gut so.")
    assert decision.comments.count() == 2


# --- pages ----------------------------------------------------------------------------


def test_it_shows_the_thread_and_posts_a_comment_as_plain_text(network):
    decision = make_decision(network.collective_a, network.alice)
    client = network.client_for(network.alice)
    response = _post_form(client, _url(decision), {"text": "<b>fett</b>\nzweite Zeile"})
    assert response.status_code == 302
    comment = DecisionComment.objects.get()
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "&lt;b&gt;fett&lt;/b&gt;<br>zweite Zeile" in page
    assert "<b>fett</b>" not in page
    assert _url(decision, "decision_comment_edit", comment_pk=comment.pk) in page


def test_it_shows_an_empty_comment_as_an_error_and_writes_nothing(network):
    decision = make_decision(network.collective_a, network.alice)
    client = network.client_for(network.alice)
    response = _post_form(client, _url(decision), {"text": "  "})
    assert response.status_code == 422
    assert 'id="id_text_error"' in response.content.decode() or "error" in response.content.decode()
    assert not DecisionComment.objects.exists()


def test_it_offers_edit_and_delete_only_on_ones_own_fresh_comments(network):
    decision = make_decision(network.collective_a, network.alice)
    comment = actions.do_comment_on_decision(decision=decision, user=network.alice, text="Eins")
    edit_url = _url(decision, "decision_comment_edit", comment_pk=comment.pk)
    delete_url = _url(decision, "decision_comment_delete", comment_pk=comment.pk)
    alina = network.client_for(network.alice2)
    assert edit_url not in alina.get(decision.get_absolute_url()).content.decode()
    assert alina.get(edit_url).status_code == 404
    assert alina.post(delete_url).status_code == 404
    alice = network.client_for(network.alice)
    assert alice.get(edit_url).status_code == 200
    response = alice.post(edit_url, {"text": "Eins, überlegt"})
    assert response.status_code == 302
    assert DecisionComment.objects.get().text == "Eins, überlegt"
    assert alice.post(delete_url).status_code == 302
    assert not DecisionComment.objects.exists()


def test_it_answers_404_to_everyone_outside_the_collective(network):
    decision = make_decision(network.collective_a, network.alice)
    comment = actions.do_comment_on_decision(
        decision=decision, user=network.alice, text="Geheimer Gedanke"
    )
    for user in (network.bob, network.sam, network.stella, network.outsider):
        client = network.client_for(user)
        assert client.get(decision.get_absolute_url()).status_code == 404
        assert client.post(_url(decision), {"text": "Hallo"}).status_code == 404
        edit_url = _url(decision, "decision_comment_edit", comment_pk=comment.pk)
        assert client.get(edit_url).status_code == 404
    anonymous = network.client_for(None)
    assert anonymous.post(_url(decision), {"text": "Hallo"}).status_code == 302
    assert DecisionComment.objects.count() == 1


def test_it_shows_the_thread_in_a_fixed_number_of_queries(network, django_assert_num_queries):
    decision = make_decision(network.collective_a, network.alice)
    client = network.client_for(network.alice)
    for n in range(2):
        actions.do_comment_on_decision(decision=decision, user=network.alice, text=f"a{n}")
    client.get(decision.get_absolute_url())
    fragments.forget_all()  # the page as built, as django_assert_num_queries measures it
    with CaptureQueriesContext(connection) as few:
        assert client.get(decision.get_absolute_url()).status_code == 200
    queries = len(few)
    for n in range(6):
        actions.do_comment_on_decision(decision=decision, user=network.alice2, text=f"b{n}")
    with django_assert_num_queries(queries):
        assert client.get(decision.get_absolute_url()).status_code == 200


# --- API ------------------------------------------------------------------------------


def _send(client: Any, url: str, data: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_it_lists_posts_edits_and_deletes_comments_through_the_api(network):
    decision = make_decision(network.collective_a, network.alice)
    api = api_client(network.alice)
    url = f"{BASE}/decisions/{decision.pk}/comments"
    created = _send(api, url, {"text": "Was meint ihr?"})
    assert created.status_code == 201
    body = created.json()
    assert body["author"]["name"] == "Alice" and body["text"] == "Was meint ihr?"
    listed = api.get(url).json()
    assert [c["text"] for c in listed["items"]] == ["Was meint ihr?"]
    one = f"{url}/{body['id']}"
    patched = _send(api, one, {"text": "Was meint ihr dazu?"}, "patch")
    assert patched.status_code == 200 and patched.json()["edited_at"] is not None
    assert api.delete(one).status_code == 204
    assert not DecisionComment.objects.exists()


def test_it_refuses_bad_and_foreign_comment_calls_through_the_api(network):
    decision = make_decision(network.collective_a, network.alice)
    url = f"{BASE}/decisions/{decision.pk}/comments"
    api = api_client(network.alice)
    assert _send(api, url, {"text": "  "}).status_code == 422
    assert _send(api, url, {"text": "x" * 5001}).status_code == 422
    assert _send(api, url, {"wrong": "field"}).status_code == 422
    comment = actions.do_comment_on_decision(decision=decision, user=network.alice2, text="Zwei")
    assert _send(api, f"{url}/{comment.pk}", {"text": "mein"}, "patch").status_code == 403
    assert api.delete(f"{url}/{comment.pk}").status_code == 403
    assert api.delete(f"{url}/999999").status_code == 404
    for user in (network.bob, network.sam, network.outsider):
        outsider = api_client(user)
        assert outsider.get(url).status_code == 404
        assert _send(outsider, url, {"text": "Hallo"}).status_code == 404
        assert _send(outsider, url, {"nope": 1}).status_code == 404
    assert api_client(network.alice).get(url).status_code == 200
    assert Client().get(url).status_code == 401
    assert list(DecisionComment.objects.values_list("text", flat=True)) == ["Zwei"]
