from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "klinke.knowledge"
    label = "knowledge"

    def ready(self) -> None:
        from klinke.core.personal_data import register_personal_data
        from klinke.knowledge.personal_data import PERSONAL_DATA

        register_personal_data(PERSONAL_DATA)

        from klinke.core import search
        from klinke.knowledge.models import Article, Question

        search.register(Article)
        search.register(Question)
