"""Report formats. Every format renders the same `Report`; none knows about individual checks.

A format is a module with `render(report: Report, options: RenderOptions) -> str`, imported
only when asked for, so the start-up of an offline run pays only for the format it prints.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from readiness.model import Report

# name → module; the order is the order `--help` lists them.
FORMATS: dict[str, str] = {
    "table": "readiness.reporters.table",
    "json": "readiness.reporters.json_report",
    "markdown": "readiness.reporters.markdown",
    "junit": "readiness.reporters.junit",
    "sarif": "readiness.reporters.sarif",
}
EXTENSIONS: dict[str, str] = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".xml": "junit",
    ".junit": "junit",
    ".sarif": "sarif",
    ".txt": "table",
}


class RenderOptions(NamedTuple):
    color: bool = False
    width: int | None = None
    verbose: bool = False
    quiet: bool = False
    # When the full report goes to a file, the terminal shows the summary only.
    summary_only: bool = False


Renderer = Callable[[Report, RenderOptions], str]


class UnknownFormat(ValueError):
    pass


def available() -> list[str]:
    return [name for name, module in FORMATS.items() if importlib.util.find_spec(module)]


def renderer(name: str) -> Renderer:
    module_name = FORMATS.get(name)
    if module_name is None:
        raise UnknownFormat(f"unknown report format {name!r} (one of: {', '.join(FORMATS)})")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        raise UnknownFormat(f"the {name} format is not available in this version") from None
    render: Renderer = module.render
    return render


def format_for_output(spec: str, chosen: str = "table") -> tuple[str, Path]:
    """The format and path of one `--output`: FORMAT:PATH names it; else a `--format` other
    than the terminal table is the user's choice for the file; else the extension decides
    (`--output r.json --output r.sarif` writes both), and a name without one is the table.

    FORMAT must be a known format name, so a Windows drive (`C:\\r.json`) is never taken for one.
    An extension no format has (`report.html`) is refused rather than guessed.
    """
    head, sep, rest = spec.partition(":")
    if sep and head.lower() in FORMATS:
        if not rest.strip():
            raise UnknownFormat(f"no file name after '{head}:' (write {head}:PATH)")
        return head.lower(), Path(rest)
    if sep and rest and re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]+", head):
        # `jnuit:r.xml` is a typo, not a file name to create; one letter is a Windows drive.
        raise UnknownFormat(f"unknown report format {head!r} (one of: {', '.join(FORMATS)})")
    if not spec.strip():
        raise UnknownFormat("no file name")
    path = Path(spec)
    if chosen != "table":
        return chosen, path
    suffix = path.suffix.lower()
    if suffix and suffix not in EXTENSIONS:
        known = ", ".join(sorted(EXTENSIONS))
        raise UnknownFormat(
            f"no report format writes '{suffix}' files ({known}); name the format: "
            f"--format FORMAT or --output FORMAT:{spec}"
        )
    return EXTENSIONS.get(suffix, "table"), path
