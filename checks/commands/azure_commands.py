"""`pxready azure-commands`: a script, filled in for this deployment, that someone signed in to
Azure runs in an empty folder to write every export file the Azure checks read.

The commands themselves come from `checks.azure.evidence.EXPORTS` and the file names from
`file_name()`, the same table the reader of `--azure-evidence DIR` uses: what the script writes is
what the checks read. This module only adds the scaffolding around them (sign-in check, temporary
files, error reporting, the group-exists guard) and fills in the values.

Every value put into the script comes from the user's variables script, so it is treated as
hostile: each one is validated against what Azure allows (a GUID, a region name, the characters
of a resource group or bot name) and refused otherwise, and then quoted for the shell as well.
"""

from __future__ import annotations

import contextlib
import os
import re
import string
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, NoReturn

import click

from readiness.commands.options import (
    ReaderGone,
    exit_for_config_error,
    input_options,
    write_output,
    write_stdout,
)
from readiness.config import ConfigError, ConfigProblem
from readiness.text import display, quoted

if TYPE_CHECKING:
    from checks.azure.names import Plan
    from readiness.connector import ConnectorVariables

SHELLS = ("bash", "powershell")
_EXTENSIONS = {".sh": "bash", ".bash": "bash", ".ps1": "powershell"}

# Each distinct subscription, then each distinct (subscription, region), gets these exports.
PER_SUBSCRIPTION = ("account", "locations", "provider", "permissions", "bots", "groups", "features")
PER_LOCATION = ("usage", "skus")

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_REGION = re.compile(r"[a-z0-9]{1,64}")
_NAME_PUNCTUATION = frozenset("-_.()")
_ASCII_DIGITS = frozenset(string.digits)
MAX_NAME = 90  # Azure's limit for a resource group name; far above any bot or group it makes

# PowerShell takes the typographic quotes as quotes too.
_PS_SINGLE = frozenset("'\u2018\u2019\u201a\u201b")
_PS_DOUBLE = frozenset('"\u201c\u201d\u201e')


# -- the plan: what to export, where -------------------------------------------------------
class Job(NamedTuple):
    """One export: the command of `EXPORTS[kind]` filled with `fill`, written to `path`."""

    kind: str
    path: str  # relative to the folder the script runs in: "usage-westeurope.json", "<sub>/…"
    fill: Mapping[str, str]
    group: str | None = None  # "resources": only when this resource group exists


class Section(NamedTuple):
    """The exports of one subscription (or, subscription None, those that need none)."""

    subscription: str | None
    folder: str | None  # the subfolder its files go in; None: the current folder
    title: str
    jobs: tuple[Job, ...]


class Connector(NamedTuple):
    """One connector's values, validated, ready to go into a script."""

    label: str
    script: str
    subscription: str | None
    location: str | None  # the programmatic form: "westeurope"
    groups: tuple[str, ...]  # the regional groups, then the bot channel group
    bot_names: tuple[str, ...]
    notes: tuple[str, ...]  # what was left out, and why


class Script(NamedTuple):
    deployment: str
    connectors: tuple[Connector, ...]
    sections: tuple[Section, ...]
    folders: tuple[str, ...]  # subfolders, one per subscription when there are several
    cloud: str

    @property
    def jobs(self) -> list[Job]:
        return [job for section in self.sections for job in section.jobs]


