from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "klinke.workbench"
    label = "workbench"

    def ready(self) -> None:
        from klinke.core.personal_data import register_personal_data
        from klinke.workbench.personal_data import PERSONAL_DATA

        register_personal_data(PERSONAL_DATA)
