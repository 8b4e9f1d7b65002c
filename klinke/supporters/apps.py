from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "klinke.supporters"
    label = "supporters"

    def ready(self) -> None:
        from klinke.core.models import register_network_role
        from klinke.supporters.models import is_supporter

        register_network_role("supporter", is_supporter)

        from klinke.core.personal_data import register_personal_data
        from klinke.supporters.personal_data import PERSONAL_DATA

        register_personal_data(PERSONAL_DATA)

        from klinke.core import search
        from klinke.supporters.models import Supporter

        search.register(Supporter)
