from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "klinke.workbench"
    label = "workbench"
