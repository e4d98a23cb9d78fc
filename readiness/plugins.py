"""Entry points of a group, read from installed distributions without importing
importlib.metadata.

importlib.metadata is the authority, but importing it (email, zipfile, csv) and scanning with it
cost about 9 ms on the offline pre-commit path, 7% of a whole run and the difference between
meeting the start-up target and missing it (README, "Performance"). Distributions installed in
ordinary folders are simple to read: each `*.dist-info` or `*.egg-info` folder on sys.path may
hold an `entry_points.txt` in INI form, and the first distribution of a name on sys.path wins,
as in importlib.metadata. Anything else on sys.path (a zip file, an egg) hands the whole search
to importlib.metadata. A test holds this reader to importlib.metadata's answers.
"""

from __future__ import annotations

import configparser
import importlib
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

_META_SUFFIXES = (".dist-info", ".egg-info")


class EntryPoint(NamedTuple):
    name: str
    value: str
    dist: Any  # the distribution's folder (a Path), or an importlib.metadata Distribution

    def load(self) -> Any:
        module_name, _, attribute = self.value.partition(":")
        loaded: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            loaded = getattr(loaded, part)
        return loaded


def distribution_name(dist: Any) -> str:
    """The display name of an entry point's distribution (read from its metadata only now)."""
    if not isinstance(dist, Path):
        return str(dist.name) if dist is not None else "unknown"
    for metadata in ("METADATA", "PKG-INFO"):
        try:
            with (dist / metadata).open(encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if line.startswith("Name:"):
                        return line[5:].strip()
                    if not line.strip():
                        break
        except OSError:
            continue
    return dist.name.split("-", 1)[0]


def entry_points(group: str) -> list[EntryPoint]:
    found: list[EntryPoint] = []
    seen: set[str] = set()
    for entry in sys.path:
        folder = Path(entry) if entry else Path.cwd()
        if not folder.is_dir():
            if folder.exists():  # a zip or an egg: the standard library knows them all
                return _from_importlib(group)
            continue
        try:
            names = sorted(p.name for p in folder.iterdir() if p.name.endswith(_META_SUFFIXES))
        except OSError:
            continue
        for name in names:
            # `pxready_acme-1.0.dist-info` → pxready_acme: normalised as importlib.metadata does
            key = re.sub(r"[-_.]+", "_", name.rsplit(".", 1)[0].split("-", 1)[0]).lower()
            if key in seen:
                continue
            seen.add(key)
            meta = folder / name
            found.extend(EntryPoint(n, v, meta) for n, v in _read_group(meta, group))
    return found


def _read_group(meta: Path, group: str) -> list[tuple[str, str]]:
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # names are case-sensitive
    try:
        with (meta / "entry_points.txt").open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, configparser.Error, UnicodeDecodeError):
        return []
    if not parser.has_section(group):
        return []
    return [(name, value.strip()) for name, value in parser.items(group)]


def _from_importlib(group: str) -> list[EntryPoint]:
    from importlib import metadata

    return [EntryPoint(ep.name, ep.value, ep.dist) for ep in metadata.entry_points(group=group)]
