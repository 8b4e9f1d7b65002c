from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "klinke.home"
    label = "home"

    def ready(self) -> None:
        from klinke.core.personal_data import register_collective_data
        from klinke.home.personal_data import COLLECTIVE_DATA

        register_collective_data(COLLECTIVE_DATA)
