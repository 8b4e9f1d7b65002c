from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "klinke.contacts"
    label = "contacts"

    def ready(self) -> None:
        from klinke.contacts.personal_data import COLLECTIVE_DATA, PERSONAL_DATA
        from klinke.core.personal_data import register_collective_data, register_personal_data

        register_personal_data(PERSONAL_DATA)
        register_collective_data(COLLECTIVE_DATA)

        from klinke.contacts.models import Contact, Organisation
        from klinke.core import search

        search.register(Organisation)
        search.register(Contact)
