"""One `pxready check` run: configuration → selection → checks → report → output."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from readiness import __version__
from readiness.check import CheckSkipped, CheckSpec
from readiness.commands.options import write_output
from readiness.config import ConfigError, ConfigProblem, Overrides, load
from readiness.connector import display_path
from readiness.context import Context, RunState
from readiness.deployment import Deployment
from readiness.model import ExitCode, FailOn, Report, Verdict
from readiness.registry import SelectionError, load_registry, not_in_this_version, select
from readiness.reporters import RenderOptions, UnknownFormat, format_for_output, renderer
from readiness.runner import run, unused_waivers
from readiness.secrets import Secret


@dataclass(frozen=True)
class CheckRequest:
    overrides: Overrides = field(default_factory=Overrides)
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


def use_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _is_tty(stream) and os.environ.get("TERM") != "dumb"


def run_check(
    request: CheckRequest, *, now: dt.datetime | None = None, cwd: Path | None = None
) -> ExitCode:
    now = now or dt.datetime.now(dt.UTC)
    cwd = cwd or Path.cwd()
    deployment, settings = load(request.overrides, cwd)
    registry = load_registry()
    try:
        specs = select(
            registry.specs, request.only or settings.only, (*settings.skip, *request.skip)
        )
    except SelectionError as error:
        raise ConfigError([ConfigProblem(str(error))]) from None
    if not deployment.connectors and not deployment.node_certificates:
        raise ConfigError(
            [
                ConfigProblem(
                    "nothing to check: give --vars PATH (the Pexip variables script), "
                    "--node-cert PATH, "
                    "or --config PATH (a pxready.toml); none was found in the current folder"
                )
            ]
        )
    outputs = []
    for spec in request.outputs:
        try:
            fmt, path = format_for_output(spec, request.fmt)
            outputs.append((renderer(fmt), path if path.is_absolute() else cwd / path))
        except UnknownFormat as error:
            raise ConfigError([ConfigProblem(f"--output {spec}: {error}")]) from None
    primary = renderer(request.fmt)

    state = RunState()
    _ask_passwords(specs, deployment, state, now)
    progress = _Progress(sys.stderr) if _is_tty(sys.stderr) else None
    results = run(
        specs,
        deployment,
        now=now,
        state=state,
        load_problems=registry.problems,
        on_done=progress.done if progress else None,
    )
    if progress:
        progress.clear()
    report = Report(
        tool_version=__version__,
        generated_at=now,
        inputs=describe_inputs(deployment, state, now),
        results=tuple(results),
        verdict=Verdict(FailOn(request.fail_on), request.strict),
        notes=(
            *unused_waivers(results, deployment),
            *(
                f"{cid} is not in this version of pxready, so it was not run"
                for cid in not_in_this_version(registry.specs, request.only or settings.only)
            ),
        ),
    )

    for render, path in outputs:
        write_output(path, render(report, RenderOptions(width=100)), "report")
    color = use_color(sys.stdout)
    width = shutil.get_terminal_size((100, 24)).columns if color else 100
    if outputs:
        summary = renderer("table")
        sys.stdout.write(
            summary(report, RenderOptions(color=color, width=width, summary_only=True))
        )
    else:
        sys.stdout.write(
            primary(
                report,
                RenderOptions(
                    color=color and request.fmt == "table",
                    width=width,
                    quiet=request.quiet,
                    verbose=request.verbose,
                ),
            )
        )
    sys.stdout.flush()
    return report.exit_code


def describe_inputs(deployment: Deployment, state: RunState, now: dt.datetime) -> dict[str, Any]:
    """The `inputs` of the report: what was checked. Never a secret."""
    connectors = []
    for connector in deployment.connectors:
        ctx = Context(deployment, state, now, connector)
        entry: dict[str, Any] = {
            "vars": display_path(connector.vars_path) if connector.vars_path else None,
            "connector_fqdn": None,
            "azure_location": None,
            "instance_count": None,
        }
        if connector.name:
            entry["name"] = connector.name
        try:
            variables = ctx.variables()
        except CheckSkipped:
            variables = None
        if variables is not None:
            entry["connector_fqdn"] = variables.fqdn
            entry["azure_location"] = variables.text("PxAzureLocation")
            entry["instance_count"] = variables.instance_count
            pfx = variables.pfx_path()
            entry["pfx"] = display_path(pfx) if pfx else None
        connectors.append(entry)
    first = (
        connectors[0]
        if connectors
        else {"vars": None, "connector_fqdn": None, "azure_location": None, "instance_count": None}
    )
    return {
        **first,
        "offline": deployment.offline,
        "config": display_path(deployment.config_path) if deployment.config_path else None,
        "at": (deployment.at or now).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "node_certificates": [display_path(p) for p in deployment.node_certificates],
        "connectors": connectors,
    }


def _ask_passwords(
    specs: list[CheckSpec], deployment: Deployment, state: RunState, now: dt.datetime
) -> None:
    """Prompt for PFX passwords before the run, only on a terminal and only when needed."""
    if not any(s.uses_pfx_password for s in specs) or not _is_tty(sys.stdin):
        return
    import getpass

    for connector in deployment.connectors:
        env = connector.pfx_password_env
        if env in os.environ or env in state.passwords:
            continue
        try:
            pfx = Context(deployment, state, now, connector).variables().pfx_path()
        except CheckSkipped:
            continue
        if pfx is None or not pfx.is_file():
            continue
        try:
            value = getpass.getpass(
                f"Password for {display_path(pfx)} (not echoed; set {env} to skip this prompt): ",
                stream=sys.stderr,
            )
        except (EOFError, KeyboardInterrupt):
            continue
        state.passwords[env] = Secret(value)


class _Progress:
    """A live line on stderr while checks run on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.count = 0

    def done(self, job: Any, results: Any) -> None:
        self.count += 1
        self.stream.write(f"\rpxready: {self.count} checks done, last {job.spec.id:<30}")
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r" + " " * 70 + "\r")
        self.stream.flush()
