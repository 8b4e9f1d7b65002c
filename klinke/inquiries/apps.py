from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    name = "klinke.inquiries"
    label = "inquiries"

    def ready(self) -> None:
        from klinke.core.personal_data import register_collective_data, register_personal_data
        from klinke.inquiries.personal_data import COLLECTIVE_DATA, PERSONAL_DATA

        register_personal_data(PERSONAL_DATA)
        register_collective_data(COLLECTIVE_DATA)
