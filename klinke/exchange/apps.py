from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "klinke.exchange"
    label = "exchange"

    def ready(self) -> None:
        from klinke.exchange import signals

        signals.connect()
