from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "klinke.workshops"
    label = "workshops"

    def ready(self) -> None:
        from klinke.core.personal_data import register_personal_data
        from klinke.workshops.personal_data import PERSONAL_DATA

        register_personal_data(PERSONAL_DATA)

        from klinke.core import search
        from klinke.workshops.models import Event, WorkshopIdea

        search.register(WorkshopIdea)
        search.register(Event)
