from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "klinke.core"
    label = "core"

    def ready(self) -> None:
        from klinke.core.personal_data import CORE_PERSONAL_DATA, register_personal_data

        register_personal_data(CORE_PERSONAL_DATA)

        from django.core.signals import request_finished, request_started
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from klinke.core import fragments
        from klinke.core.search import heal_after_migrate

        # Every connection reports its writes, so kept page parts know when they are stale,
        # and the tables each request reads, so a part depends on what it was built from.
        connection_created.connect(fragments.watch_connection, dispatch_uid="klinke-fragments")
        request_started.connect(fragments.start_request, dispatch_uid="klinke-fragments-start")
        request_finished.connect(fragments.end_request, dispatch_uid="klinke-fragments-end")

        post_migrate.connect(heal_after_migrate, sender=self, dispatch_uid="klinke-search-heal")
