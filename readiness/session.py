"""One `pxready check` run: configuration → selection → checks → report → output."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from readiness import __version__, waivers
from readiness.check import CheckSkipped, CheckSpec
from readiness.commands.options import (
    ReaderGone,
    current_folder,
    write_output,
    write_stdout,
)
from readiness.config import ConfigError, ConfigProblem, Overrides, load
from readiness.connector import display_path
from readiness.context import Run
from readiness.exitcodes import ExitCode
from readiness.files import resolved
from readiness.model import ConnectorInputs, FailOn, Report, ReportInputs, Verdict
from readiness.registry import SelectionError, load_registry, select
from readiness.reporters import (
    Renderer,
    RenderOptions,
    UnknownFormat,
    format_for_output,
    renderer,
)
from readiness.runner import run_checks
from readiness.secrets import Secret, SecretRegistry
from readiness.text import display


class CheckRequest(NamedTuple):
    overrides: Overrides = Overrides()
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    fmt: str = "table"
    outputs: tuple[str, ...] = ()
    fail_on: str = "fail"
    strict: bool = False
    quiet: bool = False
    verbose: bool = False


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def terminal_width(stream: TextIO, default: int = 100) -> int:
    """COLUMNS when set (also for plain output), else the terminal's width, else `default`."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isascii() and columns.isdecimal() and 20 <= int(columns[:6]) <= 10000:
        return int(columns)
    if _is_tty(stream):
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError):
            pass
    return default


def use_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _is_tty(stream) and os.environ.get("TERM") != "dumb"


def build_report(
    request: CheckRequest,
    *,
    now: dt.datetime | None = None,
    cwd: Path | None = None,
    interactive: bool = False,
    resources: Mapping[str, Any] | None = None,
) -> Report:
    """Configuration → selection → checks → report. `interactive` asks for passwords and shows
    progress when a terminal is there; tests drive this function in-process without it.
    `resources` are shared clients the caller provides instead of pxready making its own (an
    embedding program's `azure-credential`, say)."""
    return _check(request, now=now, cwd=cwd, interactive=interactive, resources=resources)[0]


def _check(
    request: CheckRequest,
    *,
    now: dt.datetime | None,
    cwd: Path | None,
    interactive: bool,
    resources: Mapping[str, Any] | None = None,
) -> tuple[Report, SecretRegistry]:
    now = now or dt.datetime.now(dt.UTC)
    cwd = cwd or current_folder()
    deployment, settings = load(request.overrides, cwd)
    registry = load_registry()
    only = request.only or settings.only
    try:
        specs = select(registry, only, (*settings.skip, *request.skip))
    except SelectionError as error:
        raise ConfigError([ConfigProblem(str(error))]) from None
    if not deployment.connectors and not deployment.node_certificates:
        raise ConfigError([ConfigProblem(_nothing_to_check(deployment.config_path))])
    run = Run(deployment, now)
    run.resources.update(resources or {})
    progress = None
    if interactive:
        _ask_passwords(specs, run)
        if _is_tty(sys.stderr) and not request.quiet:
            from readiness.progress import Progress  # a terminal only: not the hook's path

            progress = Progress(sys.stderr, run.activity)
    try:
        results = run_checks(
            specs,
            run,
            load_problems=registry.problems,
            progress=progress,
        )
    finally:
        run.close()
        if progress:
            progress.clear()
    report = Report(
        tool_version=__version__,
        generated_at=now,
        inputs=describe_inputs(run),
        results=tuple(results),
        verdict=Verdict(FailOn(request.fail_on), request.strict),
        notes=(
            *waivers.unused(results, deployment.waivers),
            *(
                f"{cid} is not in this version of pxready, so it was not run"
                for cid in registry.planned_matching(only)
            ),
        ),
    )
    return report, run.secrets


def _nothing_to_check(config: Path | None) -> str:
    if config is not None:
        return (
            f"nothing to check: {display_path(config)} names no variables script "
            "([[connector]] vars) and no node certificates ([nodes] certificates)"
        )
    return (
        "nothing to check: give --vars PATH (the Pexip variables script), --node-cert PATH, or "
        "--config PATH (a pxready.toml); none was found in the current folder"
    )


