from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from klinke.core.api_pagination import Pagination
from klinke.core.api_schemas import (
    BilingualText,
    DirectoryFilter,
    RegionOut,
    ResolverContext,
    answers,
    members_view,
    region_of,
)
from klinke.supporters.models import Supporter, SupporterQuerySet
from klinke.topics.models import Topic

router = Router(tags=["supporters"])


class SupporterOut(Schema):
    slug: str
    name: str
    kind: str
    bio: BilingualText
    organisation: str
    topics: list[str]
    brokering_sectors: list[str]
    brokering_regions: list[str]
    languages: list[str]
    region: RegionOut
    visibility: str
    is_demo: bool
    url: str
    hours_per_month: int | None = None

    @staticmethod
    def resolve_bio(obj: Supporter) -> BilingualText:
        return BilingualText(de=obj.bio_de, en=obj.bio_en)

    @staticmethod
    def resolve_topics(obj: Supporter) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    @staticmethod
    def resolve_brokering_sectors(obj: Supporter) -> list[str]:
        return obj.sector_codes

    @staticmethod
    def resolve_brokering_regions(obj: Supporter) -> list[str]:
        return obj.region_codes

    @staticmethod
    def resolve_languages(obj: Supporter) -> list[str]:
        return obj.language_codes

    @staticmethod
    def resolve_region(obj: Supporter) -> RegionOut:
        return region_of(obj)

    @staticmethod
    def resolve_url(obj: Supporter) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_hours_per_month(obj: Supporter, context: ResolverContext) -> int | None:
        return obj.hours_per_month if members_view(context) else None


@router.get("/", response=answers(list[SupporterOut], 401, 422))
@paginate(Pagination)
def list_supporters(request: HttpRequest, filters: Query[DirectoryFilter]) -> SupporterQuerySet:
    topics = Topic.objects.filter_for(filters.topic)
    found = (
        Supporter.objects.all()
        .visible_to(request.user)
        .found_by(text=filters.q, topics=topics, region=filters.region, language=filters.language)
    )
    return found.prefetch_related("topics").order_by("name", "pk")


@router.get("/{slug}", response=answers(SupporterOut, 401, 404, 422))
def get_supporter(request: HttpRequest, slug: str) -> Supporter:
    supporter: Supporter | None = (
        Supporter.objects.visible_to(request.user)
        .prefetch_related("topics")
        .filter(slug=slug)
        .first()
    )
    if supporter is None:
        raise Http404
    return supporter
