"""The main navigation says where you are and reaches every item without script."""

from __future__ import annotations

import re

import pytest

from klinke.core.templatetags.navigation import within

CURRENT = re.compile(r'<a href="([^"]+)" aria-current="page">')


def test_it_counts_a_sections_pages_within_it_and_home_only_as_itself():
    assert within("/exchange/needs/x/", "/exchange/")
    assert within("/exchange/", "/exchange/")
    assert not within("/exchangeable/", "/exchange/")
    assert within("/", "/")
    assert not within("/directory/", "/")
    assert not within("/directory/", "")


@pytest.mark.django_db
def test_it_marks_the_page_you_are_on_in_both_shapes_of_the_menu(network):
    response = network.client_for(None).get("/exchange/")

    assert response.status_code == 200
    html = response.content.decode().split("<main", 1)[0]  # the header, not the page's own tabs
    # Once in the row for wide screens, once in the <details> menu for phones.
    assert CURRENT.findall(html) == ["/exchange/", "/exchange/"]
    assert '<details class="nav-narrow menu">' in html
    assert "Sign up" in html


@pytest.mark.django_db
def test_it_marks_the_dashboard_not_the_exchange_above_it(network):
    response = network.client_for(network.alice).get("/exchange/dashboard/")

    assert response.status_code == 200
    html = response.content.decode().split("<main", 1)[0]
    assert CURRENT.findall(html) == ["/exchange/dashboard/", "/exchange/dashboard/"]
    # The user menu holds the account's pages and logging out.
    menu = html.split('<details class="user-menu menu">', 1)[1].split("</details>", 1)[0]
    for target in ["/supporters/me/", "/me/settings/", "/me/tokens/", "/accounts/logout/"]:
        assert target in menu
