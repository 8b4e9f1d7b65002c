"""klinke.core.client_address decides the client's address for the whole project."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from klinke.core.client_address import client_ip
from klinke.environment import ImproperEnvironment, env_networks


def request_from(remote: str, forwarded: str | None = None):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_it_ignores_forwarded_for_from_an_untrusted_peer(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_ip(request_from("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_it_ignores_forwarded_for_when_no_proxy_is_configured(settings):
    settings.TRUSTED_PROXIES = []

    assert client_ip(request_from("127.0.0.1", "203.0.113.1")) == "127.0.0.1"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("203.0.113.1", "203.0.113.1"),
        # The client may put anything on the left; only what the proxy appended counts.
        ("192.0.2.99, 203.0.113.1", "203.0.113.1"),
        ("not-an-address, 203.0.113.1", "203.0.113.1"),
        # A chain of trusted proxies is walked through to the first outside address.
        ("203.0.113.1, 10.1.2.3", "203.0.113.1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("203.0.113.1:5000", "203.0.113.1"),
        ("", "10.0.0.5"),
    ],
)
def test_it_reads_the_client_behind_a_trusted_proxy(settings, forwarded, client):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_ip(request_from("10.0.0.5", forwarded)) == client


def test_it_trusts_single_addresses_and_ipv6_networks(settings):
    settings.TRUSTED_PROXIES = ["192.0.2.1", "fd00::/8"]

    assert client_ip(request_from("192.0.2.1", "203.0.113.1")) == "203.0.113.1"
    assert client_ip(request_from("fd00::1", "203.0.113.2")) == "203.0.113.2"
    assert client_ip(request_from("192.0.2.2", "203.0.113.3")) == "192.0.2.2"


def test_it_reads_trusted_proxies_strictly(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1 ,::1")
    assert env_networks("TRUSTED_PROXIES", []) == ["10.0.0.0/8", "192.0.2.1/32", "::1/128"]

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8,proxy.example.org")
    with pytest.raises(ImproperEnvironment, match=r"proxy\.example\.org"):
        env_networks("TRUSTED_PROXIES", [])
