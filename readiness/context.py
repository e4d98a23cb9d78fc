"""What a check may use: the deployment, its connector, the clock, and shared memoised work.

One `Run` holds what every check of a run shares; a `Context` is the run seen from one
connector (or from the whole deployment). Expensive work that several checks need (reading a
variables script, opening the PFX) is done once per run through `Context.memo`, which is safe
to call from worker threads. A loader that cannot produce what checks need raises
`CheckSkipped`; every check that needs it then becomes `skip` with the same reason, which is
how a failed prerequisite shows.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from readiness.activity import Activity
from readiness.check import CheckSkipped
from readiness.connector import ConnectorVariables, display_path
from readiness.deployment import ConnectorInput, Deployment
from readiness.secrets import Secret, SecretRegistry

if TYPE_CHECKING:
    from readiness.adapters.azure import Arm
    from readiness.adapters.dns import Resolver
    from readiness.adapters.http import Fetcher
    from readiness.adapters.limits import Limits
    from readiness.adapters.tls import TlsProber
    from readiness.variables import VariablesScript

T = TypeVar("T")


class Memo:
    """Compute each key once per run, even when threads ask at the same time."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Any, threading.Lock] = {}
        self._done: dict[Any, tuple[bool, Any]] = {}

    def get(self, key: Any, factory: Callable[[], T]) -> T:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._done:
                try:
                    self._done[key] = (True, factory())
                except Exception as exc:
                    self._done[key] = (False, exc)
            ok, value = self._done[key]
        if ok:
            return value  # type: ignore[no-any-return]
        raise value


