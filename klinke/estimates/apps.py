import logging

from django.apps import AppConfig


class EstimatesConfig(AppConfig):
    name = "klinke.estimates"
    label = "estimates"

    def ready(self) -> None:
        from klinke.core.personal_data import register_collective_data, register_personal_data
        from klinke.estimates.personal_data import COLLECTIVE_DATA, PERSONAL_DATA

        register_personal_data(PERSONAL_DATA)
        register_collective_data(COLLECTIVE_DATA)
        # WeasyPrint reports every rendering step at INFO; klinke's console needs none of it.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