# -- the command ---------------------------------------------------------------------------
@click.command("azure-commands")
@input_options
@click.option(
    "--shell",
    type=click.Choice(SHELLS),
    default=None,
    help="Script language [powershell on Windows, bash elsewhere; with --output, from its "
    "extension (.ps1, .sh)].",
)
@click.option("--output", metavar="FILE", help="Write the script to this file.")
def azure_commands_command(
    config_path: str | None, vars_path: str | None, shell: str | None, output: str | None
) -> None:
    """A script, filled in for this deployment, that someone signed in to Azure (az login, or
    Connect-AzAccount for PowerShell) runs in an empty folder: it writes there every export
    file the Azure checks read. Then: pxready check --azure-evidence FOLDER."""
    if shell is None:
        by_extension = _EXTENSIONS.get(Path(output).suffix.lower()) if output else None
        shell = by_extension or ("powershell" if os.name == "nt" else "bash")
    try:
        script = _script(config_path, vars_path)
        text = render_powershell(script) if shell == "powershell" else render_bash(script)
        for connector in script.connectors:
            for note in connector.notes:
                click.echo(f"pxready: note: {note}", err=True)
        if output is None:
            with contextlib.suppress(ReaderGone):
                write_stdout(text)
            return
        if shell == "powershell":
            # A BOM, so that Windows PowerShell 5.1 reads non-ASCII names as UTF-8; CRLF.
            write_output(Path(output), "\ufeff" + text, "script", newline="\r\n")
        else:
            write_output(Path(output), text, "script", newline="\n")
    except ConfigError as error:
        exit_for_config_error(error)
    click.echo(f"pxready: wrote {display(output)} ({shell})", err=True)


def _script(config_path: str | None, vars_path: str | None) -> Script:
    from checks.azure.names import plan
    from readiness.commands.scripts import read_scripts
    from readiness.connector import display_path

    run, scripts = read_scripts(config_path, vars_path)
    deployment = run.deployment
    connectors = []
    for read in scripts:
        planned = plan(read.variables, deployment.azure.vm_size, read.context.default_target)
        connectors.append(
            validated(read.variables, planned, read.label or planned.label, run.secrets.scrub_text)
        )
    if deployment.config_path is not None:
        made_for = run.secrets.scrub_text(display_path(deployment.config_path))
    else:
        made_for = f"the variables script {connectors[0].script}"
    script = layout(made_for, connectors, deployment.azure.cloud)
    if not script.jobs:
        listed = ", ".join(c.script for c in connectors)
        raise ConfigError(
            [
                ConfigProblem(
                    "nothing to export: no variables script sets $PxSubscriptionId or "
                    f"$PxBaseConnName ({listed})"
                )
            ]
        )
    return script


# -- validation: every value that goes into the script ------------------------------------
def _refuse(variables: ConnectorVariables, name: str, message: str) -> NoReturn:
    where = variables.location(name)
    raise ConfigError([ConfigProblem(message, Path(where.path), where.line)])


def _name_ok(value: str) -> bool:
    """Azure's characters for resource group (and bot) names: letters, digits, -_.()."""
    return bool(value) and all(
        c.isalpha() or c in _ASCII_DIGITS or c in _NAME_PUNCTUATION for c in value
    )


