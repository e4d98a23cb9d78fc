"""pxready.toml and command-line flags → one `Deployment`.

Precedence: built-in defaults < pxready.toml < flags. Paths in the file resolve against the
file's folder, paths given as flags against the current folder. Every problem is collected and
reported at once (file, line, what is wrong), so a user fixes the file in one pass.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from readiness.deployment import (
    CLOUDS,
    DEFAULT_CLOUD,
    DEFAULT_EXPIRY_WARNING_DAYS,
    DEFAULT_PFX_PASSWORD_ENV,
    DEFAULT_TLS_PORT,
    AzureInput,
    ConnectorInput,
    Deployment,
    Nameserver,
)
from readiness.files import InputFileError, not_a_file, read_input
from readiness.text import display, quoted
from readiness.waivers import KEYS as _WAIVER_KEYS
from readiness.waivers import Waiver
from readiness.waivers import parse as parse_waiver

CONFIG_FILE_NAME = "pxready.toml"
# Far above real deployments (a handful of regions, tens of nodes); a configuration past them
# is a mistake or hostile, and each entry costs work and report lines.
MAX_NODE_CERTIFICATES = 1000
MAX_CONNECTORS = 100
MAX_WAIVERS = 1000


class ConfigProblem(NamedTuple):
    message: str
    path: Path | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            shown = display(self.path)
            where = f"{shown}:{self.line}: " if self.line else f"{shown}: "
        return display(f"{where}{self.message}")


class ConfigError(Exception):
    """The command cannot run (exit 2). Each problem is one line for stderr."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = tuple(problems)


class Overrides(NamedTuple):
    """The flags of `pxready check` that feed the deployment (None: not given)."""

    config: Path | None = None
    vars: Path | None = None
    pfx: Path | None = None
    pfx_password_env: str | None = None
    node_certs: tuple[Path, ...] = ()
    ca_bundle: Path | None = None
    nameservers: tuple[str, ...] = ()
    azure_usage: Path | None = None
    azure_skus: Path | None = None
    azure_provider: Path | None = None
    azure_locations: Path | None = None
    azure_permissions: Path | None = None
    azure_bot_names: Path | None = None
    azure_groups: Path | None = None
    azure_features: Path | None = None
    azure_evidence: Path | None = None
    vm_size: str | None = None
    consent_from: str | None = None
    offline: bool = False
    at: dt.datetime | None = None
    timeout: float | None = None


class Settings(NamedTuple):
    """What the configuration file says besides the deployment: check selection."""

    skip: tuple[str, ...] = ()
    only: tuple[str, ...] = ()


