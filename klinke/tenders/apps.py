from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "klinke.tenders"
    label = "tenders"

    def ready(self) -> None:
        from klinke.core.personal_data import register_collective_data, register_personal_data
        from klinke.tenders.lead_origins import tender_origin
        from klinke.tenders.personal_data import COLLECTIVE_DATA, PERSONAL_DATA
        from klinke.workbench.origins import register_lead_origin

        register_personal_data(PERSONAL_DATA)
        register_collective_data(COLLECTIVE_DATA)
        register_lead_origin(tender_origin)