def validated(
    variables: ConnectorVariables, planned: Plan, script: str, scrub: Callable[[str], str]
) -> Connector:
    """The connector's values that go into the script, each checked; exit 2 on the first that
    is not what Azure allows (naming the variable and its line)."""

    def secret_free(name: str, value: str) -> None:
        if scrub(value) != value:
            _refuse(
                variables,
                name,
                f"${name} holds a password of the variables script; pxready does not put it "
                "in a script",
            )

    # What the script says about the connector (its FQDN, its file) is masked like every
    # output; what goes into a command is refused instead, as masking it would break it.
    label = scrub(display(planned.label))
    script = scrub(script)
    notes: list[str] = []
    subscription = planned.subscription
    if subscription is not None:
        secret_free("PxSubscriptionId", subscription)
        if not _GUID.fullmatch(subscription):
            _refuse(
                variables,
                "PxSubscriptionId",
                f"$PxSubscriptionId {quoted(subscription)} is not a subscription id (a GUID "
                "such as 00000000-0000-0000-0000-000000000000); it is not put in a script",
            )
    location = None
    if planned.location is not None:
        secret_free("PxAzureLocation", planned.location)
        location = "".join(planned.location.split()).lower()
        if not _REGION.fullmatch(location):
            _refuse(
                variables,
                "PxAzureLocation",
                f"$PxAzureLocation {quoted(planned.location)} is not an Azure region name "
                "(letters and digits, such as westeurope or 'West Europe'); it is not put in "
                "a script",
            )

    # The variables the names are made from, each checked where it is written.
    sources = [
        "PxBaseConnName",
        "PxTeamsConnResourceGroupName",
        "PxTeamsConnStaticResourceGroupName",
    ]
    own_groups = [variables.text(n) for n in sources[1:]]
    if planned.base and not all(own_groups):
        sources.append("PxVmssRegion")  # the derived group names use it
    for name in sources:
        value = variables.text(name)
        if value is None:
            continue
        secret_free(name, value)
        if not _name_ok(value):
            _refuse(
                variables,
                name,
                f"${name} {quoted(value)} has characters Azure does not allow in a resource "
                "group or bot name (only letters, digits, '-', '_', '.', '(' and ')'); it is not "
                "put in a script",
            )
    groups = tuple(planned.groups) + ((planned.bot_group,) if planned.bot_group else ())
    for made in (*groups, *planned.bot_names):
        blamed = next((n for n in sources[1:3] if variables.text(n) == made), "PxBaseConnName")
        secret_free(blamed, made)
        if len(made) > MAX_NAME:
            _refuse(
                variables,
                blamed,
                f"${blamed} makes the name {quoted(made, 40)}, longer than Azure allows (at "
                f"most {MAX_NAME} characters); it is not put in a script",
            )
        if not _name_ok(made):  # not reached while the parts are checked above; kept as a guard
            _refuse(
                variables,
                blamed,
                f"${blamed} makes the name {quoted(made)}, with characters Azure does not "
                "allow; it is not put in a script",
            )

    unset = "has no value pxready can read"
    if subscription is None:
        notes.append(
            f"{label}: left out the subscription's exports, the region's quota and VM sizes "
            f"and the contents of its resource groups: $PxSubscriptionId {unset} ({script})"
        )
    elif location is None:
        notes.append(
            f"{label}: left out the region's quota and VM sizes (usage, skus): "
            f"$PxAzureLocation {unset} ({script})"
        )
    if not planned.base:
        notes.append(
            f"{label}: left out the Azure Bot names and the bot channel resource group: "
            f"$PxBaseConnName {unset} ({script})"
        )
    if subscription is not None and not planned.groups:
        notes.append(
            f"{label}: left out the contents of the regional resource groups: their names "
            f"need $PxBaseConnName and $PxVmssRegion, and one {unset} ({script})"
        )
    return Connector(
        label=label,
        script=script,
        subscription=subscription,
        location=location,
        groups=groups,
        bot_names=planned.bot_names,
        notes=tuple(notes),
    )


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def layout(made_for: str, connectors: list[Connector], cloud: str) -> Script:
    """Which export goes where: per subscription, per region, per bot name and per group; in
    the current folder for one subscription, in a folder per subscription for several."""
    from checks.azure.evidence import file_name

    subscriptions = _unique(c.subscription for c in connectors)
    several = len(subscriptions) > 1
    written: set[str] = set()

    def add(jobs: list[Job], folder: str | None, kind: str, values: dict[str, str]) -> None:
        name = file_name(kind, **values)
        path = f"{folder}/{name}" if folder else name
        if path not in written:
            written.add(path)
            jobs.append(Job(kind, path, values, values.get("group")))

    sections = []
    for subscription in subscriptions:
        members = [c for c in connectors if c.subscription == subscription]
        folder = subscription if several else None
        jobs: list[Job] = []
        for kind in PER_SUBSCRIPTION:
            add(jobs, folder, kind, {"subscription": subscription})
        for location in _unique(c.location for c in members):
            for kind in PER_LOCATION:
                add(jobs, folder, kind, {"subscription": subscription, "location": location})
        for name in _unique(n for c in members for n in c.bot_names):
            add(jobs, folder, "bot-names", {"subscription": subscription, "name": name})
        for group in _unique(g for c in members for g in c.groups):
            add(jobs, folder, "resources", {"subscription": subscription, "group": group})
        title = f"Subscription {subscription}: " + ", ".join(c.label for c in members)
        sections.append(Section(subscription, folder, title, tuple(jobs)))
    orphans = [c for c in connectors if c.subscription is None]
    jobs = []
    for name in _unique(n for c in orphans for n in c.bot_names):
        add(jobs, None, "bot-names", {"name": name})
    if jobs:
        title = "No subscription (Azure Bot names only): " + ", ".join(c.label for c in orphans)
        sections.append(Section(None, None, title, tuple(jobs)))
    return Script(
        made_for,
        tuple(connectors),
        tuple(sections),
        tuple(subscriptions) if several else (),
        cloud,
    )