@dataclass
class Run:
    """What every check of one run shares."""

    deployment: Deployment
    now: dt.datetime
    memo: Memo = field(default_factory=Memo)
    secrets: SecretRegistry = field(default_factory=SecretRegistry)
    # Passwords collected before the run (a prompt cannot appear in the middle of it).
    passwords: dict[str, Secret] = field(default_factory=dict)
    # What checks add to the report's `inputs` (certificate facts, say), by section.
    contributed: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # Shared clients (resolver, HTTP, TLS, Azure), created on first use, closed at the end.
    resources: dict[str, Any] = field(default_factory=dict)
    # What the network adapters are waiting for, for the progress line.
    activity: Activity = field(default_factory=Activity)

    def context(self, connector: ConnectorInput | None = None) -> Context:
        return Context(self, connector)

    def resource(self, name: str, factory: Callable[[], T]) -> T:
        """The run's one instance of a shared client, made on first use."""
        with self._lock:
            if name not in self.resources:
                self.resources[name] = factory()
            return self.resources[name]  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Close the shared clients (on the event loop that used them)."""
        with self._lock:
            resources = list(self.resources.values())
            self.resources.clear()
        for resource in resources:
            closer = getattr(resource, "aclose", None)
            if closer is not None:
                await closer()
            elif hasattr(resource, "close"):
                resource.close()

    def close(self) -> None:
        """Close what is left after the run (clients used only from worker threads)."""
        with self._lock:
            resources = list(self.resources.values())
            self.resources.clear()
        for resource in resources:
            if hasattr(resource, "close"):
                resource.close()

    def contribute(self, section: str, item: Mapping[str, Any]) -> None:
        with self._lock:
            entries = self.contributed.setdefault(section, [])
            if item not in entries:
                entries.append(item)


class ScriptLoad(NamedTuple):
    """A variables script, or the one-line reason it could not be read."""

    script: VariablesScript | None
    problem: str | None


class Context(NamedTuple):
    run: Run
    connector: ConnectorInput | None = None

    @property
    def deployment(self) -> Deployment:
        return self.run.deployment

    @property
    def now(self) -> dt.datetime:
        return self.run.now

    @property
    def at(self) -> dt.datetime:
        """When certificates are judged: `--at` (the planned install day) or now."""
        return self.deployment.at or self.now

    @property
    def timeout(self) -> float:
        return self.deployment.timeout

    @property
    def offline(self) -> bool:
        return self.deployment.offline

    def memo(self, key: Any, factory: Callable[[], T]) -> T:
        return self.run.memo.get(key, factory)

    def for_connector(self, connector: ConnectorInput) -> Context:
        """The same run, seen from another connector."""
        return self.run.context(connector)

    def contribute(self, section: str, item: Mapping[str, Any]) -> None:
        """Add facts to the report's `inputs` under `section` (never a secret)."""
        self.run.contribute(section, self.run.secrets.scrub(item))

    # -- the variables script ------------------------------------------------------------
    def load_script(self) -> ScriptLoad:
        """The connector's script as read, or why it could not be read (for vars.parse)."""
        connector = self._require_connector()
        path = connector.vars_path
        if path is None:
            return ScriptLoad(None, "no variables script given (--vars or [[connector]] vars)")

        def read() -> ScriptLoad:
            from readiness.files import InputFileError
            from readiness.variables import ScriptDecodeError, read_script

            try:
                script = read_script(path)
            except InputFileError as problem:
                return ScriptLoad(None, f"{display_path(path)} {problem.message}")
            except ScriptDecodeError as exc:
                return ScriptLoad(None, f"{display_path(path)} is not readable text: {exc}")
            self.run.secrets.add_script(script)
            return ScriptLoad(script, None)

        return self.memo(("script", path), read)

    def variables(self) -> ConnectorVariables:
        """The parsed script for checks that need it; `skip` when it is unusable."""
        load = self.load_script()
        if load.script is None:
            raise CheckSkipped(
                f"the variables script could not be read ({load.problem})",
                because="no variables script"
                if self._require_connector().vars_path is None
                else "variables script unreadable",
            )
        syntax = load.script.syntax
        if syntax is not None:
            what = "pxready cannot read" if syntax.ours else "PowerShell would reject"
            raise CheckSkipped(
                f"{what} the variables script (line {syntax.line}: {syntax.message})",
                because="variables script unreadable",
            )
        return ConnectorVariables(load.script, self._require_connector())

    @property
    def default_target(self) -> str:
        """A result's target when the check names none: the connector's FQDN, else its script;
        for a deployment-wide check, the configuration file that describes the deployment."""
        connector = self.connector
        if connector is None:
            config = self.deployment.config_path
            return display_path(config) if config is not None else "deployment"
        load = self.load_script()
        if load.script is not None and load.script.syntax is None:
            fqdn = ConnectorVariables(load.script, connector).fqdn
            if fqdn:
                return fqdn
        if connector.vars_path is not None:
            return display_path(connector.vars_path)
        return connector.name or f"connector {connector.position + 1}"

    # -- the network: never under --offline ---------------------------------------------
    # Each adapter is made on first use, on the run's event loop, and shared by every check.
    def resolver(self) -> Resolver:
        """The run's DNS resolver (--nameserver, [dns] nameservers, else the system's)."""
        from readiness.adapters.dns import Resolver

        limits = self._limits()
        nameservers = self.deployment.nameservers
        return self.run.resource("resolver", lambda: Resolver(limits, nameservers))

    def http(self) -> Fetcher:
        """The run's HTTP fetcher for URLs from certificates."""
        from readiness.adapters.http import Fetcher

        limits = self._limits()
        return self.run.resource("http", lambda: Fetcher(limits))

    def tls(self) -> TlsProber:
        """The run's TLS prober."""
        from readiness.adapters.tls import TlsProber

        limits = self._limits()
        return self.run.resource("tls", lambda: TlsProber(limits))

    def azure(self) -> Arm:
        """The run's Azure Resource Manager client, signed in with the default credential
        chain (or the credential the caller put in the run's `azure-credential` resource)."""
        from readiness.adapters.azure import Arm

        limits = self._limits()
        azure = self.deployment.azure
        credential = self.run.resources.get("azure-credential")
        return self.run.resource(
            "azure", lambda: Arm(limits, azure.endpoint, azure.authority, credential)
        )

    def _limits(self) -> Limits:
        if self.offline:
            raise RuntimeError("a check asked for the network under --offline")
        from readiness.adapters.limits import Limits

        return self.run.resource("limits", lambda: Limits(self.timeout, self.run.activity))

    # -- secrets -------------------------------------------------------------------------
    def password(self, env_name: str) -> Secret | None:
        """A password from the environment (or typed at the prompt before the run)."""
        secret = self.run.passwords.get(env_name)
        if secret is None:
            raw = os.environ.get(env_name)
            secret = Secret(raw) if raw is not None else None
        if secret is not None:
            self.run.secrets.add(secret)
        return secret

    def _require_connector(self) -> ConnectorInput:
        if self.connector is None:
            raise CheckSkipped(
                "this check runs per connector, and none is configured", because="no connector"
            )
        return self.connector