def run_check(
    request: CheckRequest, *, now: dt.datetime | None = None, cwd: Path | None = None
) -> ExitCode:
    """The whole `pxready check`: the report, written where the request says."""
    cwd = cwd or current_folder()
    outputs = _outputs(request, cwd)
    primary = renderer(request.fmt)
    report, secrets = _check(request, now=now, cwd=cwd, interactive=True)
    for render, fmt, path in outputs:
        text = secrets.scrub_text(render(report, RenderOptions(width=100)))
        write_output(path, text, "report")
        print(f"pxready: wrote {display_path(path)} ({fmt})", file=sys.stderr)
    color = use_color(sys.stdout)
    options = RenderOptions(
        color=color and (request.fmt == "table" or bool(outputs)),
        width=terminal_width(sys.stdout),
        quiet=request.quiet,
        verbose=request.verbose,
        summary_only=bool(outputs),
    )
    text = (renderer("table") if outputs else primary)(report, options)
    # A reader that goes away takes nothing from the verdict: the exit code still says it.
    with contextlib.suppress(ReaderGone):
        write_stdout(secrets.scrub_text(text))
    return report.exit_code


def _outputs(request: CheckRequest, cwd: Path) -> list[tuple[Renderer, str, Path]]:
    """The `--output` files: each format known, each path named once."""
    outputs: list[tuple[Renderer, str, Path]] = []
    seen: dict[Path, str] = {}
    for spec in request.outputs:
        try:
            fmt, path = format_for_output(spec, request.fmt)
        except UnknownFormat as error:
            raise ConfigError([ConfigProblem(f"--output {display(spec)}: {error}")]) from None
        full = path if path.is_absolute() else cwd / path
        key = resolved(full)
        if key in seen:
            raise ConfigError(
                [
                    ConfigProblem(
                        f"--output {display(spec)}: the same file as --output "
                        f"{display(seen[key])}; give each report its own file"
                    )
                ]
            )
        seen[key] = spec
        outputs.append((renderer(fmt), fmt, full))
    return outputs


def describe_inputs(run: Run) -> ReportInputs:
    """The `inputs` of the report: what was checked. Never a secret."""
    deployment = run.deployment
    connectors = []
    for connector in deployment.connectors:
        entry = ConnectorInputs(
            vars=display_path(connector.vars_path) if connector.vars_path else None,
            name=connector.name,
        )
        try:
            variables = run.context(connector).variables()
        except CheckSkipped:
            variables = None
        if variables is not None:
            pfx = variables.pfx_path()
            entry = ConnectorInputs(
                vars=entry.vars,
                connector_fqdn=variables.fqdn,
                azure_location=variables.text("PxAzureLocation"),
                instance_count=variables.instance_count,
                name=connector.name,
                pfx=display_path(pfx) if pfx else None,
            )
        connectors.append(entry)
    at = (deployment.at or run.now).astimezone(dt.UTC)
    return ReportInputs(
        connectors=tuple(connectors),
        offline=deployment.offline,
        config=display_path(deployment.config_path) if deployment.config_path else None,
        at=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        node_certificates=tuple(display_path(p) for p in deployment.node_certificates),
        contributed={k: tuple(v) for k, v in run.contributed.items()},
    )


def _ask_passwords(specs: list[CheckSpec], run: Run) -> None:
    """Ask for the passwords the selected checks need before the run, on a terminal only."""
    needy = [s for s in specs if s.passwords is not None]
    if not needy or not _is_tty(sys.stdin):
        return
    import getpass

    contexts = [run.context(c) for c in run.deployment.connectors] or [run.context()]
    for spec in needy:
        assert spec.passwords is not None
        for ctx in contexts:
            for need in spec.passwords(ctx):
                if need.env in os.environ or need.env in run.passwords:
                    continue
                try:
                    value = getpass.getpass(
                        f"Password for {display_path(need.path)} (not echoed; set {need.env} "
                        "to skip this prompt): ",
                        stream=sys.stderr,
                    )
                except EOFError:
                    continue
                except BaseException:
                    # Ctrl-C at the prompt: end the prompt's line so the last word starts its own.
                    print(file=sys.stderr)
                    raise
                run.passwords[need.env] = Secret(value, typed=True)