# -- quoting: values into the commands of EXPORTS ------------------------------------------
def bash_word(value: str) -> str:
    """`value` as one bash word: single-quoted, a `'` written as `'\\''`."""
    return "'" + value.replace("'", "'\\''") + "'"


def powershell_word(value: str) -> str:
    """`value` as one PowerShell string: single-quoted, every single quote doubled."""
    return "'" + _ps_double_single_quotes(value) + "'"


def _ps_double_single_quotes(value: str) -> str:
    return "".join(c + c if c in _PS_SINGLE else c for c in value)


def _bash_state(text: str, state: str | None) -> str | None:
    """The quoting in force after `text`, starting in `state` (None, "'" or '"')."""
    escaped = False
    for c in text:
        if escaped:
            escaped = False
        elif state is None:
            if c == "\\":
                escaped = True
            elif c in "'\"":
                state = c
        elif state == "'":
            if c == "'":
                state = None
        elif c == "\\":
            escaped = True
        elif c == '"':
            state = None
    if escaped:
        raise ValueError("a template ends in an escape")
    return state


def _bash_value(state: str | None, value: str) -> str:
    if state is None:
        return bash_word(value)
    if state == "'":
        # Inside single quotes nothing is special but the quote itself.
        return value if "'" not in value else "'" + bash_word(value) + "'"
    return value if not set(value) & set('$`\\"!') else '"' + bash_word(value) + '"'


def _powershell_state(text: str, state: str | None) -> str | None:
    i = 0
    while i < len(text):
        c = text[i]
        following = text[i + 1] if i + 1 < len(text) else ""
        if state is None:
            if c == "`":
                i += 1
            elif c in _PS_SINGLE:
                state = "'"
            elif c in _PS_DOUBLE:
                state = '"'
        elif state == "'":
            if c in _PS_SINGLE:
                if following in _PS_SINGLE:
                    i += 1
                else:
                    state = None
        elif c == "`":
            i += 1
        elif c in _PS_DOUBLE:
            if following in _PS_DOUBLE:
                i += 1
            else:
                state = None
        i += 1
    return state


def _powershell_value(state: str | None, value: str) -> str:
    if state is None:
        return powershell_word(value)
    if state == "'":
        return _ps_double_single_quotes(value)
    return "".join("`" + c if c in "`$" or c in _PS_DOUBLE else c for c in value)


def fill(
    template: str,
    values: Mapping[str, str],
    state_after: Callable[[str, str | None], str | None],
    value_in: Callable[[str | None, str], str],
) -> str:
    """`template` (a `str.format` template of EXPORTS) with each placeholder replaced by its
    value, quoted for where it stands: outside quotes, inside single or double quotes."""
    out: list[str] = []
    state: str | None = None
    for literal, field, spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        state = state_after(literal, state)
        if field is None:
            continue
        if spec or conversion or field not in values:
            raise ValueError(f"unexpected placeholder {field!r} in {template!r}")
        if any(not c.isprintable() for c in values[field]):
            raise ValueError("a value to quote has control characters")
        out.append(value_in(state, values[field]))
    return "".join(out)


def bash_command(job: Job) -> str:
    from checks.azure.evidence import EXPORTS

    return fill(EXPORTS[job.kind].az, job.fill, _bash_state, _bash_value)


def powershell_command(job: Job) -> str:
    from checks.azure.evidence import EXPORTS

    return fill(EXPORTS[job.kind].powershell, job.fill, _powershell_state, _powershell_value)


