import pytest

from klinke.collectives.models import Collective
from klinke.conftest import make_collective
from klinke.core.counts import CachedCountPaginator, cached_count, cached_counts, page_of

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


def test_it_counts_a_short_first_page_by_its_rows(settings, django_assert_num_queries):
    settings.KLINKE_COUNT_CACHE_SECONDS = 60
    for slug in "abc":
        make_collective(slug, slug.upper(), members=[])
    everyone = Collective.objects.order_by("slug")
    for number in (None, "", "1", 1, "x"):
        with django_assert_num_queries(1):  # the rows, no count and no cache
            page = page_of(everyone, 3, number)
            assert [c.slug for c in page.object_list] == ["a", "b", "c"]
            assert page.paginator.count == 3 and not page.has_next()


def test_it_counts_a_full_first_page_and_later_pages_through_the_cache(settings):
    settings.KLINKE_COUNT_CACHE_SECONDS = 60
    for slug in "abcde":
        make_collective(slug, slug.upper(), members=[])
    everyone = Collective.objects.order_by("slug")
    first = page_of(everyone, 2, None)
    assert [c.slug for c in first.object_list] == ["a", "b"]
    assert first.paginator.count == 5 and first.paginator.num_pages == 3
    last = page_of(everyone, 2, "3")
    assert [c.slug for c in last.object_list] == ["e"] and not last.has_next()
    assert page_of(everyone, 2, "99").number == 3
    assert [c.slug for c in page_of(everyone, 5, 1).object_list] == list("abcde")
