from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "klinke.core"
    label = "core"

    def ready(self) -> None:
        from klinke.core.personal_data import CORE_PERSONAL_DATA, register_personal_data

        register_personal_data(CORE_PERSONAL_DATA)

        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from klinke.core.fragments import watch_connection
        from klinke.core.search import heal_after_migrate

        # Every connection reports its writes, so kept page parts know when they are stale.
        connection_created.connect(watch_connection, dispatch_uid="klinke-fragments-watch")

        post_migrate.connect(heal_after_migrate, sender=self, dispatch_uid="klinke-search-heal")
