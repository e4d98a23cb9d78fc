"""Checks of the Pexip variables script itself: it reads, it is complete, its values are valid."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import partial

from checks.dns_names import dns_name_problem
from checks.prefixes import classify_prefix
from readiness import (
    CheckSkipped,
    Context,
    Finding,
    Location,
    errored,
    failed,
    passed,
    skipped,
    warned,
)
from readiness import check as _check
from readiness.connector import display_path
from readiness.deployment import ConnectorInput
from readiness.text import count, quoted
from readiness.variables.model import Assignment, looks_secret

GUIDE = "Pexip Teams Connector planning guide"
SCRIPT = "variables initialization script"

REQUIRED = (
    "PxBaseConnName",
    "PxVmssRegion",
    "PxTeamsConnFqdn",
    "PxNodeFqdns",
    "PxSubscriptionId",
    "PxAzureLocation",
    "PxTeamsConnInstanceCount",
)
PFX_VARIABLE = "PxPfxCertFileName"
# The line to add for each variable the installer needs, in the form of Pexip's template.
EXAMPLES = {
    "PxBaseConnName": '$PxBaseConnName = "contoso"',
    "PxVmssRegion": '$PxVmssRegion = "eu"',
    "PxTeamsConnFqdn": '$PxTeamsConnFqdn = "pexip-teamsconn-eu.teams.example.com"',
    "PxNodeFqdns": '$PxNodeFqdns = "px-edge-pool.vc.example.com"',
    "PxSubscriptionId": '$PxSubscriptionId = "00000000-0000-0000-0000-000000000000"',
    "PxAzureLocation": '$PxAzureLocation = "westeurope"',
    "PxTeamsConnInstanceCount": '$PxTeamsConnInstanceCount = "3"',
    "PxPfxCertFileName": '$PxPfxCertFileName = ".\\pexip-teams.pfx"',
}
# Every $Px variable pxready knows the installer to read (Pexip's template): a name close to
# one of these is taken for a misspelling of it.
KNOWN_VARIABLES = (
    *REQUIRED,
    PFX_VARIABLE,
    "PxMgmtSrcAddrPrefixes",
    "PxNodesSourceAddressPrefixes",
    "PxWinAdminUser",
    "PxWinAdminPassword",
    "PxTeamsConnResourceGroupName",
    "PxTeamsConnStaticResourceGroupName",
    "PxTeamsConnIncidentReporting",
    "PxTeamsConnDiskEncryption",
)
GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# Lists in details stop here (a hostile script can hold a million statements).
MAX_LISTED = 100

# The variables script's results come first: everything else is read from it.
check = partial(_check, order=10)


@check(
    "vars.parse",
    "Variables script reads",
    reference=f"{GUIDE}: the {SCRIPT} is PowerShell that the installer dot-sources",
    remediation="""
    Fix the line named in the message: close the string, the @( ) array or the <# #> comment
    that starts there. PowerShell refuses the whole script otherwise, and the installer stops
    before it creates anything. Save the file as UTF-8 or UTF-16 with a byte-order mark.
    """,
)
def script_reads(ctx: Context) -> Finding:
    """The variables script is read as text and never executed.

    pxready evaluates the assignments Pexip's template uses (strings, numbers, $true/$false,
    @( ) arrays, `+` concatenation, "$($Var)" interpolation) and steps over every other
    statement, listing it with its line number. Text that PowerShell itself would reject (an
    unterminated string, an unclosed @( or <#) fails here: the installer would stop on it.
    """
    if ctx.connector is not None and ctx.connector.vars_path is None:
        return skipped(
            "no variables script given (--vars or [[connector]] vars)",
            because="no variables script",
        )
    load = ctx.load_script()
    if load.script is None:
        return failed(f"cannot read the variables script: {load.problem}")
    script = load.script
    where = display_path(script.path)
    if script.syntax is not None and script.syntax.ours:
        return errored(
            f"pxready cannot read the script at line {script.syntax.line}: {script.syntax.message}",
            location=Location(where, script.syntax.line),
            details={"encoding": script.encoding, "line": script.syntax.line},
        )
    if script.syntax is not None:
        return failed(
            f"PowerShell would reject the script at line {script.syntax.line}: "
            f"{script.syntax.message}",
            location=Location(where, script.syntax.line),
            details={"encoding": script.encoding, "line": script.syntax.line},
        )
    unresolved = [
        {"variable": f"${a.name}", "line": a.line, "reason": a.problem}
        for a in script.assignments
        if not a.resolved and a.name.lower().startswith("px")
    ][:MAX_LISTED]
    # A script of a million commands must not make a report of a million rows.
    ignored = [{"line": s.line, "statement": s.head} for s in script.ignored[:MAX_LISTED]]
    px_count = len({a.name.lower() for a in script.assignments if a.name.lower().startswith("px")})
    message = f"read {count(px_count, '$Px variable')} ({script.encoding})"
    if script.ignored:
        message += f"; {count(len(script.ignored), 'other statement')} ignored"
    if unresolved:
        names = ", ".join(f"{u['variable']} (line {u['line']})" for u in unresolved)
        message += f"; cannot evaluate without running it: {names}"
    return passed(
        message,
        location=Location(where),
        details={
            "encoding": script.encoding,
            "ignored_statements": ignored,
            "ignored_statement_count": len(script.ignored),
            "unevaluated": unresolved,
        },
    )


@check(
    "vars.required",
    "Variables the install needs are set",
    reference=f"{GUIDE}: the {SCRIPT} lists the values the installer reads",
    remediation="""
    Add or fill in each variable the message names, as the line it gives shows. The installer
    reads them all and stops part-way without one. $PxPfxCertFileName may instead be given as
    `pfx` in pxready.toml or with --pfx.
    """,
)
def required_set(ctx: Context) -> Finding:
    """The installer reads $PxBaseConnName, $PxVmssRegion, $PxTeamsConnFqdn, $PxNodeFqdns,
    $PxSubscriptionId, $PxAzureLocation, $PxTeamsConnInstanceCount and $PxPfxCertFileName.
    An unset or empty one fails the install part-way; so does an instance count that is not a
    whole number of at least 1 (a number, or a numeric string as in Pexip's template), and a
    subscription or tenant id that is not a GUID. A variable the installer does not know whose
    name is close to one it needs is taken for a misspelling and named ("did you mean"); a
    missing one comes with the line to add. A value that pxready cannot evaluate without running
    the script (the output of a command) is reported so that you can confirm it.
    """
    variables = ctx.variables()
    names = list(REQUIRED)
    if ctx.connector is not None and ctx.connector.pfx_path is None:
        names.append(PFX_VARIABLE)
    script_path = variables.location("PxBaseConnName").path
    misspelt = _misspellings(variables.script.assignments)
    problems: list[tuple[str, int | None]] = []  # (message, line)
    missing, empty, unevaluated = [], [], []
    warnings: list[tuple[str, int | None]] = []
    for name in names:
        found = variables.assignment(name)
        if found is None:
            missing.append(f"${name}")
            near = misspelt.get(name)
            if near is not None:
                problems.append(
                    (f"${name} is not set; line {near.line} sets ${near.name}: did you mean "
                     f"${name}?", near.line)
                )  # fmt: skip
            else:
                problems.append((f"${name} is not set: add `{EXAMPLES[name]}`", None))
        elif not found.resolved:
            unevaluated.append(f"${name} (line {found.line}: {found.problem})")
            warnings.append(
                (f"${name} (line {found.line}) is set, but not evaluable without running the "
                 f"script: it {found.problem}", found.line)
            )  # fmt: skip
        elif _is_empty(found.value):
            empty.append(f"${name} (line {found.line})")
            problems.append((f"${name} is empty (line {found.line}): set it, e.g. "
                             f"`{EXAMPLES[name]}`", found.line))  # fmt: skip
    instances = variables.assignment("PxTeamsConnInstanceCount")
    if instances is not None and instances.resolved and not _is_empty(instances.value):
        number = variables.instance_count
        if number is None or number < 1:
            problems.append(
                (f"$PxTeamsConnInstanceCount {quoted(instances.value)} (line {instances.line}) "
                 "is not a whole number of instances (1 or more)", instances.line)
            )  # fmt: skip
    for assignment in _guid_variables(variables.script.assignments):
        value = assignment.value
        text = value.strip() if isinstance(value, str) else ""
        if assignment.resolved and text and not GUID.fullmatch(text):
            problems.append(
                (f"${assignment.name} {quoted(value)} (line {assignment.line}) is not a "
                 "GUID such as 00000000-0000-0000-0000-000000000000", assignment.line)
            )  # fmt: skip
    for name, near in misspelt.items():
        if name not in missing and f"${name}" not in missing:
            warnings.append(
                (f"line {near.line} sets ${near.name}, which the installer does not read: did "
                 f"you mean ${name}?", near.line)
            )  # fmt: skip
    details = {
        "missing": missing,
        "empty": empty,
        "unevaluated": unevaluated,
        "misspelt": {f"${k}": f"${v.name}" for k, v in misspelt.items()},
    }
    if problems:
        first = next((line for _, line in problems if line), None)
        return failed(
            "; ".join(m for m, _ in problems),
            details=details,
            location=Location(script_path, first),
        )
    if warnings:
        first = next((line for _, line in warnings if line), None)
        return warned(
            "; ".join(m for m, _ in warnings),
            details=details,
            location=Location(script_path, first),
        )
    return passed(f"all {count(len(names), 'required variable')} are set", details=details)


def _misspellings(assignments: Sequence[Assignment]) -> dict[str, Assignment]:
    """Known variable → an assignment to an unknown `$Px…` name so close to it that it is
    likely a misspelling of it."""
    import difflib

    known = {k.lower(): k for k in KNOWN_VARIABLES}
    found: dict[str, Assignment] = {}
    for assignment in assignments:
        name = assignment.name
        if not name.lower().startswith("px") or name.lower() in known:
            continue
        close = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.85)
        if close and known[close[0]] not in found:
            found[known[close[0]]] = assignment
    return found


def _guid_variables(assignments: Sequence[Assignment]) -> list[Assignment]:
    """The last assignment of $PxSubscriptionId and of any `…TenantId` variable."""
    latest: dict[str, Assignment] = {}
    for assignment in assignments:
        lowered = assignment.name.lower()
        if lowered == "pxsubscriptionid" or lowered.endswith("tenantid"):
            latest[lowered] = assignment
    return list(latest.values())


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not value or all(_is_empty(v) for v in value)
    return False


BASE_MAX = 9
COMBINED_MIN, COMBINED_MAX = 3, 14


@check(
    "vars.naming",
    "Base name and region name fit Azure's naming rules",
    reference=f"{GUIDE}: {SCRIPT}, comments on $PxBaseConnName and $PxVmssRegion",
    remediation="""
    Choose $PxBaseConnName of at most 9 lower-case letters and digits, and $PxVmssRegion of
    lower-case letters only, together 3 to 14 characters. They form the scale-set name and the
    Windows computer-name prefix, which Azure limits to 15 characters.
    """,
)
def naming_fits(ctx: Context) -> Iterator[Finding]:
    """$PxBaseConnName (at most 9 characters, a-z and 0-9) and $PxVmssRegion (a-z) together
    name the VM scale set and the Windows computer-name prefix, which Azure limits to 15
    characters; Pexip's script allows 3 to 14 for the two together. Resource groups, the public
    IP and the Azure Bot names are derived from them, so a bad value fails the install late.
    """
    variables = ctx.variables()
    # As written: the installer uses the value with any spaces in it, so they must count.
    base = _raw_text(variables.value("PxBaseConnName"))
    region = _raw_text(variables.value("PxVmssRegion"))
    if base is None or region is None:
        yield skipped(
            "$PxBaseConnName or $PxVmssRegion is not set (see vars.required)",
            because="variable not set",
        )
        return
    problems: list[str] = []
    line = None
    if len(base) > BASE_MAX:
        problems.append(
            f"$PxBaseConnName {quoted(base)} has {len(base)} characters; at most {BASE_MAX} "
            "are allowed"
        )
        line = variables.location("PxBaseConnName").line
    if not re.fullmatch(r"[a-z0-9]+", base):
        bad = sorted({c for c in base if not re.match(r"[a-z0-9]", c)})
        hint = " (use lower case)" if any(c.isupper() for c in bad) else ""
        problems.append(
            f"$PxBaseConnName {quoted(base)} contains {_chars(bad)}; only a-z and 0-9 are "
            f"allowed{hint}"
        )
        line = line or variables.location("PxBaseConnName").line
    if not re.fullmatch(r"[a-z]+", region):
        bad = sorted({c for c in region if not re.match(r"[a-z]", c)})
        hint = " (use lower case)" if any(c.isupper() for c in bad) else ""
        problems.append(
            f"$PxVmssRegion {quoted(region)} contains {_chars(bad)}; only a-z is allowed{hint}"
        )
        line = line or variables.location("PxVmssRegion").line
    combined = len(base) + len(region)
    if not COMBINED_MIN <= combined <= COMBINED_MAX:
        problems.append(
            f"$PxBaseConnName + $PxVmssRegion {quoted(base + region)} has {combined} "
            f"characters; {COMBINED_MIN} to {COMBINED_MAX} are allowed"
        )
        line = line or variables.location("PxVmssRegion").line
    details = {
        "base": base,
        "region": region,
        "scale_set": base + region,
        "resource_groups": [
            f"{base}-TeamsConn-{region}-RG",
            f"{base}-TeamsConn-{region}-static-RG",
        ],
    }
    where = variables.location("PxBaseConnName")
    if problems:
        yield failed("; ".join(problems), details=details, location=Location(where.path, line))
    else:
        yield passed(
            f"scale set {quoted(base + region)} ({combined} characters) and resource groups "
            f"{base}-TeamsConn-{region}-RG fit Azure's rules",
            details=details,
        )


def _raw_text(value: object) -> str | None:
    """A scalar value as the installer sees it (not stripped); None when unset or blank."""
    if value is None or isinstance(value, (bool, list)):
        return None
    text = str(value)
    return text if text.strip() else None


def _chars(chars: list[str]) -> str:
    shown = ", ".join("a space" if c == " " else repr(c) for c in chars)
    return shown


@check(
    "vars.fqdn",
    "Connector and node names are valid DNS names",
    reference=f"{GUIDE}: Obtaining and preparing the TLS certificate for the Teams Connector",
    remediation="""
    Give $PxTeamsConnFqdn and each $PxNodeFqdns entry as a fully qualified DNS name: at least
    two labels of letters, digits and hyphens (no underscores, spaces or wildcards), each 1 to
    63 characters. $PxNodeFqdns is one string with the names separated by commas. Each Teams
    Connector (region) needs its own $PxTeamsConnFqdn.
    """,
)
def names_valid(ctx: Context) -> Finding:
    """$PxTeamsConnFqdn is the name the Conferencing Nodes connect to and the name the PFX
    certificate must carry; $PxNodeFqdns are the names the connector accepts in the nodes'
    certificates. Both must be valid DNS host names: letters, digits and hyphens, at least two
    labels, 1 to 63 characters each (RFC 1123). A connector in another region needs another
    name.
    """
    variables = ctx.variables()
    problems: list[str] = []
    warnings: list[str] = []
    line: int | None = None
    raw_fqdn = _raw_text(variables.value("PxTeamsConnFqdn"))
    checked = 0
    if raw_fqdn is not None:
        checked += 1
        problem = dns_name_problem(raw_fqdn)
        if problem:
            problems.append(f"$PxTeamsConnFqdn {quoted(raw_fqdn)} {problem}")
            line = variables.location("PxTeamsConnFqdn").line
    raw_nodes = variables.items("PxNodeFqdns")
    if raw_nodes is not None:
        entries = [part.strip() for item in raw_nodes for part in item.split(",")]
        if any(not e for e in entries) and any(entries):
            warnings.append("$PxNodeFqdns has an empty entry (a stray comma)")
        for entry in (e for e in entries if e):
            checked += 1
            problem = dns_name_problem(entry)
            if problem:
                problems.append(f"$PxNodeFqdns entry {quoted(entry)} {problem}")
                line = line or variables.location("PxNodeFqdns").line
        if isinstance(variables.value("PxNodeFqdns"), list):
            warnings.append(
                "$PxNodeFqdns is an array; Pexip's script expects one string with "
                "the names separated by commas"
            )
    fqdn = variables.fqdn
    if fqdn and ctx.connector is not None:
        for other in ctx.deployment.connectors:
            if other.position == ctx.connector.position:
                continue
            other_fqdn = _other_fqdn(ctx, other)
            if other_fqdn == fqdn:
                problems.append(
                    f"$PxTeamsConnFqdn {quoted(fqdn)} is also the name of connector "
                    f"{other.position + 1}; each region needs its own name"
                )
                break
    if checked == 0:
        return skipped(
            "$PxTeamsConnFqdn and $PxNodeFqdns are not set (see vars.required)",
            because="variable not set",
        )
    where = variables.location("PxTeamsConnFqdn").path
    details = {"connector_fqdn": fqdn, "node_fqdns": variables.node_fqdns}
    if problems:
        return failed(
            "; ".join(problems + warnings), details=details, location=Location(where, line)
        )
    if warnings:
        return warned(
            "; ".join(warnings),
            details=details,
            location=Location(where, variables.location("PxNodeFqdns").line),
        )
    valid = "is a valid DNS name" if checked == 1 else "are valid DNS names"
    return passed(f"{count(checked, 'name')} {valid}", details=details)


def _other_fqdn(ctx: Context, other: ConnectorInput) -> str | None:
    try:
        return ctx.for_connector(other).variables().fqdn
    except CheckSkipped:
        return None


@check(
    "vars.prefixes",
    "Address prefixes are valid and not open to the internet",
    reference=f"{GUIDE}: Firewall ports for the Teams Connector and NSG rules",
    remediation="""
    List single IPv4 addresses or CIDR prefixes (such as "198.51.100.0/24") in
    $PxMgmtSrcAddrPrefixes and $PxNodesSourceAddressPrefixes, as a PowerShell array
    @("a", "b"). Never open RDP ($PxMgmtSrcAddrPrefixes) to 0.0.0.0/0 or Internet. Use the
    public addresses the Conferencing Nodes and management workstations are seen from: the
    connector sees them over the internet, not by their private addresses.
    """,
)
def prefixes_valid(ctx: Context) -> Iterator[Finding]:
    """$PxMgmtSrcAddrPrefixes become the source of the NSG rule that allows RDP to the
    instances; $PxNodesSourceAddressPrefixes the source of the rule that allows the
    Conferencing Nodes to reach the connector on 443. Azure rejects a malformed prefix during
    the install. An RDP rule open to the whole internet fails; an open 443 rule warns (it is the
    same as leaving the list empty). The connector sees nodes and workstations by their public
    addresses, so a private address here never matches. An entry is judged once, under the
    variable that writes it (`+ $PxMgmtSrcAddrPrefixes` adds no second report), and warnings
    are a result of their own, never mixed into a failure.
    """
    variables = ctx.variables()
    problems: list[tuple[str, int | None]] = []
    warnings: list[tuple[str, int | None]] = []
    judged: set[str] = set()
    seen = 0
    for name, is_mgmt in (("PxMgmtSrcAddrPrefixes", True), ("PxNodesSourceAddressPrefixes", False)):
        found = variables.assignment(name)
        if found is not None and not found.resolved:
            continue  # vars.parse and vars.consent-access say it cannot be evaluated
        items = [i for i in (variables.items(name) or []) if i]
        line = found.line if found is not None else None
        if found is None or not items:
            if not is_mgmt:
                # Unset is the same as empty for the installer: no source restriction on 443.
                state = "is not set" if found is None else "is empty"
                warnings.append(
                    (f"${name} {state}: 443 on the connector is open to every address", line)
                )
            continue
        private: list[str] = []
        for item in items:
            if item in judged:
                continue  # written by $PxMgmtSrcAddrPrefixes and judged there
            judged.add(item)
            seen += 1
            verdict, note = classify_prefix(item)
            label = f"${name} entry {quoted(item)}"
            if verdict == "open" and is_mgmt:
                problems.append((f"{label} opens RDP to the whole internet", line))
            elif verdict == "open":
                warnings.append((f"{label} allows every address (as leaving it empty)", line))
            elif verdict == "bad":
                problems.append((f"{label} {note}", line))
            elif verdict == "warn":
                warnings.append((f"{label} {note}", line))
            elif verdict == "private":
                private.append(item)
        if private:
            warnings.append(
                (f"${name} has private addresses ({', '.join(private)}); the connector sees "
                 "nodes and workstations by their public addresses, so these never match", line)
            )  # fmt: skip
    where = variables.location("PxMgmtSrcAddrPrefixes").path
    if problems:
        yield failed(
            "; ".join(m for m, _ in problems),
            location=Location(where, next((ln for _, ln in problems if ln), None)),
        )
    if warnings:
        yield warned(
            "; ".join(m for m, _ in warnings),
            location=Location(where, next((ln for _, ln in warnings if ln), None)),
        )
    if problems or warnings:
        return
    if seen == 0:
        yield passed("no address prefixes set (RDP blocked by design; 443 open to all)")
        return
    valid = (
        "is a valid IPv4 address or CIDR prefix"
        if seen == 1
        else "are valid IPv4 addresses or CIDR prefixes"
    )
    yield passed(f"{count(seen, 'address prefix', 'address prefixes')} {valid}")


PASSWORD_NAME = re.compile(r"pass|pwd", re.IGNORECASE)
# A quoted literal handed to ConvertTo-SecureString -AsPlainText is the password in plain text;
# `ConvertTo-SecureString $env:PW -AsPlainText` is not.
PLAINTEXT_SECURESTRING = re.compile(
    r"ConvertTo-SecureString\b(?=.*-AsPlainText)(?=.*[\"'\u201c\u201d\u201e\u2018\u2019])",
    re.IGNORECASE,
)


def _written_in_script(assignment: Assignment) -> bool:
    """Whether a secret-named variable holds text typed into the script."""
    value = assignment.value
    if not assignment.resolved:
        # "Pa$$w0rd" does not evaluate ($w0rd is no variable), but it is typed-in text.
        return assignment.plain_text
    if isinstance(value, str):
        return bool(value.strip())
    # A number typed in as a password is still the password; a token lifetime is not.
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and bool(PASSWORD_NAME.search(assignment.name))
    )


@check(
    "vars.secrets",
    "No plain-text password in the variables script",
    reference=f"{GUIDE}: {SCRIPT} ($PxWinAdminPassword is prompted for at install time)",
    remediation="""
    Remove the password from the script and let the installer prompt for it (or read it with
    Read-Host -AsSecureString). The script lives in a config repository, where every clone and
    every backup keeps the password. Change the password if the script was ever committed.
    """,
)
def no_plaintext_secrets(ctx: Context) -> Finding:
    """A variables script is shared and committed to config repositories; a password typed
    into it ($PxWinAdminPassword is the usual one) is then readable by everyone with access,
    and stays in the history. pxready reports that a password is present and where, never the
    password itself.
    """
    load = ctx.load_script()
    if load.script is None:
        return skipped(
            f"the variables script could not be read ({load.problem})",
            because="variables script unreadable",
        )
    script = load.script
    found: list[tuple[str, int]] = []
    for assignment in script.assignments:
        if not assignment.resolved and PLAINTEXT_SECURESTRING.search(
            script.line_text(assignment.line)
        ):
            found.append(
                (f"${assignment.name} (ConvertTo-SecureString -AsPlainText)", assignment.line)
            )
            continue
        if not looks_secret(assignment.name):
            continue
        if _written_in_script(assignment):
            found.append((f"${assignment.name}", assignment.line))
    if script.syntax is not None:
        # The reader stops where PowerShell would; a password further down is still committed.
        found.extend(_secret_lines(script.source, after=script.syntax.line))
    where = display_path(script.path)
    if found:
        listed = ", ".join(f"{name} at line {line}" for name, line in found)
        return failed(
            f"plain-text password in the script: {listed}",
            location=Location(where, found[0][1]),
            details={"variables": [{"variable": n, "line": ln} for n, ln in found]},
        )
    if script.syntax is not None:
        return skipped(
            f"the script does not parse (line {script.syntax.line}); no password was found in "
            "its text, but assignments after that line cannot be judged exactly",
            because="variables script unreadable",
        )
    return passed("no plain-text password in the script")


_ASSIGNED_TEXT = re.compile(
    r"""^\s*(?:\[[^\]]+\]\s*)?\$(?:\w+:)?(\w+)\s*=\s*["'\u201c\u201d\u2018\u2019]"""
)


def _secret_lines(source: str, after: int) -> list[tuple[str, int]]:
    """Quoted values assigned to secret-named variables, found by their shape in lines the
    reader could not parse. Only names and line numbers come out, never values."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        if number < after:
            continue
        match = _ASSIGNED_TEXT.match(line)
        if match and looks_secret(match.group(1)):
            found.append((f"${match.group(1)}", number))
        elif PLAINTEXT_SECURESTRING.search(line) and re.search(r"""["'].+["']""", line):
            found.append((f"line {number} (ConvertTo-SecureString -AsPlainText)", number))
    return found
