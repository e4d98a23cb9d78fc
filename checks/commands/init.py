"""`pxready init PATH`: a commented pxready.toml beside a variables script, from what is there.

It looks beside the script (and in certs/ and azure/ subfolders) for the PFX, Conferencing
Node certificates and Azure exports, fills in what it finds, and leaves every other key as a
comment that says what it is for. It never overwrites a pxready.toml without --force.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import click

from checks.azure.evidence import EXPORTS
from readiness.files import InputFileError, read_input, resolved

CERT_SUFFIXES = (".pem", ".crt", ".cer")
PFX_SUFFIXES = (".pfx", ".p12")
# `az` export → pxready.toml key: the words Azure CLI users tend to name the files after.
# [azure] key → words in a file name that suggest that export (its command comes from
# checks.azure.evidence, the same as `pxready azure-commands` prints).
AZURE_EXPORTS = (
    ("usage_file", ("usage",), "usage"),
    ("skus_file", ("sku",), "skus"),
    ("provider_file", ("provider", "automation"), "provider"),
    ("locations_file", ("location",), "locations"),
    ("permissions_file", ("permission",), "permissions"),
    ("bot_names_file", ("bot-name", "botname", "bot_name"), "bot-names"),
    ("groups_file", ("group",), "groups"),
    ("features_file", ("feature",), "features"),
)


@dataclass
class Found:
    """What `init` found beside the script, as paths relative to the config's folder."""

    pfx: list[str] = field(default_factory=list)
    script_pfx: str | None = None  # $PxPfxCertFileName, when that file exists
    script_pfx_missing: str | None = None  # $PxPfxCertFileName, when it does not
    certificates: list[str] = field(default_factory=list)
    ca_bundles: list[str] = field(default_factory=list)  # PEM files of CA certificates only
    not_pem: list[str] = field(default_factory=list)  # DER or key files: not usable as is
    azure: dict[str, str] = field(default_factory=dict)
    evidence: str | None = None  # a folder written by the script of `pxready azure-commands`
    location: str | None = None


def _toml_string(value: str) -> str:
    # A JSON string literal is a valid TOML basic string.
    return json.dumps(value, ensure_ascii=False)


def _relative(path: Path, folder: Path) -> str:
    try:
        return resolved(path).relative_to(resolved(folder)).as_posix()
    except ValueError:
        return resolved(path).as_posix()


def _candidates(folder: Path, suffixes: Iterable[str]) -> list[Path]:
    wanted = tuple(suffixes)
    files: list[Path] = []
    for where in (folder, folder / "certs"):
        if where.is_dir():
            files += sorted(
                p for p in where.iterdir() if p.is_file() and p.suffix.lower() in wanted
            )
    return files


def _pem_certificate(path: Path) -> bool:
    """A PEM file with a certificate and no private key (keys do not belong in the config)."""
    try:
        head = read_input(path, what="certificate file")
    except InputFileError:
        return False
    return b"-----BEGIN CERTIFICATE-----" in head and b"PRIVATE KEY-----" not in head


def _only_ca_certificates(path: Path) -> bool:
    """A PEM file whose certificates are all CAs is a trust bundle, not a node certificate."""
    from cryptography import x509

    try:
        certificates = x509.load_pem_x509_certificates(read_input(path, what="certificate file"))
    except (InputFileError, ValueError):
        return False

    def is_ca(cert: x509.Certificate) -> bool:
        try:
            return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
        except x509.ExtensionNotFound:
            return False

    return bool(certificates) and all(is_ca(c) for c in certificates)


