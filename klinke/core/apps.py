from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "klinke.core"
    label = "core"
