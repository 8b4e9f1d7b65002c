from django.apps import AppConfig


class VouchesConfig(AppConfig):
    name = "klinke.vouches"
    label = "vouches"

    def ready(self) -> None:
        from klinke.collectives.profile_sections import register_profile_section
        from klinke.core.personal_data import register_collective_data, register_personal_data
        from klinke.vouches.personal_data import COLLECTIVE_DATA, PERSONAL_DATA
        from klinke.vouches.presenting import profile_section

        register_personal_data(PERSONAL_DATA)
        register_collective_data(COLLECTIVE_DATA)
        register_profile_section(profile_section)