def discover(script: Path) -> Found:
    from readiness.connector import resolve_script_path
    from readiness.variables import ScriptDecodeError, read_script

    folder = script.parent
    found = Found()
    script_pfx: Path | None = None
    try:
        parsed = read_script(script)
    except (InputFileError, ScriptDecodeError):
        parsed = None
    if parsed is not None:
        named = parsed.get("PxPfxCertFileName")
        if (
            named is not None
            and named.resolved
            and isinstance(named.value, str)
            and named.value.strip()
        ):
            script_pfx = resolve_script_path(named.value.strip(), folder)
            if script_pfx.is_file():
                found.script_pfx = _relative(script_pfx, folder)
            else:
                found.script_pfx_missing = named.value.strip()
        location = parsed.get("PxAzureLocation")
        if location is not None and isinstance(location.value, str) and location.value.strip():
            found.location = location.value.strip()
    for path in _candidates(folder, PFX_SUFFIXES):
        if script_pfx is None or resolved(path) != resolved(script_pfx):
            found.pfx.append(_relative(path, folder))
    for path in _candidates(folder, CERT_SUFFIXES):
        if not _pem_certificate(path):
            found.not_pem.append(_relative(path, folder))
        elif _only_ca_certificates(path):
            found.ca_bundles.append(_relative(path, folder))
        else:
            found.certificates.append(_relative(path, folder))
    evidence = folder / "azure"
    if (evidence / "account.json").is_file() or any(evidence.glob("usage-*.json")):
        found.evidence = _relative(evidence, folder) + "/"
        return found
    for where in (folder / "azure", folder):
        if not where.is_dir():
            continue
        for path in sorted(where.glob("*.json")):
            name = path.name.lower()
            for key, words, _ in AZURE_EXPORTS:
                if key not in found.azure and any(w in name for w in words):
                    found.azure[key] = _relative(path, folder)
    return found


def config_text(script: Path, found: Found, today: dt.date) -> str:
    folder = script.parent
    vars_value = _relative(script, folder)
    out = [
        f"# pxready.toml for the Teams Connector of {vars_value}, written by `pxready init` "
        f"on {today.isoformat()}.",
        "# `pxready check` reads it from this folder (or --config PATH). Paths are relative to "
        "this file.",
        "# Every key is optional; a commented key shows its default or an example.",
        "",
        "[[connector]]",
        f"vars = {_toml_string(vars_value)}",
    ]
    if found.script_pfx:
        out.append(f"# The PFX is {found.script_pfx}, named by $PxPfxCertFileName in the script.")
        out.append(f"# pfx = {_toml_string(found.script_pfx)}")
    elif len(found.pfx) == 1:
        why = (
            f"$PxPfxCertFileName names '{found.script_pfx_missing}', which is not there"
            if found.script_pfx_missing
            else "the script names no PFX"
        )
        out.append(f"# The Teams Connector certificate ({why}).")
        out.append(f"pfx = {_toml_string(found.pfx[0])}")
    else:
        if found.script_pfx_missing:
            out.append(
                f"# $PxPfxCertFileName names '{found.script_pfx_missing}', which is not "
                "there; name the PFX here."
            )
        if len(found.pfx) > 1:
            out.append("# Several PFX files are here; uncomment the Teams Connector's:")
        out += [f"# pfx = {_toml_string(p)}" for p in found.pfx] or ['# pfx = "pexip-teams.pfx"']
    others = found.pfx if found.script_pfx else []
    if others:
        out.append("# Other PFX files here: " + ", ".join(others))
    out += [
        "# The PFX password comes from this environment variable (or a prompt on a terminal):",
        '# pfx_password_env = "PXREADY_PFX_PASSWORD"',
        "# The CNAME target the installer prints, once known:",
        '# expected_cname = "<label>.<region>.cloudapp.azure.com"',
        "",
        "[nodes]",
        "# Conferencing Node certificates (PEM: leaf first, then intermediates).",
    ]
    if found.certificates:
        out.append("certificates = [")
        out += [f"  {_toml_string(c)}," for c in found.certificates]
        out.append("]")
        out.append("# Remove any file above that is not a node certificate (a CA bundle, say).")
    else:
        out.append('# certificates = ["certs/edge-pool.pem"]')
    if found.not_pem:
        out.append(
            "# Not PEM certificates (DER or private keys), left out: " + ", ".join(found.not_pem)
        )
    out += [
        "# Port that tls.node connects to on each node:",
        "# tls_port = 443",
        "",
        "[trust]",
        "# Trust anchors (PEM); default: the Mozilla bundle (certifi).",
    ]
    if found.ca_bundles:
        out += [
            f"# {', '.join(found.ca_bundles)} holds only CA certificates: name it here when your",
            "# certificates come from a private or test CA (it replaces the Mozilla bundle).",
            f"# ca_bundle = {_toml_string(found.ca_bundles[0])}",
        ]
    else:
        out.append('# ca_bundle = "certs/roots.pem"')
    out += [
        "",
        "[azure]",
        '# vm_size = "Standard_F4s"',
        "# recommended_vcpus = 40",
        "# Exports stand in for Azure Resource Manager (and run under --offline):",
    ]
    if found.evidence:
        out.append(
            f"evidence = {_toml_string(found.evidence)}  # written by the script of "
            "`pxready azure-commands`"
        )
    else:
        out.append(
            '# evidence = "azure/"  # a folder written by the script of `pxready azure-commands`'
        )
    location = "".join((found.location or "<region>").split()).lower()
    for key, _, kind in AZURE_EXPORTS:
        hint = EXPORTS[kind].az.format(
            location=location, subscription="<subscription>", name="<bot name>"
        )
        if kind == "bot-names":
            hint = '{"<bot name>": <answer>, ...}, the answers of ' + hint
        if key in found.azure:
            out.append(f"{key} = {_toml_string(found.azure[key])}  # {hint}")
        else:
            out.append(f'# {key} = "azure/{key.removesuffix("_file")}.json"  # {hint}')
    out += [
        "# Public address of the workstation that will give admin consent:",
        '# consent_from = "203.0.113.10"',
        "",
        "[dns]",
        "# DNS servers for the dns.* and tls.* checks; default: the system resolver.",
        '# nameservers = ["192.0.2.53"]',
        "",
        "[checks]",
        '# skip = ["tls.node"]',
        "# expiry_warning_days = 30",
        "",
        "# Accept a known finding, with a reason, until a date:",
        "# [[waiver]]",
        '# id = "connector-cert.eku"',
        '# reason = "clientAuth confirmed not required for this release, case 01234"',
        "# expires = 2027-03-01",
        "",
    ]
    return "\n".join(out)


