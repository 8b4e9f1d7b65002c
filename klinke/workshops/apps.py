from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "klinke.workshops"
    label = "workshops"
