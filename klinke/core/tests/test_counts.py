import pytest

from klinke.collectives.models import Collective
from klinke.conftest import make_collective
from klinke.core.counts import CachedCountPaginator, cached_count, cached_counts

pytestmark = pytest.mark.django_db


def test_it_counts_exactly_when_the_cache_is_off(settings):
    settings.KLINKE_COUNT_CACHE_SECONDS = 0
    assert cached_count(Collective.objects.all()) == 0
    make_collective("a", "A", members=[])
    assert cached_count(Collective.objects.all()) == 1


def test_it_remembers_a_count_per_query_for_a_while(settings, django_assert_num_queries):
    settings.KLINKE_COUNT_CACHE_SECONDS = 60
    make_collective("a", "A", members=[])
    assert cached_count(Collective.objects.all()) == 1
    make_collective("b", "B", members=[])
    with django_assert_num_queries(1):  # the cache, not the table
        assert cached_count(Collective.objects.order_by("-name")) == 1
    # Another query (another filter) is counted afresh.
    assert cached_count(Collective.objects.filter(slug__in=["a", "b"])) == 2
    assert CachedCountPaginator(Collective.objects.order_by("pk"), 10).count == 1
    assert CachedCountPaginator(list(Collective.objects.all()), 10).count == 2


def test_it_asks_the_cache_once_for_several_counts(settings, django_assert_num_queries):
    settings.KLINKE_COUNT_CACHE_SECONDS = 60
    make_collective("a", "A", members=[])
    everyone = Collective.objects.all()
    named_b = Collective.objects.filter(slug="b")
    assert cached_counts([everyone]) == [1]
    make_collective("b", "B", members=[])
    # One is remembered, the other counted (and then remembered): cache, count, cache write.
    assert cached_counts([everyone, named_b]) == [1, 1]
    with django_assert_num_queries(1):
        assert cached_counts([named_b, everyone]) == [1, 1]
