"""The values of one connector's variables script, typed and ready for checks to use."""

from __future__ import annotations

import functools
import os
from pathlib import Path, PureWindowsPath
from typing import NamedTuple

from readiness.deployment import ConnectorInput
from readiness.files import resolved
from readiness.model import Location
from readiness.text import display
from readiness.variables import Assignment, Value, VariablesScript


def display_path(path: Path) -> str:
    """A path as the user would recognise it (relative to the current folder when inside it),
    on one line."""
    try:
        return display(_relative(path, str(Path.cwd())))
    except OSError:  # the current folder was deleted
        return display(path)


@functools.lru_cache(maxsize=256)
def _relative(path: Path, cwd: str) -> str:
    # Every result names its file: resolving (a system call per folder) is done once per path.
    try:
        return str(resolved(path).relative_to(resolved(Path(cwd))))
    except (ValueError, OSError):
        return str(path)


class ConnectorVariables(NamedTuple):
    """Read access to `$Px…` values of one connector, with their lines for results."""

    script: VariablesScript
    connector: ConnectorInput

    def assignment(self, name: str) -> Assignment | None:
        return self.script.get(name)

    def value(self, name: str) -> Value:
        found = self.script.get(name)
        return found.value if found is not None and found.resolved else None

    def text(self, name: str) -> str | None:
        """A string (or number) value, stripped; None when unset, empty or not a scalar."""
        value = self.value(name)
        if isinstance(value, bool) or value is None or isinstance(value, list):
            return None
        text = str(value).strip()
        return text or None

    def items(self, name: str) -> list[str] | None:
        """An array value (a single string counts as one item); None when unset."""
        value = self.value(name)
        if value is None:
            return None
        values = value if isinstance(value, list) else [value]
        return [str(v).strip() for v in values if v is not None]

    def location(self, name: str) -> Location:
        return Location(display_path(self.script.path), self.script.location(name))

    @property
    def fqdn(self) -> str | None:
        text = self.text("PxTeamsConnFqdn")
        return text.rstrip(".").lower() if text else None

    @property
    def node_fqdns(self) -> list[str]:
        """`$PxNodeFqdns` is one comma-separated string; an array is accepted too."""
        raw = self.items("PxNodeFqdns") or []
        names: list[str] = []
        for item in raw:
            names.extend(part.strip() for part in item.split(","))
        return [n for n in names if n]

    @property
    def instance_count(self) -> int | None:
        value = self.value("PxTeamsConnInstanceCount")
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value if abs(value) < 10**9 else None
        text = value.strip() if isinstance(value, str) else ""
        if text.isascii() and text.isdecimal() and len(text) <= 9:
            return int(text)
        return None

    def pfx_path(self) -> Path | None:
        """The PFX: pxready.toml or --pfx first, else `$PxPfxCertFileName` beside the script."""
        if self.connector.pfx_path is not None:
            return self.connector.pfx_path
        name = self.text("PxPfxCertFileName")
        if name is None:
            return None
        return resolve_script_path(name, self.script.path.parent)


def resolve_script_path(value: str, folder: Path) -> Path:
    """A path written in a Windows script (`.\\x.pfx`, `C:\\certs\\x.pfx`) on this OS."""
    if os.name == "nt":
        path = Path(value)
    else:
        windows = PureWindowsPath(value)
        if windows.drive:
            return Path(value)  # a drive path cannot exist here; kept as written for messages
        path = Path(value.replace("\\", "/"))
    return path if path.is_absolute() else folder / path
