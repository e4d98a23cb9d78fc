"""The `pxready` command: a thin layer that turns flags into a run and a run into output.

Exit codes: 0 ready, 1 not ready, 2 the command could not run (one line on stderr, never a
traceback), 3 inconclusive. Without --output the report is the only thing on stdout.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from readiness import __version__
from readiness.commands.options import UsageProblem, exit_for_config_error, input_options
from readiness.exitcodes import ExitCode
from readiness.text import quoted

# The formats of readiness.reporters, named here so that building the CLI imports no reporter.
CHECK_FORMATS = ["table", "json", "markdown", "junit", "sarif"]
COMMAND_GROUP = "pxready.commands"
# Certificates are judged at --at: X.509 times run from 1950 to 9999.
MIN_YEAR, MAX_YEAR = 1950, 9998

if TYPE_CHECKING:
    from readiness.session import CheckRequest


class _Commands(click.Group):
    """pxready's own commands, plus those that plugins register in the `pxready.commands`
    entry-point group (the built-in checks bring `firewall` and `init`), each imported only
    when it is run or listed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_plugin_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        entry = _plugin_commands().get(cmd_name)
        if entry is None:
            return None
        try:
            command = entry.load()
        except Exception as exc:  # a broken plugin must not take pxready down
            raise UsageProblem(
                f"the command {quoted(cmd_name)} cannot be loaded ({entry.value}): "
                f"{type(exc).__name__}: {exc}"
            ) from None
        return command if isinstance(command, click.Command) else None


def _plugin_commands() -> dict[str, Any]:
    from readiness.plugins import entry_points

    return {ep.name: ep for ep in entry_points(COMMAND_GROUP)}