# -- the scripts ---------------------------------------------------------------------------
def _header(script: Script, *, language: str) -> list[str]:
    from readiness import __version__

    sign_in = "az login" if language == "bash" else "Connect-AzAccount"
    run = (
        "pxready azure-commands --shell bash --output collect.sh; bash collect.sh"
        if language == "bash"
        else "pxready azure-commands --shell powershell --output collect.ps1; "
        "then powershell -ExecutionPolicy Bypass -File .\\collect.ps1"
    )
    lines = [
        "Azure evidence for pxready: run this script in an EMPTY folder, signed in to Azure",
        f"({sign_in}). It writes there every export file the Azure checks read; then run",
        "  pxready check --azure-evidence <that folder>",
        f"Made by pxready {__version__} (pxready azure-commands) for {script.deployment}:",
    ]
    for c in script.connectors:
        facts = [
            f"subscription {c.subscription}" if c.subscription else "no subscription",
            f"region {c.location}" if c.location else "no region",
        ]
        where = f" ({c.script})" if c.script != c.label else ""
        lines.append(f"  {c.label}{where}: {', '.join(facts)}")
    lines += [
        "It only reads from Azure: Reader on the subscription is enough. The one request that",
        "is not a read is a POST per Azure Bot name to Azure's name-availability check",
        "(checkNameAvailability), which creates and changes nothing.",
    ]
    if script.folders:
        lines.append("Each subscription's files go in a folder named by its id.")
    if script.cloud.lower() != "azurecloud":
        lines.append(f"Sign in to the {script.cloud} cloud before you run it.")
    lines.append(f"To make it again: {run}")
    for c in script.connectors:
        lines += [f"Left out: {note}" for note in c.notes]
    return lines


def _comment(lines: Iterable[str]) -> list[str]:
    # display(): a label or path with a line break must not end the comment.
    return [f"# {display(line)}".rstrip() for line in lines]


def render_bash(script: Script) -> str:
    from checks.azure.evidence import EXPORTS

    patterns = " ".join(["./*.json", *(f"{bash_word(f)}/*.json" for f in script.folders)])
    out = [
        "#!/usr/bin/env bash",
        *_comment(_header(script, language="bash")),
        "set -u",
        "# Git Bash would turn the /subscriptions/... URLs of az rest into Windows paths.",
        "export MSYS_NO_PATHCONV=1",
        "",
        "if ! command -v az >/dev/null 2>&1; then",
        "  echo 'pxready: the Azure CLI (az) is not installed or not on PATH: install it, sign in "
        "with az login, then run this script again' >&2",
        "  exit 1",
        "fi",
        "if ! az account show -o none >/dev/null 2>&1; then",
        "  echo 'pxready: nobody is signed in to Azure (az account show failed): run az login, "
        "then this script again' >&2",
        "  exit 1",
        "fi",
        f"for px_found in {patterns}; do",
        '  if [ -e "$px_found" ]; then',
        '    echo "pxready: this folder already holds export files ($px_found): run the script '
        'in an empty folder, so that no file of an earlier run is read as new" >&2',
        "    exit 1",
        "  fi",
        "done",
        "",
        "# Each export goes to a temporary file first, and becomes its file only when the",
        "# command succeeded: a failed command leaves no half file.",
        "px_tmp=$(mktemp -d ./.pxready-XXXXXX) || {",
        "  echo 'pxready: cannot create a temporary folder here' >&2",
        "  exit 1",
        "}",
        "trap 'rm -rf -- \"$px_tmp\"' EXIT",
        "trap 'exit 130' INT TERM HUP",
        'px_part="$px_tmp/export"',
        'px_err="$px_tmp/stderr"',
        "px_written=0",
        "px_failed=0",
        "",
        "px_fail() {  # FILE REASON",
        '  printf \'could not export %s: %s\\n\' "$1" "$2" >&2',
        "  px_failed=$((px_failed + 1))",
        "}",
        "px_why() {  # STATUS: the first line of what went wrong",
        "  local why",
        "  why=$(grep -m 1 'ERROR' \"$px_err\" 2>/dev/null "
        "|| sed -n '/[^[:space:]]/{p;q;}' \"$px_err\" 2>/dev/null)",
        '  if [ -n "$why" ]; then',
        "    printf '%s' \"$why\"",
        '  elif [ "$1" -eq 0 ]; then',
        "    printf 'Azure returned nothing'",
        "  else",
        "    printf 'exit status %s' \"$1\"",
        "  fi",
        "}",
        "px_keep() {  # STATUS FILE: keep the export just made as FILE if its command succeeded",
        '  if [ "$1" -eq 0 ] && [ -s "$px_part" ] && mv -f -- "$px_part" "$2"; then',
        "    px_written=$((px_written + 1))",
        "  else",
        '    rm -f -- "$px_part"',
        '    px_fail "$2" "$(px_why "$1")"',
        "  fi",
        "}",
    ]
    for section in script.sections:
        out += ["", *_comment([section.title])]
        if section.folder:
            out.append(f"mkdir -p -- {bash_word(section.folder)}")
        for job in section.jobs:
            command = bash_command(job)
            target = bash_word(job.path)
            out.append(f"# {display(job.path)}: {EXPORTS[job.kind].what}")
            if job.group is None:
                out += [f'{command} >"$px_part" 2>"$px_err"', f"px_keep $? {target}"]
                continue
            assert section.subscription is not None
            exists = (
                f"az group exists --name {bash_word(job.group)} "
                f"--subscription {bash_word(section.subscription)}"
            )
            out += [
                f'px_exists=$({exists} 2>"$px_err")',
                'if [ "$px_exists" = "true" ]; then',
                f'  {command} >"$px_part" 2>"$px_err"',
                f"  px_keep $? {target}",
                'elif [ "$px_exists" != "false" ]; then',
                f'  px_fail {target} "could not tell whether the resource group exists: '
                '$(px_why 1)"',
                "fi",
            ]
    out += [
        "",
        'if [ "$px_written" -eq 1 ]; then px_s=""; else px_s="s"; fi',
        'printf \'pxready: wrote %s file%s in %s\\n\' "$px_written" "$px_s" "$PWD"',
        'if [ "$px_failed" -gt 0 ]; then',
        "  printf 'pxready: %s export(s) could not be written (see above); the checks that "
        'need them will say so\\n\' "$px_failed" >&2',
        "fi",
        "printf 'Next step: pxready check --azure-evidence %q\\n' \"$PWD\"",
        'if [ "$px_failed" -gt 0 ]; then exit 1; fi',
        "",
    ]
    return "\n".join(out)


