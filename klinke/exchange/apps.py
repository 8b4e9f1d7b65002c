from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "klinke.exchange"
    label = "exchange"

    def ready(self) -> None:
        from klinke.core.personal_data import register_personal_data
        from klinke.exchange.personal_data import PERSONAL_DATA

        register_personal_data(PERSONAL_DATA)
