"""The network steward role in the admin: curate topics, moderate profiles, nothing more."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from klinke.accounts.apps import STEWARD_PERMISSIONS, ensure_steward_group
from klinke.accounts.models import STEWARD_GROUP
from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


def steward_permissions() -> set[tuple[str, str]]:
    group = Group.objects.get(name=STEWARD_GROUP)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_it_gives_the_steward_group_exactly_the_listed_permissions(db):
    expected = {
        (app_label, codename)
        for app_label, codenames in STEWARD_PERMISSIONS.items()
        for codename in codenames
    }

    # Every listed codename exists, so a typo cannot silently drop a permission.
    assert steward_permissions() == expected
    assert len(expected) == 10


def test_it_sets_up_the_steward_group_idempotently(db):
    group = Group.objects.get(name=STEWARD_GROUP)
    group.permissions.remove(Permission.objects.get(codename="add_topic"))

    ensure_steward_group()
    ensure_steward_group()

    assert Group.objects.filter(name=STEWARD_GROUP).count() == 1
    assert ("topics", "add_topic") in steward_permissions()


def test_it_makes_the_steward_staff_but_not_superuser(network):
    assert network.stella.is_staff
    assert not network.stella.is_superuser
    assert network.stella.is_steward
    assert not network.alice.is_steward


def test_it_opens_the_admin_for_the_steward_with_only_her_models(network):
    response = network.client_for(network.stella).get("/admin/")

    assert response.status_code == 200
    listed = {
        model["object_name"] for app in response.context["app_list"] for model in app["models"]
    }
    assert listed == {"Topic", "Collective", "Supporter"}


def test_it_lets_the_steward_add_a_topic(network):
    client = network.client_for(network.stella)
    assert client.get("/admin/topics/topic/add/").status_code == 200

    response = client.post(
        "/admin/topics/topic/add/",
        {
            "slug": "datenschutz",
            "name_en": "Data protection",
            "name_de": "Datenschutz",
            "kind": "business",
            "parent": "",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/topics/topic/"
    topic = Topic.objects.get(slug="datenschutz")
    assert (topic.name_en, topic.name_de, topic.kind) == (
        "Data protection",
        "Datenschutz",
        "business",
    )


def test_it_lets_the_steward_change_and_delete_topics(network):
    client = network.client_for(network.stella)
    topic = Topic.objects.create(slug="tippfehler", name_en="Tipo", name_de="Tippo")

    changed = client.post(
        f"/admin/topics/topic/{topic.pk}/change/",
        {"slug": "tippfehler", "name_en": "Typo", "name_de": "Tippfehler", "kind": "technical"},
    )
    topic.refresh_from_db()
    assert changed.status_code == 302
    assert (topic.name_en, topic.name_de, topic.kind) == ("Typo", "Tippfehler", "technical")

    deleted = client.post(f"/admin/topics/topic/{topic.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not Topic.objects.filter(slug="tippfehler").exists()


def test_it_lets_the_steward_view_collectives_but_not_add_them(network):
    client = network.client_for(network.stella)

    listing = client.get("/admin/collectives/collective/")
    page = client.get(f"/admin/collectives/collective/{network.collective_a.pk}/change/")

    assert listing.status_code == 200
    assert "Kollektiv Quellcode" in listing.content.decode()
    assert "Verborgenes Kollektiv" in listing.content.decode()
    assert page.status_code == 200
    assert client.get("/admin/collectives/collective/add/").status_code == 403
    assert client.get("/admin/collectives/invitation/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/apitoken/",
        "/admin/auth/group/",
    ],
)
def test_it_refuses_the_steward_the_people_admin(network, path):
    response = network.client_for(network.stella).get(path)

    assert response.status_code == 403


def test_it_refuses_the_steward_another_persons_user_page(network):
    client = network.client_for(network.stella)

    assert client.get(f"/admin/accounts/user/{network.alice.pk}/change/").status_code == 403
    response = client.post(
        f"/admin/accounts/user/{network.stella.pk}/change/",
        {"email": network.stella.email, "is_superuser": "on", "is_staff": "on"},
    )
    assert response.status_code == 403
    network.stella.refresh_from_db()
    assert not network.stella.is_superuser


@pytest.mark.parametrize("path", ["/admin/", "/admin/topics/topic/add/"])
def test_it_sends_ordinary_members_to_the_admin_login(network, path):
    response = network.client_for(network.alice).get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={path}"


def test_it_does_not_let_an_ordinary_member_add_topics(network):
    response = network.client_for(network.alice).post(
        "/admin/topics/topic/add/",
        {"slug": "spam", "name_en": "Spam", "name_de": "Spam", "kind": "business"},
    )

    assert response.status_code == 302
    assert not Topic.objects.filter(slug="spam").exists()


def test_it_sends_admin_logins_through_allauth(client, network):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_it_does_not_accept_a_password_at_the_admin_login_form(client, network):
    # Django's own admin form would skip allauth's throttling and the two-factor step.
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "stella@example.org", "password": "correct horse battery"},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_it_asks_a_steward_with_totp_for_the_code_before_the_admin(client, network):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(network.stella, generate_totp_secret())

    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "stella@example.org", "password": "correct horse battery"},
    )

    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_refuses_the_admin_login_page_to_logged_in_members(network):
    response = network.client_for(network.alice).get("/admin/login/?next=/admin/")

    assert response.status_code == 403
