from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "klinke.directory"
    label = "directory"
