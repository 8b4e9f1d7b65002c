from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "klinke.workbench"
    label = "workbench"

    def ready(self) -> None:
        from klinke.core.personal_data import register_collective_data, register_personal_data
        from klinke.workbench.personal_data import COLLECTIVE_DATA, PERSONAL_DATA

        register_personal_data(PERSONAL_DATA)
        register_collective_data(COLLECTIVE_DATA)

        from klinke.core import search
        from klinke.workbench.models import Lead

        search.register(Lead)
