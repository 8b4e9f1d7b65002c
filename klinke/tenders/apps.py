from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "klinke.tenders"
    label = "tenders"