def parse_at(value: str | None) -> dt.datetime | None:
    """`--at`: YYYY-MM-DD (00:00 UTC) or an ISO 8601 timestamp (UTC when no offset given)."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageProblem(
            f"--at {quoted(value)} is not a date (YYYY-MM-DD) or ISO 8601 timestamp"
        ) from None
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    try:
        utc = stamp.astimezone(dt.UTC)
    except OverflowError:
        utc = None
    if utc is None or not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise UsageProblem(
            f"--at {quoted(value)} is outside the dates pxready judges certificates at "
            f"(years {MIN_YEAR} to {MAX_YEAR}, in UTC)"
        )
    return utc


def _finite_seconds(
    ctx: click.Context, param: click.Parameter, value: float | None
) -> float | None:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value!r} is not a number of seconds")
    return value


def _paths(values: Sequence[str]) -> tuple[Path, ...]:
    return tuple(Path(v) for v in values)


def _optional_path(value: str | None) -> Path | None:
    return Path(value) if value else None


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="pxready", message="%(prog)s %(version)s")
def cli() -> None:
    """Check a Pexip Teams Connector deployment before the install: variables script,
    certificates, DNS, TLS and Azure capacity."""


@cli.command("check")
@input_options
@click.option("--pfx", metavar="PATH", help="The Teams Connector PFX (overrides the script).")
@click.option(
    "--pfx-password-env",
    metavar="NAME",
    help="Environment variable holding the PFX password [PXREADY_PFX_PASSWORD].",
)
@click.option(
    "--node-cert",
    "node_certs",
    metavar="PATH",
    multiple=True,
    help="Conferencing Node certificate, PEM (repeatable).",
)
@click.option("--ca-bundle", metavar="PATH", help="Trust anchors (PEM) instead of Mozilla's.")
@click.option(
    "--nameserver",
    "nameservers",
    metavar="IP[:PORT]",
    multiple=True,
    help="DNS server for every name pxready resolves (repeatable).",
)
@click.option("--azure-usage", metavar="PATH", help="Export of `az vm list-usage`.")
@click.option("--azure-skus", metavar="PATH", help="Export of `az vm list-skus`.")
@click.option(
    "--azure-provider",
    metavar="PATH",
    help="Export of `az provider show --namespace Microsoft.Automation`.",
)
@click.option("--azure-locations", metavar="PATH", help="Export of `az account list-locations`.")
@click.option(
    "--azure-permissions",
    metavar="PATH",
    help="Export of the permissions API (see `pxready azure-commands`).",
)
@click.option("--azure-bot-names", metavar="PATH", help="Azure Bot name availability, by name.")
@click.option("--azure-groups", metavar="PATH", help="Export of `az group list`.")
@click.option(
    "--azure-features",
    metavar="PATH",
    help="Export of `az feature show --namespace Microsoft.Compute --name UnifiedDiskEncryption`.",
)
@click.option(
    "--azure-evidence",
    metavar="DIR",
    help="A folder written by the script of `pxready azure-commands`.",
)
@click.option("--vm-size", metavar="NAME", help="VM size of one connector instance.")
@click.option(
    "--consent-from",
    metavar="IP",
    help="Public address of the workstation that will give admin consent.",
)
@click.option("--offline", is_flag=True, help="No network access; network checks are skipped.")
@click.option("--only", multiple=True, metavar="ID", help="Run only these checks (globs).")
@click.option("--skip", multiple=True, metavar="ID", help="Do not run these checks (globs).")
@click.option(
    "--at",
    "at_text",
    metavar="DATE",
    help="Judge certificate validity at this date (e.g. the install day).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=600),
    callback=_finite_seconds,
    metavar="SECONDS",
    help="Per network operation [10].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(CHECK_FORMATS),
    default="table",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="[FORMAT:]PATH",
    help="Write the report to a file (format from FORMAT: or the extension).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["fail", "warn"]),
    default="fail",
    show_default=True,
    help="Lowest status that makes the deployment not ready.",
)
@click.option("--strict", is_flag=True, help="A skip or error also means not ready.")
@click.option("-q", "--quiet", is_flag=True, help="Only failures and the verdict.")
@click.option("-v", "--verbose", is_flag=True, help="Details of every result.")
def check_command(**options: Any) -> None:
    """Run the checks and print the report; the exit code says ready (0) or not."""
    if options["quiet"] and options["verbose"]:
        raise UsageProblem("--quiet and --verbose ask for opposite things: give one of them")
    from readiness.config import ConfigError
    from readiness.session import run_check

    request = request_from_options(options)
    try:
        code = run_check(request)
    except ConfigError as error:
        exit_for_config_error(error)
    sys.exit(int(code))


def request_from_options(options: dict[str, Any]) -> CheckRequest:
    """The `CheckRequest` that `pxready check`'s parsed options describe."""
    from readiness.config import Overrides
    from readiness.session import CheckRequest

    overrides = Overrides(
        config=_optional_path(options["config_path"]),
        vars=_optional_path(options["vars_path"]),
        pfx=_optional_path(options["pfx"]),
        pfx_password_env=options["pfx_password_env"],
        node_certs=_paths(options["node_certs"]),
        ca_bundle=_optional_path(options["ca_bundle"]),
        nameservers=tuple(options["nameservers"]),
        azure_usage=_optional_path(options["azure_usage"]),
        azure_skus=_optional_path(options["azure_skus"]),
        azure_provider=_optional_path(options["azure_provider"]),
        azure_locations=_optional_path(options["azure_locations"]),
        azure_permissions=_optional_path(options["azure_permissions"]),
        azure_bot_names=_optional_path(options["azure_bot_names"]),
        azure_groups=_optional_path(options["azure_groups"]),
        azure_features=_optional_path(options["azure_features"]),
        azure_evidence=_optional_path(options["azure_evidence"]),
        vm_size=options["vm_size"],
        consent_from=options["consent_from"],
        offline=options["offline"],
        at=parse_at(options["at_text"]),
        timeout=options["timeout"],
    )
    request = CheckRequest(
        overrides=overrides,
        only=tuple(options["only"]),
        skip=tuple(options["skip"]),
        fmt=options["fmt"],
        outputs=tuple(options["outputs"]),
        fail_on=options["fail_on"],
        strict=options["strict"],
        quiet=options["quiet"],
        verbose=options["verbose"],
    )
    return request


@cli.command("checks")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def checks_command(fmt: str) -> None:
    """List every registered check: id, title, what it needs, and its reference."""
    import json

    from readiness.registry import load_registry

    registry = load_registry()
    rows = [
        {
            "id": spec.id,
            "title": spec.title,
            "needs": spec.needs.value,
            "area": spec.area,
            "scope": spec.scope.value,
            "reference": spec.reference,
            "remediation": spec.remediation,
            "plugin": registry.origins.get(spec.id, ""),
        }
        for spec in registry.specs
    ]
    for problem in registry.problems:
        click.echo(f"pxready: check plugin '{problem.plugin}' {problem.message}", err=True)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=True))
        return
    width = max((len(r["id"]) for r in rows), default=10)
    for row in rows:
        click.echo(f"{row['id']:<{width}}  {row['needs']:<7}  {row['title']}")
        click.echo(f"{'':<{width}}           {row['reference']}")