@click.command("init")
@click.argument("script", metavar="PATH", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing pxready.toml.")
def init_command(script: Path, force: bool) -> None:
    """Write a commented pxready.toml beside the variables script PATH, naming the PFX,
    certificates and Azure exports found there."""
    from readiness.commands.options import UsageProblem
    from readiness.config import CONFIG_FILE_NAME

    if not script.is_file():
        raise UsageProblem(f"{script}: no such variables script")
    target = script.parent / CONFIG_FILE_NAME
    if target.exists() and not force:
        raise UsageProblem(f"{target} already exists; pass --force to overwrite it")
    found = discover(script)
    text = config_text(script, found, dt.datetime.now(dt.UTC).date())
    try:
        with target.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageProblem(f"{target}: cannot write: {exc.strerror}") from None
    pfx = found.script_pfx or (found.pfx[0] if len(found.pfx) == 1 else None)
    lines = [f"Wrote {target}", f"  connector: {_relative(script, script.parent)}"]
    lines.append(
        f"  PFX: {pfx}"
        if pfx
        else f"  PFX: not chosen ({len(found.pfx)} found); edit 'pfx' in the file"
    )
    lines.append(f"  node certificates: {', '.join(found.certificates) or 'none found'}")
    if found.evidence:
        lines.append(f"  Azure evidence: {found.evidence}")
    if found.azure:
        lines.append("  Azure exports: " + ", ".join(found.azure.values()))
    lines.append(
        "Next: pxready check"
        + ("" if resolved(target.parent) == resolved(Path.cwd()) else f" --config {target}")
    )
    click.echo("\n".join(lines))
