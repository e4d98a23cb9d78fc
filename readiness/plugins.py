"""Entry points of the `pxready.checks` group, found without importing importlib.metadata.

importlib.metadata costs about 20 ms to import (email, zipfile, csv), a tenth of the offline
pre-commit run. Installed distributions on ordinary folders are easy to read directly: each
`*.dist-info` (or `*.egg-info`) folder on sys.path may hold an `entry_points.txt` in INI form.
The first distribution of a name on sys.path wins, as in importlib.metadata. Anything unusual
on sys.path (a zip file, an egg) hands the search to importlib.metadata, which knows them all.
"""

from __future__ import annotations

import configparser
import importlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_META_SUFFIXES = (".dist-info", ".egg-info")


@dataclass(frozen=True)
class EntryPoint:
    name: str
    value: str
    dist: str

    def load(self) -> Any:
        module_name, _, attribute = self.value.partition(":")
        loaded: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            loaded = getattr(loaded, part)
        return loaded


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _dist_name(folder: str) -> str:
    """`pxready_acme-1.0.0.dist-info` → `pxready_acme` (the metadata has the display name)."""
    stem = folder.rsplit(".", 1)[0]
    return stem.split("-", 1)[0]


def _display_name(meta: Path, fallback: str) -> str:
    for metadata in ("METADATA", "PKG-INFO"):
        try:
            with (meta / metadata).open(encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("Name:"):
                        return line[5:].strip()
                    if not line.strip():
                        break
        except OSError:
            continue
    return fallback


def _read_group(path: Path, group: str) -> list[tuple[str, str]]:
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # names are case-sensitive
    try:
        with path.open(encoding="utf-8") as f:
            parser.read_file(f)
    except (OSError, configparser.Error, UnicodeDecodeError):
        return []
    if not parser.has_section(group):
        return []
    return [(name, value.strip()) for name, value in parser.items(group)]


def entry_points(group: str) -> list[EntryPoint]:
    found: list[EntryPoint] = []
    seen: set[str] = set()
    for entry in sys.path:
        folder = Path(entry) if entry else Path.cwd()
        if not folder.is_dir():
            if folder.exists():
                return _from_importlib(group)  # a zip or egg: let the standard library read it
            continue
        try:
            names = sorted(p.name for p in folder.iterdir() if p.name.endswith(_META_SUFFIXES))
        except OSError:
            continue
        for name in names:
            key = _normalise(_dist_name(name))
            if key in seen:
                continue
            seen.add(key)
            meta = folder / name
            listed = _read_group(meta / "entry_points.txt", group)
            if listed:
                dist = _display_name(meta, _dist_name(name))
                found.extend(EntryPoint(n, v, dist) for n, v in listed)
    return found


def _from_importlib(group: str) -> list[EntryPoint]:
    from importlib import metadata

    return [
        EntryPoint(ep.name, ep.value, ep.dist.name if ep.dist is not None else "unknown")
        for ep in metadata.entry_points(group=group)
    ]
