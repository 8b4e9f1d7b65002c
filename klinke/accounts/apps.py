from django.apps import AppConfig
from django.db.models.signals import post_migrate

# What the network steward role may do in the admin: curate the vocabulary and moderate
# directory profiles. Stewards are staff, never superusers.
STEWARD_PERMISSIONS = {
    "topics": ["add_topic", "change_topic", "delete_topic", "view_topic"],
    "collectives": ["view_collective", "change_collective", "view_reference", "change_reference"],
    "supporters": ["view_supporter", "change_supporter"],
}


def ensure_steward_group(**kwargs: object) -> None:
    from django.contrib.auth.models import Group, Permission

    from klinke.accounts.models import STEWARD_GROUP

    group, _created = Group.objects.get_or_create(name=STEWARD_GROUP)
    for app_label, codenames in STEWARD_PERMISSIONS.items():
        permissions = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        group.permissions.add(*permissions)


class AccountsConfig(AppConfig):
    name = "klinke.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Permissions only exist after every app has migrated, so the group is set up then.
        post_migrate.connect(ensure_steward_group, dispatch_uid="klinke_steward_group")

        from django.contrib.auth.models import Group

        from klinke.accounts.models import STEWARD_GROUP
        from klinke.core.models import register_network_role

        register_network_role(
            "network steward",
            lambda user: bool(getattr(user, "is_steward", False)),
            lambda pk: Group.objects.filter(name=STEWARD_GROUP, user__pk=pk),
        )

        from klinke.accounts.personal_data import PERSONAL_DATA
        from klinke.core.personal_data import register_personal_data

        register_personal_data(PERSONAL_DATA)
