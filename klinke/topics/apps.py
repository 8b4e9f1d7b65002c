from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "klinke.topics"
    label = "topics"
