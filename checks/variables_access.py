"""Checks of who can reach the connector: the Windows admin account and the consent workstation."""

from __future__ import annotations

import ipaddress
import re
from functools import partial

from checks.prefixes import classify_prefix
from readiness import Context, Finding, Location, failed, passed, skipped, warned
from readiness import check as _check
from readiness.text import count, quoted

# Read from the variables script: shown with its other checks.
check = partial(_check, order=10)

GUIDE = "Pexip Teams Connector planning guide"

# Azure refuses these as the admin user of a Windows VM (Compute API, osProfile.adminUsername).
RESERVED_USER_NAMES = frozenset(
    {
        "1",
        "123",
        "a",
        "actuser",
        "adm",
        "admin",
        "admin1",
        "admin2",
        "administrator",
        "aspnet",
        "backup",
        "console",
        "david",
        "guest",
        "john",
        "owner",
        "root",
        "server",
        "sql",
        "support",
        "support_388945a0",
        "sys",
        "test",
        "test1",
        "test2",
        "test3",
        "user",
        "user1",
        "user2",
        "user3",
        "user4",
        "user5",
    }
)
USER_FORBIDDEN = set('\\/"[]:|<>+=;,?*@&')
USER_MAX = 20
PASSWORD_MIN, PASSWORD_MAX = 12, 123
# Azure refuses these passwords outright, whatever their length and classes.
REFUSED_PASSWORDS = frozenset(
    {
        "abc@123",
        "iloveyou!",
        "p@$$w0rd",
        "p@ssw0rd",
        "p@ssword123",
        "pa$$word",
        "pass@word1",
        "password!",
        "password1",
        "password22",
    }
)


@check(
    "vars.admin-account",
    "Windows administrator account meets Azure's rules",
    reference=f"{GUIDE}: installation variables; Azure rules for Windows VM admin accounts",
    remediation="""
    Choose an admin user name of at most 20 characters that is not a reserved name (admin,
    administrator, user, guest, root, test and similar), without \\ / " [ ] : | < > + = ; , ? *
    @ & and not ending in a dot. The password needs 12 to 123 characters with three of: lower
    case, upper case, digit, symbol. Keep the password out of the script (see vars.secrets).
    """,
)
def admin_account_valid(ctx: Context) -> Finding:
    """The installer creates the connector VMs with $PxWinAdminUser as their local
    administrator. Azure refuses reserved names (administrator, admin, user, guest, root, …),
    names over 20 characters and names with \\ / " [ ] : | < > + = ; , ? * @ &, and passwords
    that are not 12–123 characters with three of four character classes. The deployment would
    fail at the scale-set step. When the password is in the script in plain text it is judged
    too (never shown); otherwise the installer asks for it.
    """
    variables = ctx.variables()
    # As written, not stripped: Azure takes the spaces as part of the name or password.
    user = _raw_text(variables.value("PxWinAdminUser"))
    password_assignment = variables.assignment("PxWinAdminPassword")
    password = _raw_text(variables.value("PxWinAdminPassword"))
    if user is None and password is None:
        return skipped("$PxWinAdminUser is not in the script; the installer asks for the account")
    problems: list[str] = []
    line: int | None = None
    if user is not None:
        problem = _user_problem(user)
        if problem:
            problems.append(f"$PxWinAdminUser {quoted(user)} {problem}")
            line = variables.location("PxWinAdminUser").line
    checked_password = False
    if password is not None and password_assignment is not None:
        checked_password = True
        problem = _password_problem(password, user)
        if problem:
            problems.append(f"$PxWinAdminPassword {problem}")
            line = line or password_assignment.line
    where = variables.location("PxWinAdminUser").path
    if problems:
        return failed("; ".join(problems), location=Location(where, line))
    what = "admin user name" + (" and password meet" if checked_password else " meets")
    return passed(f"{what} Azure's rules")


def _raw_text(value: object) -> str | None:
    if value is None or isinstance(value, (bool, list)):
        return None
    text = str(value)
    return text if text else None


def _user_problem(user: str) -> str | None:
    if len(user) > USER_MAX:
        return f"has {len(user)} characters; Azure allows at most {USER_MAX}"
    if user.lower() in RESERVED_USER_NAMES:
        return "is a name Azure reserves and refuses"
    bad = sorted(set(user) & USER_FORBIDDEN)
    if bad:
        return f"contains {', '.join(repr(c) for c in bad)}, which Azure refuses"
    if user.endswith("."):
        return "ends with a dot, which Azure refuses"
    if user.strip() != user or not user:
        return "has spaces around it"
    return None