@cli.command("explain")
@click.argument("check_id")
def explain_command(check_id: str) -> None:
    """What a check verifies, why, and how to fix a failure."""
    import difflib

    from readiness.registry import load_registry
    from readiness.reporters.table import paragraphs, wrap

    registry = load_registry()
    spec = registry.get(check_id)
    planned = registry.get_planned(check_id)
    if spec is None and planned is not None:
        click.echo(
            f"{planned.id}: {planned.title}\n\nNot built in this version of pxready: "
            "selecting it is accepted, but nothing checks it yet.\n\n"
            f"It will verify: {planned.requirement}."
        )
        return
    if spec is None:
        close = difflib.get_close_matches(check_id, registry.known_ids(), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else " (see 'pxready checks')"
        raise UsageProblem(f"no check has the id {quoted(check_id)}{hint}")
    needs = {
        "offline": "nothing but local files",
        "network": "network access (DNS, HTTP, TLS)",
        "azure": "Azure Resource Manager, or exports of it",
    }[spec.needs.value]
    lines = [
        f"{spec.id}: {spec.title}",
        "",
        f"Needs: {needs}",
        f"Requirement: {spec.reference}",
        "",
    ]
    if spec.explanation:
        lines += [spec.explanation, ""]
    lines.append("How to fix a failure:")
    for paragraph in paragraphs(spec.remediation):
        lines.extend("  " + line for line in wrap(paragraph, 90))
    click.echo("\n".join(lines))


@cli.command("pre-commit")
@click.option("--online", is_flag=True, help="Also the network and Azure checks.")
@click.option("-v", "--verbose", is_flag=True, help="Every result, not only what failed.")
@click.argument("files", nargs=-1, metavar="[FILES]...")
def precommit_command(files: tuple[str, ...], online: bool, verbose: bool) -> None:
    """Check each deployment the changed FILES belong to (the nearest pxready.toml above each,
    so a folder per region works), offline and showing only what failed: what the pre-commit
    hooks run."""
    from readiness.commands import precommit

    sys.exit(precommit.run(list(files), online=online, verbose=verbose))


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the report (pxready-report/1)."""
    from readiness.reporters.json_report import schema_text

    click.echo(schema_text(), nl=False)


class Interrupted(BaseException):
    """Ctrl-C, raised past click, which would otherwise report it as an abort (exit 1)."""


def _catch_ctrl_c() -> None:
    import signal
    import threading

    def interrupted(signum: int, frame: object) -> None:
        raise Interrupted

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, interrupted)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point. Anything unexpected is one line on stderr and exit 2, never a traceback."""
    if not sys.warnoptions and not os.environ.get("PXREADY_DEBUG"):
        # Library deprecation notes (a root in the Mozilla bundle with a negative serial, say)
        # are for developers, not for the administrator reading the report.
        import warnings

        warnings.simplefilter("ignore")
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    _catch_ctrl_c()
    try:
        code = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="pxready",
            standalone_mode=False,
        )
        _leave(code if isinstance(code, int) else 0)
    except SystemExit as done:
        _leave(done.code)
    except click.exceptions.NoArgsIsHelpError as bare:
        click.echo(bare.ctx.get_help() if bare.ctx else "", err=True)
        _leave(int(ExitCode.USAGE))
    except click.UsageError as usage:
        # One line, as the contract asks, with where to look for the right form.
        command = usage.ctx.command_path if usage.ctx else "pxready"
        click.echo(f"pxready: {usage.format_message()} (see '{command} --help')", err=True)
        _leave(int(ExitCode.USAGE))
    except click.ClickException as problem:
        click.echo(f"pxready: {problem.format_message()}", err=True)
        _leave(problem.exit_code)
    except (Interrupted, KeyboardInterrupt):
        click.echo("pxready: interrupted", err=True)
        _leave(int(ExitCode.INTERRUPTED))
    except click.Abort:
        click.echo("pxready: aborted", err=True)
        _leave(1)
    except BrokenPipeError:
        # The reader went away (`pxready check | head`): nothing more to say, and nowhere to.
        _leave(1)
    except Exception as exc:  # the last line of defence: a bug, said in one line
        if os.environ.get("PXREADY_DEBUG"):
            raise
        click.echo(
            f"pxready: internal error: {type(exc).__name__}: {exc} "
            "(set PXREADY_DEBUG=1 for a traceback, and please report it)",
            err=True,
        )
        sys.exit(int(ExitCode.USAGE))


def _leave(code: Any) -> NoReturn:
    """Exit without waiting for a check thread that hangs past its timeouts."""
    import threading
    import time

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    deadline = time.monotonic() + 1.0
    for thread in threading.enumerate():
        # Idle workers of a shut-down pool end within milliseconds; a hung check does not.
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))
    stray = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and not t.daemon and t.is_alive()
    ]
    status = code if isinstance(code, int) else (0 if code is None else 1)
    if stray:
        os._exit(status)
    if code is not None and not isinstance(code, int):
        click.echo(str(code), err=True)
    sys.exit(status)
