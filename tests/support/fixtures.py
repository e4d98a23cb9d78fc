"""Pytest fixtures for network tests: live loopback servers and a small session PKI.

tests/conftest.py imports them, so every test module can use them. Each server fixture
starts its server for one test and stops it afterwards (sockets closed, threads joined).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.dns_server import DnsServer
from tests.support.http_server import HttpServer
from tests.support.pki import NetPki, make_intermediate, make_leaf, make_root

__all__ = ["NetPki", "dns_server", "http_server", "test_pki"]

PKI_NAMES = ("px1.example.com", "px-pool.example.com")


@pytest.fixture
def dns_server() -> Iterator[DnsServer]:
    """A running DnsServer with an empty zone."""
    with DnsServer() as server:
        yield server


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    """A running HttpServer with no routes (every path 404 until routed)."""
    with HttpServer() as server:
        yield server


@pytest.fixture(scope="session")
def test_pki() -> NetPki:
    """A small ECDSA PKI made once per session."""
    root = make_root("pxready Net Test Root")
    intermediate = make_intermediate(root, "pxready Net Test Issuing CA")
    leaf = make_leaf(intermediate, PKI_NAMES)
    return NetPki(root, intermediate, leaf)
