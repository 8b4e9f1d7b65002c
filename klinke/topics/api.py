from ninja import Router, Schema

from klinke.core.api_schemas import answers
from klinke.topics.models import Topic

router = Router(tags=["topics"])


class TopicOut(Schema):
    slug: str
    name_en: str
    name_de: str
    kind: str
    parent: str | None


@router.get("/", response=answers(list[TopicOut], 401))
def list_topics(request: object) -> list[TopicOut]:
    topics = Topic.objects.select_related("parent").order_by("slug")
    return [
        TopicOut(
            slug=t.slug,
            name_en=t.name_en,
            name_de=t.name_de,
            kind=t.kind,
            parent=t.parent.slug if t.parent else None,
        )
        for t in topics
    ]
