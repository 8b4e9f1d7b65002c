from django.apps import AppConfig


class CollectivesConfig(AppConfig):
    name = "klinke.collectives"
    label = "collectives"
