from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "klinke.knowledge"
    label = "knowledge"
