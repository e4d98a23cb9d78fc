"""Pytest fixtures for tests that talk to the loopback ARM server with a test credential.

tests/conftest.py imports them, so every test module can use them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.arm_server import ArmServer
from tests.support.azure_credential import StaticTokenCredential


@pytest.fixture
def arm_server() -> Iterator[ArmServer]:
    """A started :class:`ArmServer` (fresh routes, log and CA per test), stopped afterwards.

    The test fails if the server recorded an unexpected error (e.g. a broken route body).
    """
    with ArmServer() as server:
        yield server
    assert not server.errors, f"ArmServer errors: {server.errors!r}"


@pytest.fixture
def azure_credential() -> Iterator[StaticTokenCredential]:
    """A :class:`StaticTokenCredential` giving ``test-token``."""
    with StaticTokenCredential() as credential:
        yield credential
