"""`pxready firewall`: the rules to give the network team, filled in from the configuration."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from readiness.commands.options import (
    ReaderGone,
    exit_for_config_error,
    input_options,
    write_output,
    write_stdout,
)
from readiness.config import ConfigError

if TYPE_CHECKING:
    from readiness.secrets import SecretRegistry

FORMATS = ("table", "json", "csv")
_EXTENSIONS = {".json": "json", ".csv": "csv"}


def _port_option(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from checks.firewall import PortRangeError, port_range

    try:
        return port_range(value)
    except PortRangeError as error:
        raise click.BadParameter(str(error)) from None


@click.command("firewall")
@input_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [table; with --output, from its extension].",
)
@click.option("--output", metavar="PATH", help="Write the rules to this file.")
@click.option(
    "--side",
    type=click.Choice(["all", "connector", "dmz"]),
    default="all",
    show_default=True,
    help="Rules of every firewall, of the connector's NSG and firewalls, or of the firewall "
    "in front of the Conferencing Nodes (directions seen from the nodes).",
)
@click.option(
    "--signaling-ports",
    default="33000-39999",
    show_default=True,
    metavar="LOW-HIGH",
    callback=_port_option,
    help="Conferencing Nodes' signaling port range (Pexip global settings).",
)
@click.option(
    "--media-ports",
    default="40000-49999",
    show_default=True,
    metavar="LOW-HIGH",
    callback=_port_option,
    help="Conferencing Nodes' media port range (Pexip global settings).",
)
def firewall_command(
    config_path: str | None,
    vars_path: str | None,
    fmt: str | None,
    output: str | None,
    side: str,
    signaling_ports: str,
    media_ports: str,
) -> None:
    """The firewall and NSG rules the deployment needs, from the planning guide's port table,
    filled in with the variables script's addresses and names."""
    if fmt is None:
        fmt = _EXTENSIONS.get(Path(output).suffix.lower(), "table") if output else "table"
    try:
        plans, secrets = _plans(config_path, vars_path, signaling_ports, media_ports, side)
        text = _render(plans, fmt, signaling_ports, media_ports, to_file=output is not None)
        # Whatever the script holds, no password leaves: the same scrub as every report.
        text = secrets.scrub_text(text)
        if output is None:
            with contextlib.suppress(ReaderGone):
                write_stdout(text)
            return
        # The text already has the line endings it needs (CSV: CRLF, as RFC 4180 says).
        write_output(Path(output), text, "rules", newline="")
    except ConfigError as error:
        exit_for_config_error(error)
    count = sum(len(p.rules) for p in plans)
    click.echo(f"pxready: wrote {count} firewall rules to {output} ({fmt})", err=True)


def _plans(
    config_path: str | None, vars_path: str | None, signaling: str, media: str, side: str
) -> tuple[list[Any], SecretRegistry]:
    from checks.firewall import build_plan
    from readiness.commands.scripts import read_scripts

    run, scripts = read_scripts(config_path, vars_path)
    plans = [
        build_plan(
            read.variables,
            vars_label=read.label,
            signaling_ports=signaling,
            media_ports=media,
            side=side,
        )
        for read in scripts
    ]
    return plans, run.secrets


def _render(plans: list[Any], fmt: str, signaling: str, media: str, *, to_file: bool) -> str:
    from checks.firewall import CSV_COLUMNS, SCHEMA_ID, csv_rows
    from readiness import __version__

    if fmt == "json":
        return (
            json.dumps(
                {
                    "schema": SCHEMA_ID,
                    "tool": {"name": "pxready", "version": __version__},
                    "signaling_ports": signaling,
                    "media_ports": media,
                    "connectors": [p.document() for p in plans],
                },
                indent=2,
                ensure_ascii=True,
            )
            + "\n"
        )
    if fmt == "csv":
        buffer = io.StringIO()
        # A file gets RFC 4180's CRLF; stdout gets "\n", which text mode turns into the
        # platform's line ending.
        writer = csv.writer(buffer, lineterminator="\r\n" if to_file else "\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(plans))
        return buffer.getvalue()
    width = min(shutil.get_terminal_size((100, 24)).columns, 120) if not to_file else 100
    return "\n".join(_table(plan, max(width, 60)) for plan in plans)


def _table(plan: Any, width: int) -> str:
    where = f" ({plan.vars})" if plan.vars else ""
    out = [f"Firewall rules for the Teams Connector {plan.connector}{where}", ""]
    for number, rule in enumerate(plan.rules, start=1):
        ports = f"{rule.protocol} {rule.ports}"
        out.append(f"{number:>2}. {rule.direction:<8} {rule.action:<5} {ports}  {rule.purpose}")
        source = _who(rule.source, rule.source_addresses)
        if rule.source_ports not in ("any", "ephemeral", ""):
            source += f" (source ports {rule.source_ports})"
        destination = _who(rule.destination, rule.destination_addresses)
        for label, text in (("from", source), ("to", destination), ("note", rule.note)):
            if text:
                out.extend(
                    textwrap.wrap(
                        text,
                        width,
                        initial_indent=f"    {label:<5}",
                        subsequent_indent=" " * 9,
                        break_on_hyphens=False,
                    )
                )
        out.append("")
    out.extend(
        textwrap.fill(note, width, initial_indent="note: ", subsequent_indent="      ")
        for note in plan.notes
    )
    return "\n".join(out) + "\n"


def _who(label: str, addresses: tuple[str, ...]) -> str:
    return f"{label}: {', '.join(addresses)}" if addresses else label