def _password_problem(password: str, user: str | None) -> str | None:
    """Why Azure would refuse the password; never includes the password."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return f"has {len(password)} characters; Azure needs {PASSWORD_MIN} to {PASSWORD_MAX}"
    classes = sum(
        bool(re.search(pattern, password))
        for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")
    )
    if classes < 3:
        return (
            f"uses {classes} of the 4 character classes (lower case, upper case, digit, "
            "symbol); Azure needs 3"
        )
    if password.lower() in REFUSED_PASSWORDS:
        return "is one of the common passwords Azure refuses"
    if user and user.lower() in password.lower():
        return "contains the user name, which Azure refuses"
    return None


@check(
    "vars.consent-access",
    "Admin-consent workstation can reach the connector",
    reference=f"{GUIDE}: Firewall ports for the Teams Connector and NSG rules; "
    "$PxNodesSourceAddressPrefixes must include the admin-consent workstation",
    remediation="""
    Add the public address of the workstation that will give admin consent to
    $PxNodesSourceAddressPrefixes (as its own entry, e.g. "203.0.113.10"), or give consent from
    an address already in the list. Tell pxready that address with --consent-from or
    [azure] consent_from so that it can confirm it.
    """,
)
def consent_reachable(ctx: Context) -> Finding:
    """When $PxNodesSourceAddressPrefixes is set, the connector's NSG allows 443 only from
    those addresses. The final install step opens the connector's admin-consent page from an
    administrator's browser, so that workstation's public address must be in the list, or
    consent fails after the whole deployment has run. An empty list leaves 443 open to all.
    An empty $PxMgmtSrcAddrPrefixes keeps RDP to the instances closed, by design.
    """
    variables = ctx.variables()
    location = variables.location("PxNodesSourceAddressPrefixes")
    nodes = variables.assignment("PxNodesSourceAddressPrefixes")
    if nodes is not None and not nodes.resolved:
        return warned(
            f"$PxNodesSourceAddressPrefixes (line {nodes.line}) cannot be evaluated without "
            "running the script; make sure it includes the admin-consent workstation's public "
            "address",
            location=location,
        )
    prefixes = [p for p in (variables.items("PxNodesSourceAddressPrefixes") or []) if p]
    mgmt = [p for p in (variables.items("PxMgmtSrcAddrPrefixes") or []) if p]
    rdp_note = (
        "RDP to the instances is closed by design ($PxMgmtSrcAddrPrefixes is empty)"
        if not mgmt
        else f"RDP allowed from {count(len(mgmt), 'management prefix', 'management prefixes')}"
    )
    details = {"consent_from": ctx.deployment.azure.consent_from, "rdp_open": bool(mgmt)}
    open_to_all = [p for p in prefixes if classify_prefix(p)[0] == "open"]
    if not prefixes or open_to_all:
        why = (
            f"{quoted(open_to_all[0])} allows every address"
            if open_to_all
            else "443 is open to every address"
        )
        return passed(f"{why}, so consent can be given from anywhere; {rdp_note}", details=details)
    networks = []
    for prefix in prefixes:
        try:
            networks.append(ipaddress.ip_network(prefix, strict=False))
        except ValueError:
            continue  # vars.prefixes reports it
    consent_from = ctx.deployment.azure.consent_from
    if consent_from is None:
        return warned(
            f"443 is limited to {count(len(prefixes), 'prefix', 'prefixes')}; make sure the "
            "admin-consent "
            "workstation's public address is one of them (give it with --consent-from to "
            f"check); {rdp_note}",
            details=details,
            location=location,
        )
    address = ipaddress.ip_address(consent_from)
    covering = [str(n) for n in networks if address.version == n.version and address in n]
    if covering:
        return passed(
            f"the consent workstation {consent_from} is allowed by {covering[0]}; {rdp_note}",
            details={**details, "allowed_by": covering[0]},
        )
    return failed(
        f"the consent workstation {consent_from} is not in $PxNodesSourceAddressPrefixes "
        f"({', '.join(prefixes)}): admin consent would fail at the end of the install",
        details=details,
        location=Location(location.path, location.line),
        remediation=(
            f'Add "{consent_from}" to $PxNodesSourceAddressPrefixes as its own entry, or give '
            "admin consent from a workstation whose public address is already in the list."
        ),
    )
