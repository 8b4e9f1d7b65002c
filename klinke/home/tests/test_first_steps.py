"""The guided path after creating a collective: profile essentials, first need, colleagues."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from klinke.collectives.models import Collective, Invitation
from klinke.conftest import make_collective
from klinke.exchange.models import Need
from klinke.home import actions
from klinke.home.models import SkippedStep, Step
from klinke.home.steps import progress_for, with_step_facts
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(network: Any) -> Any:
    """A collective just created by Olga: a description from the form, nothing else."""
    return make_collective(
        "neu", "Neues Kollektiv", members=[network.outsider], description_de="Wir bauen Shops."
    )


def _states(collective: Any, user: Any) -> dict[str, tuple[bool, bool]]:
    [progress] = progress_for([collective], user)
    return {state.step: (state.done, state.skipped) for state in progress.steps}


def test_it_reads_each_step_from_the_collectives_data(network, fresh):
    assert _states(fresh, network.outsider) == {
        Step.PROFILE: (False, False),
        Step.NEED: (False, False),
        Step.INVITE: (False, False),
    }
    fresh.city = "Kassel"
    fresh.save()
    fresh.topics.set(Topic.objects.filter(slug="web-development"))
    Need.objects.create(collective=fresh, title="Hilfe")
    Invitation.issue(collective=fresh, email="kim@example.org", invited_by=network.outsider)
    assert _states(fresh, network.outsider) == {
        Step.PROFILE: (True, False),
        Step.NEED: (True, False),
        Step.INVITE: (True, False),
    }


def test_it_skips_and_resumes_a_step_for_the_whole_collective(network, fresh):
    actions.do_skip_first_step(collective=fresh, user=network.outsider, step="need")
    actions.do_skip_first_step(collective=fresh, user=network.outsider, step="need")
    assert SkippedStep.objects.filter(collective=fresh).count() == 1
    [progress] = progress_for([fresh], network.outsider)
    assert progress.next_step is not None and progress.next_step.step == Step.PROFILE
    assert progress.finished_count == 1 and not progress.is_complete
    actions.do_resume_first_step(collective=fresh, user=network.outsider, step="need")
    assert not SkippedStep.objects.exists()


def test_it_counts_a_skipped_step_as_done_once_it_is_done(network, fresh):
    actions.do_skip_first_step(collective=fresh, user=network.outsider, step="need")
    Need.objects.create(collective=fresh, title="Hilfe")
    assert _states(fresh, network.outsider)[Step.NEED] == (True, False)


def test_it_reads_loaded_facts_and_skips_only_for_steps_left(
    network, fresh, django_assert_num_queries
):
    Need.objects.create(collective=network.collective_a, title="Erstes Gesuch")
    actions.do_skip_first_step(collective=fresh, user=network.outsider, step="need")
    # Quellcode has done every step: its facts came with it and its skips do not matter.
    [quellcode] = with_step_facts(Collective.objects.filter(slug="quellcode"), network.alice)
    with django_assert_num_queries(0):
        [done] = progress_for([quellcode], network.alice)
    assert done.is_complete
    [neu] = with_step_facts(Collective.objects.filter(slug="neu"), network.outsider)
    with django_assert_num_queries(1):
        [left] = progress_for([neu], network.outsider)
    assert left.next_step is not None and left.next_step.step == Step.PROFILE
    assert [state.skipped for state in left.steps] == [False, True, False]


def test_it_refuses_outsiders_and_unknown_steps(network, fresh):
    with pytest.raises(actions.FirstStepsError):
        actions.do_skip_first_step(collective=fresh, user=network.alice, step="need")
    with pytest.raises(actions.FirstStepsError):
        actions.do_skip_first_step(collective=fresh, user=network.outsider, step="fly")
    assert not SkippedStep.objects.exists()


def test_it_saves_the_profile_essentials_and_moves_on(network, fresh):
    client = network.client_for(network.outsider)
    url = reverse("home:first_steps", args=[fresh.slug])
    page = client.get(url).content.decode()
    assert "Wir bauen Shops." in page and 'id="step-profile"' in page
    topic = Topic.objects.get(slug="web-development")
    response = client.post(
        url, {"description": "Wir bauen Onlineshops.", "city": "Kassel", "topics": [topic.pk]}
    )
    assert response.status_code == 302 and response["Location"] == url
    fresh.refresh_from_db()
    assert fresh.description_en == "Wir bauen Onlineshops."  # the page's language, English
    assert fresh.city == "Kassel" and list(fresh.topics.all()) == [topic]
    assert " kassel " in fresh.search_document
    page = client.get(url).content.decode()
    assert "How to write a need that gets found" in page
    assert reverse("exchange:need_create", args=[fresh.slug]) in page


def test_it_shows_bad_input_and_writes_nothing(network, fresh):
    client = network.client_for(network.outsider)
    url = reverse("home:first_steps", args=[fresh.slug])
    response = client.post(url, {"description": "", "city": "Kassel\x00", "topics": ["999999"]})
    assert response.status_code == 422
    fresh.refresh_from_db()
    assert fresh.city == "" and not fresh.topics.exists()


def test_it_skips_through_the_page_without_javascript(network, fresh):
    client = network.client_for(network.outsider)
    response = client.post(reverse("home:skip_step", args=[fresh.slug, "invite"]))
    assert response.status_code == 302
    assert SkippedStep.objects.get(collective=fresh).step == "invite"
    page = client.get(reverse("home:first_steps", args=[fresh.slug])).content.decode()
    assert reverse("home:resume_step", args=[fresh.slug, "invite"]) in page
    response = client.post(reverse("home:resume_step", args=[fresh.slug, "invite"]))
    assert response.status_code == 302 and response["Location"].endswith("#step-invite")
    assert not SkippedStep.objects.exists()
    assert client.post(reverse("home:skip_step", args=[fresh.slug, "fly"])).status_code == 404
    assert client.get(reverse("home:skip_step", args=[fresh.slug, "need"])).status_code == 405


def test_it_answers_404_to_everyone_but_members(network, fresh):
    url = reverse("home:first_steps", args=[fresh.slug])
    skip = reverse("home:skip_step", args=[fresh.slug, "need"])
    for user in (network.alice, network.bob, network.sam, network.stella):
        client = network.client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(skip).status_code == 404
        assert client.post(url, {"description": "x", "city": "y"}).status_code == 404
    anonymous = network.client_for(None)
    assert anonymous.get(url).status_code == 302
    assert anonymous.post(skip).status_code == 302
    assert not SkippedStep.objects.exists()
    fresh.refresh_from_db()
    assert fresh.city == ""
