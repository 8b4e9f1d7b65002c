from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "klinke.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from klinke.core.search import heal_after_migrate

        post_migrate.connect(heal_after_migrate, sender=self, dispatch_uid="klinke-search-heal")
