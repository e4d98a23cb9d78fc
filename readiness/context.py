"""What a check may use: the deployment, its connector, the clock, and shared memoised work.

Expensive work that several checks need (reading a variables script, opening the PFX) is done
once per run through `Context.memo`, which is safe to call from worker threads. A loader that
cannot produce what checks need raises `CheckSkipped`; every check that needs it then becomes
`skip` with the same reason, which is how a failed prerequisite shows.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from readiness.check import CheckSkipped
from readiness.connector import ConnectorVariables, display_path
from readiness.deployment import ConnectorInput, Deployment
from readiness.secrets import Secret, SecretRegistry

if TYPE_CHECKING:
    from readiness.variables import VariablesScript

T = TypeVar("T")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")


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
class RunState:
    """Shared by every check of one run."""

    memo: Memo = field(default_factory=Memo)
    secrets: SecretRegistry = field(default_factory=SecretRegistry)
    # Passwords collected before the run (a prompt cannot appear in the middle of it).
    passwords: dict[str, Secret] = field(default_factory=dict)


@dataclass(frozen=True)
class ScriptLoad:
    """A variables script, or the one-line reason it could not be read."""

    script: VariablesScript | None
    problem: str | None


@dataclass(frozen=True)
class Context:
    deployment: Deployment
    state: RunState
    now: dt.datetime
    connector: ConnectorInput | None = None

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
        return self.state.memo.get(key, factory)

    # -- the variables script ------------------------------------------------------------
    def load_script(self) -> ScriptLoad:
        """The connector's script as read, or why it could not be read (for vars.parse)."""
        connector = self._require_connector()
        path = connector.vars_path
        if path is None:
            return ScriptLoad(None, "no variables script given (--vars or [[connector]] vars)")

        def read() -> ScriptLoad:
            from readiness.variables import ScriptDecodeError, read_script

            try:
                script = read_script(path)
            except FileNotFoundError:
                return ScriptLoad(None, f"{display_path(path)} does not exist")
            except OSError as exc:
                return ScriptLoad(None, f"{display_path(path)} cannot be read: {exc.strerror}")
            except ScriptDecodeError as exc:
                return ScriptLoad(None, f"{display_path(path)} is not readable text: {exc}")
            self._register_secrets(script)
            return ScriptLoad(script, None)

        return self.memo(("script", path), read)

    def variables(self) -> ConnectorVariables:
        """The parsed script for checks that need it; `skip` when it is unusable."""
        load = self.load_script()
        if load.script is None:
            raise CheckSkipped(f"the variables script could not be read ({load.problem})")
        if load.script.syntax is not None:
            raise CheckSkipped(
                f"the variables script does not parse (line {load.script.syntax.line}: "
                f"{load.script.syntax.message})"
            )
        return ConnectorVariables(load.script, self._require_connector())

    def _register_secrets(self, script: VariablesScript) -> None:
        """Every value of a secret-named variable is scrubbed from all output, and so is every
        quoted text on its line (a value pxready cannot evaluate may still hold a password)."""
        from readiness.variables.model import looks_secret

        for assignment in script.assignments:
            if not looks_secret(assignment.name):
                continue
            values = assignment.value if isinstance(assignment.value, list) else [assignment.value]
            for value in values:
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    self.state.secrets.add(str(value))
            for quoted in _QUOTED.findall(script.line_text(assignment.line)):
                self.state.secrets.add(quoted[1:-1])

    @property
    def default_target(self) -> str:
        """A result's target when the check names none: the connector's FQDN, else its script;
        for a deployment-wide check, the configuration file that describes the deployment."""
        connector = self.connector
        if connector is None:
            config = self.deployment.config_path
            return display_path(config) if config is not None else "deployment"
        try:
            load = self.load_script()
        except CheckSkipped:
            load = ScriptLoad(None, None)
        if load.script is not None and load.script.syntax is None:
            fqdn = ConnectorVariables(load.script, connector).fqdn
            if fqdn:
                return fqdn
        if connector.vars_path is not None:
            return display_path(connector.vars_path)
        return connector.name or f"connector {connector.index + 1}"

    # -- secrets -------------------------------------------------------------------------
    def password(self, env_name: str) -> Secret | None:
        """A password from the environment (or given at the prompt before the run)."""
        secret = self.state.passwords.get(env_name)
        if secret is None:
            raw = os.environ.get(env_name)
            secret = Secret(raw) if raw is not None else None
        if secret is not None:
            self.state.secrets.add(secret)
        return secret

    def _require_connector(self) -> ConnectorInput:
        if self.connector is None:
            raise CheckSkipped("this check runs per connector, and none is configured")
        return self.connector
