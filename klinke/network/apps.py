from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "klinke.network"
    label = "network"