@dataclass
class _Reader:
    """Validates one parsed TOML document, collecting problems with their line numbers."""

    path: Path
    text: str
    problems: list[ConfigProblem] = field(default_factory=list)

    def problem(self, message: str, table: Sequence[str] = (), key: str | None = None) -> None:
        line = _locate(self.text, table, key)
        self.problems.append(ConfigProblem(message, self.path, line))

    def table(self, doc: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = doc.get(name, {})
        if not isinstance(value, dict):
            self.problem(f"[{name}] must be a table", (), name)
            return {}
        return value

    def known_keys(
        self, table: Mapping[str, Any], where: Sequence[str], keys: AbstractSet[str]
    ) -> None:
        label = ".".join(where) if where else "top level"
        for key in table:
            if key not in keys:
                expected = ", ".join(sorted(keys))
                self.problem(
                    f"unknown key '{key}' in [{label}] (expected one of: {expected})", where, key
                )

    def string(self, table: Mapping[str, Any], where: Sequence[str], key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(f"'{key}' must be a non-empty string", where, key)
            return None
        return value.strip()

    def integer(
        self, table: Mapping[str, Any], where: Sequence[str], key: str, low: int, high: int
    ) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(f"'{key}' must be a whole number from {low} to {high}", where, key)
            return None
        return value

    def strings(
        self, table: Mapping[str, Any], where: Sequence[str], key: str, limit: int = 100
    ) -> tuple[str, ...]:
        value = table.get(key)
        if value is None:
            return ()
        if isinstance(value, list) and len(value) > limit:
            self.problem(
                f"'{key}' lists {len(value):,} entries; pxready reads at most {limit:,}",
                where,
                key,
            )
            return ()
        if isinstance(value, str):
            listed = json.dumps([value])
            self.problem(f"'{key}' must be a list of strings: {key} = {listed}", where, key)
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.problem(f"'{key}' must be a list of strings", where, key)
            return ()
        return tuple(value)

    def file(self, table: Mapping[str, Any], where: Sequence[str], key: str) -> Path | None:
        value = self.string(table, where, key)
        if value is None:
            return None
        return _existing(self, where, key, value)

    def folder(self, table: Mapping[str, Any], where: Sequence[str], key: str) -> Path | None:
        value = self.string(table, where, key)
        if value is None:
            return None
        path = resolve_path(value, self.path.parent)
        if not path.is_dir():
            what = "is not a folder" if path.exists() else "does not exist"
            self.problem(f"'{key}' names {quoted(value)}, which {what} ({display(path)})",
                         where, key)  # fmt: skip
        return path


def resolve_path(value: str, base: Path) -> Path:
    """A path as a Windows or POSIX user writes it, relative to `base` when not absolute."""
    path = Path(value.replace("\\", "/")) if "\\" in value and not _is_windows() else Path(value)
    path = path.expanduser()
    return path if path.is_absolute() else base / path


def _is_windows() -> bool:
    import os

    return os.name == "nt"


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")


def _locate(text: str, table: Sequence[str], key: str | None) -> int | None:
    """The line of `key` in `[table]` (the first such table), or of the table header.

    tomllib reports no positions for valid documents; this scan is enough to point a user at
    the right line of a hand-written pxready.toml.
    """
    want = ".".join(t for t in table if not t.isdigit())
    current = ""
    header_line: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = header.group(1).replace(" ", "")
            if current == want and key is None and header_line is None:
                header_line = number
            continue
        match = _KEY.match(line)
        if match and current == want and key is not None:
            found = next(g for g in match.groups() if g)
            if found == key:
                return number
    if key is not None and not want:
        return None
    return header_line


_TOP_KEYS = {"connector", "nodes", "trust", "azure", "dns", "checks", "waiver"}
_CONNECTOR_KEYS = {"vars", "pfx", "expected_cname", "pfx_password_env", "name"}
_NODES_KEYS = {"certificates", "tls_port"}
_TRUST_KEYS = {"ca_bundle"}
_AZURE_KEYS = {
    "vm_size",
    "recommended_vcpus",
    "usage_file",
    "skus_file",
    "provider_file",
    "locations_file",
    "permissions_file",
    "bot_names_file",
    "groups_file",
    "features_file",
    "evidence",
    "consent_from",
    "cloud",
    "arm_endpoint",
}
_DNS_KEYS = {"nameservers"}
_CHECKS_KEYS = {"skip", "only", "expiry_warning_days"}


def discover(explicit: Path | None, cwd: Path) -> Path | None:
    """The configuration file: the one named, else pxready.toml in the current folder."""
    if explicit is not None:
        return explicit
    candidate = cwd / CONFIG_FILE_NAME
    return candidate if candidate.is_file() else None


def read_config_text(path: Path) -> str:
    try:
        data = read_input(path, what="pxready.toml")
    except InputFileError as problem:
        if problem.kind == "missing":
            message = "configuration file does not exist"
        else:
            message = f"the configuration file {problem.message}"
        raise ConfigError([ConfigProblem(message, path)]) from None
    if data.startswith(b"\xef\xbb\xbf"):  # Notepad's UTF-8 BOM is harmless here
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = "not UTF-8 text (save pxready.toml as UTF-8)"
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            message = "saved as UTF-16; TOML files must be UTF-8 (save it as UTF-8)"
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError([ConfigProblem(message, path, line)]) from None


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ConfigError(
            [
                ConfigProblem(
                    "invalid TOML: arrays or tables nested more deeply than pxready reads", path
                )
            ]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        line = int(found.group(1)) if found else None
        reason = _TOML_POSITION.sub("", message).strip().rstrip(".")
        column = f" (column {found.group(2)})" if found else ""
        hint = ""
        if "'\\'" in reason or "escape" in reason.lower():
            # Windows paths in "double quotes" are the usual cause.
            hint = "; write Windows paths in 'single quotes' or with forward slashes"
        raise ConfigError(
            [ConfigProblem(f"invalid TOML: {reason}{column}{hint}", path, line)]
        ) from None


def _nameserver(value: str) -> Nameserver | None:
    value = value.strip()
    host, port = value, 53
    bracketed = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d+))?", value)
    if bracketed:
        host, port = bracketed.group(1), int(bracketed.group(2) or 53)
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
        if not (port_text.isascii() and port_text.isdecimal()) or len(port_text) > 5:
            return None
        port = int(port_text)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    if not 1 <= port <= 65535:
        return None
    return Nameserver(host, port)


def parse_nameservers(
    values: Sequence[str], report: Callable[[str], None]
) -> tuple[Nameserver, ...]:
    servers = []
    for value in values:
        server = _nameserver(value)
        if server is None:
            report(f"nameserver {quoted(value)} is not an IP address or IP:PORT")
        else:
            servers.append(server)
    return tuple(servers)


def _ip(value: str | None, report: Callable[[str], None], what: str) -> str | None:
    if value is None:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        report(f"{what} {quoted(value)} is not an IP address")
        return None


def load(overrides: Overrides, cwd: Path) -> tuple[Deployment, Settings]:
    """Read pxready.toml (if any), apply the flags, check named files exist."""
    config_path = discover(overrides.config, cwd)
    deployment, settings = Deployment(), Settings()
    problems: list[ConfigProblem] = []
    if config_path is not None:
        text = read_config_text(config_path)
        reader = _Reader(config_path, text)
        deployment, settings = _from_file(reader, parse_toml(config_path, text))
        problems.extend(reader.problems)
    deployment = _apply_flags(deployment, overrides, cwd, problems)
    if problems:
        raise ConfigError(problems)
    return deployment, settings


def _from_file(r: _Reader, doc: Mapping[str, Any]) -> tuple[Deployment, Settings]:
    r.known_keys(doc, (), _TOP_KEYS)
    nodes = r.table(doc, "nodes")
    r.known_keys(nodes, ("nodes",), _NODES_KEYS)
    trust = r.table(doc, "trust")
    r.known_keys(trust, ("trust",), _TRUST_KEYS)
    dns = r.table(doc, "dns")
    r.known_keys(dns, ("dns",), _DNS_KEYS)
    chk = r.table(doc, "checks")
    r.known_keys(chk, ("checks",), _CHECKS_KEYS)
    days = r.integer(chk, ("checks",), "expiry_warning_days", 0, 3650)
    deployment = Deployment(
        connectors=_connectors(r, doc),
        config_path=r.path,
        node_certificates=tuple(
            _existing(r, ("nodes",), "certificates", value)
            for value in r.strings(nodes, ("nodes",), "certificates", MAX_NODE_CERTIFICATES)
        ),
        tls_port=r.integer(nodes, ("nodes",), "tls_port", 1, 65535) or DEFAULT_TLS_PORT,
        ca_bundle=r.file(trust, ("trust",), "ca_bundle"),
        azure=_azure(r, r.table(doc, "azure")),
        nameservers=parse_nameservers(
            r.strings(dns, ("dns",), "nameservers"),
            lambda m: r.problem(m, ("dns",), "nameservers"),
        ),
        expiry_warning_days=DEFAULT_EXPIRY_WARNING_DAYS if days is None else days,
        waivers=_waivers(r, doc),
    )
    settings = Settings(
        skip=r.strings(chk, ("checks",), "skip"), only=r.strings(chk, ("checks",), "only")
    )
    return deployment, settings


def _array_of_tables(r: _Reader, doc: Mapping[str, Any], name: str, limit: int) -> list[Any]:
    value = doc.get(name, [])
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        r.problem(f"'{name}' must be an array of tables ([[{name}]])", (), name)
        return []
    if len(value) > limit:
        r.problem(f"{len(value):,} [[{name}]] tables; pxready reads at most {limit:,}", (), name)
        return []
    return value


def _existing(r: _Reader, where: Sequence[str], key: str, value: str) -> Path:
    path = resolve_path(value, r.path.parent)
    problem = not_a_file(path)
    if problem is not None:
        what = "does not exist" if problem.kind == "missing" else problem.message
        r.problem(f"'{key}' names {quoted(value)}, which {what} ({display(path)})", where, key)
    return path


def _connectors(r: _Reader, doc: Mapping[str, Any]) -> tuple[ConnectorInput, ...]:
    connectors = []
    where = ("connector",)
    for index, table in enumerate(_array_of_tables(r, doc, "connector", MAX_CONNECTORS)):
        if not isinstance(table, dict):
            r.problem("each [[connector]] must be a table", where)
            continue
        r.known_keys(table, where, _CONNECTOR_KEYS)
        connectors.append(
            ConnectorInput(
                position=index,
                vars_path=r.file(table, where, "vars"),
                pfx_path=r.file(table, where, "pfx"),
                pfx_password_env=r.string(table, where, "pfx_password_env")
                or DEFAULT_PFX_PASSWORD_ENV,
                expected_cname=r.string(table, where, "expected_cname"),
                name=r.string(table, where, "name"),
            )
        )
    return tuple(connectors)


def _azure(r: _Reader, az: Mapping[str, Any]) -> AzureInput:
    w = ("azure",)
    r.known_keys(az, w, _AZURE_KEYS)
    defaults = AzureInput()
    return AzureInput(
        vm_size=r.string(az, w, "vm_size") or defaults.vm_size,
        recommended_vcpus=r.integer(az, w, "recommended_vcpus", 1, 100000)
        or defaults.recommended_vcpus,
        usage_file=r.file(az, w, "usage_file"),
        skus_file=r.file(az, w, "skus_file"),
        provider_file=r.file(az, w, "provider_file"),
        locations_file=r.file(az, w, "locations_file"),
        permissions_file=r.file(az, w, "permissions_file"),
        bot_names_file=r.file(az, w, "bot_names_file"),
        groups_file=r.file(az, w, "groups_file"),
        features_file=r.file(az, w, "features_file"),
        evidence=r.folder(az, w, "evidence"),
        cloud=_cloud(r, az, w),
        consent_from=_ip(
            r.string(az, w, "consent_from"),
            lambda m: r.problem(m, w, "consent_from"),
            "consent_from",
        ),
        arm_endpoint=_endpoint(r, az, w),
    )


def _cloud(r: _Reader, az: Mapping[str, Any], where: Sequence[str]) -> str:
    name = r.string(az, where, "cloud")
    if name is None:
        return DEFAULT_CLOUD
    if name.lower() not in CLOUDS:
        r.problem(
            f"'cloud' {quoted(name)} is not one of AzureCloud, AzureChinaCloud, AzureUSGovernment",
            where,
            "cloud",
        )
        return DEFAULT_CLOUD
    return name


def _endpoint(r: _Reader, az: Mapping[str, Any], where: Sequence[str]) -> str | None:
    value = r.string(az, where, "arm_endpoint")
    if value is None:
        return None
    if not value.lower().startswith("https://"):
        r.problem("'arm_endpoint' must be an https:// URL", where, "arm_endpoint")
        return None
    return value.rstrip("/")


_WAIVER_HEADER = re.compile(r"^\s*\[\[\s*waiver\s*\]\]")


def _waivers(r: _Reader, doc: Mapping[str, Any]) -> tuple[Waiver, ...]:
    lines = [n for n, text in enumerate(r.text.splitlines(), 1) if _WAIVER_HEADER.match(text)]
    waivers = []
    for index, table in enumerate(_array_of_tables(r, doc, "waiver", MAX_WAIVERS)):
        line = lines[index] if index < len(lines) else None
        if not isinstance(table, dict):
            continue
        r.known_keys(table, ("waiver",), _WAIVER_KEYS)
        waiver, problems = parse_waiver(table, line)
        r.problems.extend(ConfigProblem(p, r.path, line) for p in problems)
        if waiver is not None:
            waivers.append(waiver)
    return tuple(waivers)


def _apply_flags(
    deployment: Deployment, overrides: Overrides, cwd: Path, problems: list[ConfigProblem]
) -> Deployment:
    """Flags win over the file. Paths given as flags resolve against the current folder."""

    def flag_file(path: Path | None, flag: str) -> Path | None:
        if path is None:
            return None
        resolved = path if path.is_absolute() else cwd / path
        problem = not_a_file(resolved)
        if problem is not None:
            what = "file does not exist" if problem.kind == "missing" else problem.message
            problems.append(ConfigProblem(f"{flag} {display(path)}: {what}"))
        return resolved

    def flag_folder(path: Path | None, flag: str) -> Path | None:
        if path is None:
            return None
        resolved = path if path.is_absolute() else cwd / path
        if not resolved.is_dir():
            what = "is not a folder" if resolved.exists() else "folder does not exist"
            problems.append(ConfigProblem(f"{flag} {display(path)}: {what}"))
        return resolved

    def report(prefix: str) -> Callable[[str], None]:
        return lambda message: problems.append(ConfigProblem(f"{prefix}: {message}"))

    connectors = list(deployment.connectors)
    vars_flag = flag_file(overrides.vars, "--vars")
    pfx_flag = flag_file(overrides.pfx, "--pfx")
    if vars_flag is not None or pfx_flag is not None:
        first = connectors[0] if connectors else ConnectorInput(position=0, vars_path=None)
        connectors[:1] = [
            first._replace(
                vars_path=vars_flag or first.vars_path, pfx_path=pfx_flag or first.pfx_path
            )
        ]
    for index, connector in enumerate(connectors):
        if connector.vars_path is None and connector.pfx_path is None:
            problems.append(
                ConfigProblem(
                    f"[[connector]] {index + 1} needs 'vars', the path of the variables script",
                    deployment.config_path,
                )
            )
    if overrides.pfx_password_env:
        connectors = [c._replace(pfx_password_env=overrides.pfx_password_env) for c in connectors]
    node_certs = deployment.node_certificates
    if overrides.node_certs:
        node_certs = tuple(
            p for p in (flag_file(c, "--node-cert") for c in overrides.node_certs) if p
        )
    azure = deployment.azure
    azure = azure._replace(
        usage_file=flag_file(overrides.azure_usage, "--azure-usage") or azure.usage_file,
        skus_file=flag_file(overrides.azure_skus, "--azure-skus") or azure.skus_file,
        provider_file=flag_file(overrides.azure_provider, "--azure-provider")
        or azure.provider_file,
        locations_file=flag_file(overrides.azure_locations, "--azure-locations")
        or azure.locations_file,
        permissions_file=flag_file(overrides.azure_permissions, "--azure-permissions")
        or azure.permissions_file,
        bot_names_file=flag_file(overrides.azure_bot_names, "--azure-bot-names")
        or azure.bot_names_file,
        groups_file=flag_file(overrides.azure_groups, "--azure-groups") or azure.groups_file,
        features_file=flag_file(overrides.azure_features, "--azure-features")
        or azure.features_file,
        evidence=flag_folder(overrides.azure_evidence, "--azure-evidence") or azure.evidence,
        vm_size=overrides.vm_size or azure.vm_size,
        consent_from=_ip(overrides.consent_from, report("--consent-from"), "address")
        or azure.consent_from,
    )
    return deployment._replace(
        connectors=tuple(connectors),
        node_certificates=node_certs,
        ca_bundle=flag_file(overrides.ca_bundle, "--ca-bundle") or deployment.ca_bundle,
        azure=azure,
        nameservers=parse_nameservers(overrides.nameservers, report("--nameserver"))
        if overrides.nameservers
        else deployment.nameservers,
        at=overrides.at,
        offline=overrides.offline,
        timeout=overrides.timeout or deployment.timeout,
    )
