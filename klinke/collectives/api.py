from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from klinke.collectives.access import visible_collective
from klinke.collectives.models import Collective, CollectiveQuerySet
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
from klinke.topics.models import Topic

router = Router(tags=["collectives"])


class ReferenceOut(Schema):
    client_type: str
    summary: str
    year: int | None
    url: str


class CollectiveOut(Schema):
    slug: str
    name: str
    description: BilingualText
    legal_form: str
    founded_year: int | None
    member_count: int | None
    region: RegionOut
    remote_friendly: bool
    working_languages: list[str]
    website: str
    topics: list[str]
    technologies: list[str]
    references: list[ReferenceOut]
    values_statement: str
    visibility: str
    is_demo: bool
    url: str
    red_lines: str | None = None
    capacity_person_days_per_month: int | None = None
    members: list[str] | None = None

    @staticmethod
    def resolve_description(obj: Collective) -> BilingualText:
        return BilingualText(de=obj.description_de, en=obj.description_en)

    @staticmethod
    def resolve_region(obj: Collective) -> RegionOut:
        return region_of(obj)

    @staticmethod
    def resolve_working_languages(obj: Collective) -> list[str]:
        return obj.language_codes

    @staticmethod
    def resolve_topics(obj: Collective) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    @staticmethod
    def resolve_technologies(obj: Collective) -> list[str]:
        return obj.technology_list

    @staticmethod
    def resolve_references(obj: Collective) -> list[ReferenceOut]:
        return [
            ReferenceOut(client_type=r.client_type, summary=r.summary, year=r.year, url=r.url)
            for r in obj.references.all()
        ]

    @staticmethod
    def resolve_url(obj: Collective) -> str:
        return obj.get_absolute_url()

    # Members-only fields: null for callers outside the network, as on the HTML page.
    @staticmethod
    def resolve_red_lines(obj: Collective, context: ResolverContext) -> str | None:
        return obj.red_lines if members_view(context) else None

    @staticmethod
    def resolve_capacity_person_days_per_month(
        obj: Collective, context: ResolverContext
    ) -> int | None:
        return obj.capacity_person_days_per_month if members_view(context) else None

    @staticmethod
    def resolve_members(obj: Collective, context: ResolverContext) -> list[str] | None:
        if not members_view(context):
            return None
        return [m.user.display_name for m in obj.memberships.all()]


@router.get("/", response=answers(list[CollectiveOut], 401, 422))
@paginate(Pagination)
def list_collectives(request: HttpRequest, filters: Query[DirectoryFilter]) -> CollectiveQuerySet:
    topics = Topic.objects.filter_for(filters.topic)
    found = (
        Collective.objects.active()
        .visible_to(request.user)
        .found_by(text=filters.q, topics=topics, region=filters.region, language=filters.language)
    )
    return found.order_by("name", "pk").with_profile_relations()


@router.get("/{slug}", response=answers(CollectiveOut, 401, 404, 422))
def get_collective(request: HttpRequest, slug: str) -> Collective:
    return visible_collective(request, slug, Collective.objects.all().with_profile_relations())
