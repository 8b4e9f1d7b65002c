from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "klinke.core"
    label = "core"

    def ready(self) -> None:
        from klinke.core.personal_data import CORE_PERSONAL_DATA, register_personal_data

        register_personal_data(CORE_PERSONAL_DATA)
