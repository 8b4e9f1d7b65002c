"""Everything klinke holds about a person: every app's part is exported, and erased on deletion."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.apps import apps

from klinke.accounts.export import build_archive
from klinke.accounts.models import User
from klinke.accounts.tests.person import EMAIL, seed_person
from klinke.core.personal_data import covered_fields, registered_personal_data, user_linked_fields

pytestmark = pytest.mark.django_db


def read_archive(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_it_covers_every_user_linked_field_of_every_app() -> None:
    linked = user_linked_fields(User, apps.get_models())
    assert len(linked) > 40  # the walk found the apps' relations
    assert linked - covered_fields() == set(), "a user-linked field has no exporter/eraser"
    assert covered_fields() - linked == set(), "an exporter claims a field that does not exist"


def test_it_lets_every_app_with_user_data_register_its_part() -> None:
    registered = {entry.app_label for entry in registered_personal_data()}
    owners = {name.split(".")[0] for name in user_linked_fields(User, apps.get_models())}
    klinke_owners = {
        label for label in owners if apps.get_app_config(label).name.startswith("klinke.")
    }
    assert klinke_owners <= registered
    # Third-party tables (admin log, allauth's addresses and second factors) are the account's.
    assert (owners - klinke_owners) <= {"admin", "account", "mfa"}


def test_it_exports_a_seeded_fact_for_every_user_linked_field(network) -> None:
    person = seed_person(network)
    files = read_archive(build_archive(person.user))

    missing_seeds = user_linked_fields(User, apps.get_models()) - set(person.facts)
    assert missing_seeds == set(), "seed a fact for the new user-linked field in person.py"
    for name, (file, marker) in sorted(person.facts.items()):
        assert f"{file}.json" in files, name
        assert marker in files[f"{file}.json"], f"{name}: {marker!r} not in {file}.json"


def test_it_explains_every_file_in_a_readme_in_both_languages(network) -> None:
    person = seed_person(network)
    files = read_archive(build_archive(person.user))

    readme = files.pop("README.txt")
    assert files, "the archive holds JSON files"
    for name, content in files.items():
        assert name in readme
        json.loads(content)
    assert "Dieses Archiv enthält alles" in readme
    assert "This archive holds everything" in readme


def test_it_never_exports_secrets(network) -> None:
    person = seed_person(network)
    token = person.user.api_tokens.get()
    files = read_archive(build_archive(person.user))
    everything = "\n".join(files.values())

    assert EMAIL in everything
    assert person.user.password not in everything
    assert token.digest not in everything
    assert token.hint not in everything
    assert "d" * 64 not in everything  # the calendar feed's token digest
