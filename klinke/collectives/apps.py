from django.apps import AppConfig


class CollectivesConfig(AppConfig):
    name = "klinke.collectives"
    label = "collectives"

    def ready(self) -> None:
        from klinke.collectives.access import is_collective_member
        from klinke.collectives.models import Membership
        from klinke.core.models import register_network_role

        register_network_role(
            "collective member",
            is_collective_member,
            lambda pk: Membership.objects.filter(user_id=pk, collective__archived_at__isnull=True),
        )

        from klinke.collectives.personal_data import COLLECTIVE_DATA, PERSONAL_DATA
        from klinke.core.personal_data import register_collective_data, register_personal_data

        register_personal_data(PERSONAL_DATA)
        register_collective_data(COLLECTIVE_DATA)

        from klinke.collectives.models import Collective
        from klinke.core import search

        search.register(Collective)
