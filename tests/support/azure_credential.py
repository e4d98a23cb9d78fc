"""Test credentials for the Azure SDK: a fixed token, or a sign-in failure. No network at all.

azure-core 1.41's ``BearerTokenCredentialPolicy`` calls ``get_token_info(*scopes, options=)``
when the credential has it and ``get_token(*scopes, **kwargs)`` otherwise; both credentials
here implement both, and record which one was asked and for which scopes.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any, Self

from azure.core.credentials import AccessToken, AccessTokenInfo, TokenRequestOptions
from azure.core.exceptions import ClientAuthenticationError

ARM_SCOPE = "https://management.azure.com/.default"
"""The scope ARM clients ask for in the public cloud."""

NOT_SIGNED_IN = (
    "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
    "Attempted credentials:\n"
    "\tEnvironmentCredential: EnvironmentCredential authentication unavailable. "
    "Environment variables are not fully configured.\n"
    "\tAzureCliCredential: Please run 'az login' to set up an account"
)
"""A shortened version of what ``DefaultAzureCredential`` says when nobody is signed in."""


class _RecordingCredential:
    """Shared bookkeeping: which method was called with which scopes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[tuple[str, tuple[str, ...]]] = []
        self.closed = False

    def _note(self, method: str, scopes: tuple[str, ...]) -> None:
        with self._lock:
            self._calls.append((method, scopes))

    @property
    def calls(self) -> list[tuple[str, tuple[str, ...]]]:
        """``(method name, scopes)`` for every token request, in order."""
        with self._lock:
            return list(self._calls)

    @property
    def scopes_requested(self) -> list[tuple[str, ...]]:
        """The scopes of every token request, in order."""
        return [scopes for _, scopes in self.calls]

    def close(self) -> None:
        """Nothing to release; remembers that it was closed."""
        self.closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class StaticTokenCredential(_RecordingCredential):
    """A ``TokenCredential``/``SupportsTokenInfo`` that always returns the same bearer token."""

    def __init__(self, token: str = "test-token", lifetime: int = 3600) -> None:
        super().__init__()
        self.token = token
        self.lifetime = lifetime

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """``AccessToken(token, now + lifetime)``."""
        self._note("get_token", scopes)
        return AccessToken(self.token, int(time.time()) + self.lifetime)

    def get_token_info(
        self, *scopes: str, options: TokenRequestOptions | None = None
    ) -> AccessTokenInfo:
        """``AccessTokenInfo(token, now + lifetime)``; what azure-core 1.41 prefers."""
        self._note("get_token_info", scopes)
        return AccessTokenInfo(self.token, int(time.time()) + self.lifetime)


class FailingCredential(_RecordingCredential):
    """A credential whose every token request raises ``exc`` (default: "not signed in")."""

    def __init__(self, exc: ClientAuthenticationError | None = None) -> None:
        super().__init__()
        self.exc = exc if exc is not None else ClientAuthenticationError(message=NOT_SIGNED_IN)

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """Raise :attr:`exc`."""
        self._note("get_token", scopes)
        raise self.exc

    def get_token_info(
        self, *scopes: str, options: TokenRequestOptions | None = None
    ) -> AccessTokenInfo:
        """Raise :attr:`exc`."""
        self._note("get_token_info", scopes)
        raise self.exc
