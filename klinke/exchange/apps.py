from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "klinke.exchange"
    label = "exchange"

    def ready(self) -> None:
        from klinke.core.personal_data import register_collective_data, register_personal_data
        from klinke.exchange.personal_data import COLLECTIVE_DATA, PERSONAL_DATA

        register_personal_data(PERSONAL_DATA)
        register_collective_data(COLLECTIVE_DATA)

        from klinke.exchange import signals

        signals.connect()
