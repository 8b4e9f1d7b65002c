from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "klinke.exchange"
    label = "exchange"
