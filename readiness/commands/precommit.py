"""`pxready pre-commit FILES…`: what the pre-commit hooks run.

A configuration repository often holds one folder per region, each with its own pxready.toml.
The hook is given the files a commit touches; each deployment they belong to (the nearest
pxready.toml above a file, or a variables script that has none) is checked once, and the
commit is blocked when any of them is not ready. Only what failed is shown, unless asked.
"""

from __future__ import annotations

import sys
from pathlib import Path

from readiness.commands.options import current_folder, exit_for_config_error
from readiness.config import CONFIG_FILE_NAME, ConfigError, Overrides
from readiness.connector import display_path
from readiness.exitcodes import ExitCode

# Worst first: a deployment that could not be checked blocks as surely as one that is not ready.
_SEVERITY = (ExitCode.USAGE, ExitCode.NOT_READY, ExitCode.INCONCLUSIVE, ExitCode.READY)


def deployments(files: list[str], top: Path) -> list[Overrides]:
    """The deployments the files belong to, in the order first met."""
    found: dict[Path, Overrides] = {}
    for name in files:
        path = (top / name).resolve() if not Path(name).is_absolute() else Path(name)
        config = _nearest_config(path.parent, top.resolve())
        if config is not None:
            found.setdefault(config, Overrides(config=config))
        elif path.suffix.lower() == ".ps1" and path.is_file():
            found.setdefault(path, Overrides(vars=path))
    return list(found.values())


def _nearest_config(folder: Path, top: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_FILE_NAME).is_file():
            return candidate / CONFIG_FILE_NAME
        if candidate == top:
            break
    return None


def run(files: list[str], *, online: bool, verbose: bool) -> int:
    from readiness.session import CheckRequest, run_check

    top = current_folder()
    if files:
        targets = deployments(files, top)
        if not targets:
            print("pxready: no deployment among the changed files", file=sys.stderr)
            return int(ExitCode.READY)
    else:
        targets = [Overrides()]
    codes: list[ExitCode] = []
    for overrides in targets:
        overrides = overrides._replace(offline=not online)
        if len(targets) > 1:
            shown = overrides.config or overrides.vars
            print(f"== {display_path(shown) if shown else 'deployment'}", flush=True)
        request = CheckRequest(overrides=overrides, quiet=not verbose, verbose=verbose)
        try:
            codes.append(run_check(request, cwd=top))
        except ConfigError as error:
            try:
                exit_for_config_error(error)
            except SystemExit:
                codes.append(ExitCode.USAGE)
        sys.stdout.flush()
    return int(min(codes, key=_SEVERITY.index))
