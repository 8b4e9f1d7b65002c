from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "klinke.contacts"
    label = "contacts"
