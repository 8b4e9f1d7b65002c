from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "klinke.knowledge"
    label = "knowledge"

    def ready(self) -> None:
        from klinke.core import search
        from klinke.knowledge.models import Article, Question

        search.register(Article)
        search.register(Question)
