from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "klinke.supporters"
    label = "supporters"