def render_powershell(script: Script) -> str:
    from checks.azure.evidence import EXPORTS

    folders = ", ".join(powershell_word(f) for f in (".", *script.folders))
    out = [
        *_comment(_header(script, language="powershell")),
        "$ErrorActionPreference = 'Stop'",
        "",
        "if (-not (Get-Command -Name Get-AzContext -ErrorAction SilentlyContinue)) {",
        "    [Console]::Error.WriteLine('pxready: the Az PowerShell module is not installed "
        "(Install-Module -Name Az -Scope CurrentUser): install it, sign in with "
        "Connect-AzAccount, then run this script again')",
        "    exit 1",
        "}",
        "try { $PxContext = Get-AzContext } catch { $PxContext = $null }",
        "if (-not $PxContext) {",
        "    [Console]::Error.WriteLine('pxready: nobody is signed in to Azure (Get-AzContext "
        "is empty): run Connect-AzAccount, then this script again')",
        "    exit 1",
        "}",
        f"foreach ($PxFolder in @({folders})) {{",
        "    if ((Test-Path -LiteralPath $PxFolder) -and "
        "@(Get-ChildItem -LiteralPath $PxFolder -Filter '*.json' -File).Count -gt 0) {",
        '        [Console]::Error.WriteLine("pxready: $((Resolve-Path -LiteralPath $PxFolder)'
        ".ProviderPath) already holds export files: run "
        'the script in an empty folder, so that no file of an earlier run is read as new")',
        "        exit 1",
        "    }",
        "}",
        "",
        "# Each export goes to a temporary file first, and becomes its file only when the",
        "# command succeeded: a failed command leaves no half file.",
        "$PxHere = (Get-Location).ProviderPath",
        "$PxTemp = Join-Path $PxHere ('.pxready-' + [guid]::NewGuid().ToString('N'))",
        "$PxPart = Join-Path $PxTemp 'export'",
        "$PxWritten = 0",
        "$PxFailed = 0",
        "",
        "function Test-PxText($Text) {",
        "    if ($null -eq $Text -or \"$Text\".Trim() -eq '') { throw 'Azure returned nothing' }",
        '    if ("$Text" -match \'^\\s*\\{\\s*"error"\\s*:\') {',
        '        $PxError = ("$Text" | ConvertFrom-Json).error',
        '        throw "$($PxError.code): $($PxError.message)"',
        "    }",
        "}",
        "function Complete-PxExport([string]$File) {",
        "    Move-Item -LiteralPath $PxPart -Destination $File -Force",
        "    $script:PxWritten++",
        "}",
        "function Write-PxFailure([string]$File, $Problem) {",
        "    Remove-Item -LiteralPath $PxPart -Force -ErrorAction SilentlyContinue",
        '    $Why = @("$Problem" -split "`r?`n" | Where-Object { $_.Trim() })[0]',
        '    [Console]::Error.WriteLine("could not export ${File}: $Why")',
        "    $script:PxFailed++",
        "}",
        "",
        "New-Item -ItemType Directory -Path $PxTemp | Out-Null",
        "try {",
    ]
    body: list[str] = []
    for section in script.sections:
        body += [*([""] if body else []), *_comment([section.title])]
        if section.folder:
            body.append(
                f"New-Item -ItemType Directory -Force -Path {powershell_word(section.folder)} "
                "| Out-Null"
            )
        inner: list[str] = []
        for job in section.jobs:
            target = powershell_word(job.path)
            steps = [
                f"$PxText = {powershell_command(job)}",
                "Test-PxText $PxText",
                "$PxText | Out-File -Encoding utf8 -LiteralPath $PxPart",
                f"Complete-PxExport {target}",
            ]
            if job.group is not None:
                # Only a group that exists has contents to export; a failure to tell is
                # reported like a failed export.
                steps = [
                    f"if (Get-AzResourceGroup -Name {powershell_word(job.group)} "
                    "-ErrorAction SilentlyContinue) {",
                    *(f"    {line}" for line in steps),
                    "}",
                ]
            block = [
                f"# {display(job.path)}: {EXPORTS[job.kind].what}",
                "try {",
                *(f"    {line}" for line in steps),
                f"}} catch {{ Write-PxFailure {target} $_ }}",
            ]
            inner += block
        if section.subscription is None:
            body += inner
            continue
        sure = sum(1 for job in section.jobs if job.group is None)
        subscription = powershell_word(section.subscription)
        in_quotes = _powershell_value('"', section.subscription)
        body += [
            "try {",
            f"    Set-AzContext -Subscription {subscription} | Out-Null",
            "    $PxSelected = $true",
            "} catch {",
            '    [Console]::Error.WriteLine("could not select the subscription '
            f"{in_quotes}: $($_.Exception.Message); its "
            'exports are left out")',
            f"    $PxFailed += {sure}",
            "    $PxSelected = $false",
            "}",
            "if ($PxSelected) {",
            *(f"    {line}" if line else "" for line in inner),
            "}",
        ]
    out += [f"    {line}" if line else "" for line in body]
    out += [
        "} finally {",
        "    Remove-Item -LiteralPath $PxTemp -Recurse -Force -ErrorAction SilentlyContinue",
        "}",
        "",
        "$PxFiles = if ($PxWritten -eq 1) { 'file' } else { 'files' }",
        'Write-Output "pxready: wrote $PxWritten $PxFiles in $PxHere"',
        "if ($PxFailed -gt 0) {",
        '    [Console]::Error.WriteLine("pxready: $PxFailed export(s) could not be written (see '
        'above); the checks that need them will say so")',
        "}",
        'Write-Output ("Next step: pxready check --azure-evidence \'" + '
        '$PxHere.Replace("\'", "\'\'") + "\'")',
        "if ($PxFailed -gt 0) { exit 1 }",
        "",
    ]
    return "\n".join(out)
