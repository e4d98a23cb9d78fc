"""Checks are found through the `pxready.checks` entry-point group.

Built-in checks register exactly as a third-party package does, so an organisation can ship its
own checks as a separate package. An entry point may name a module (every `CheckSpec` at its top
level is taken, in definition order), a single `CheckSpec`, or a list of them. A plugin that
fails to load, or that reuses an id, becomes an `error` row rather than a crash.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from readiness.check import ID_PATTERN, CheckSpec
from readiness.plugins import entry_points

ENTRY_POINT_GROUP = "pxready.checks"
# Areas in the order a deployment is prepared: inputs, certificates, network, Azure.
AREA_ORDER = ("vars", "connector-cert", "node-cert", "aia", "dns", "tls", "azure")


@dataclass(frozen=True)
class LoadProblem:
    plugin: str
    message: str


@dataclass(frozen=True)
class Registry:
    specs: tuple[CheckSpec, ...]
    problems: tuple[LoadProblem, ...] = ()
    origins: dict[str, str] = field(default_factory=dict)  # check id → distribution name

    def get(self, check_id: str) -> CheckSpec | None:
        return next((s for s in self.specs if s.id == check_id), None)

    def ids(self) -> list[str]:
        return [s.id for s in self.specs]


def specs_in(obj: Any) -> list[CheckSpec]:
    """The checks an entry point's object declares."""
    if isinstance(obj, CheckSpec):
        return [obj]
    if isinstance(obj, ModuleType):
        return [v for v in vars(obj).values() if isinstance(v, CheckSpec)]
    if isinstance(obj, (list, tuple)):
        return [v for v in obj if isinstance(v, CheckSpec)]
    raise TypeError(f"expected a module, a CheckSpec or a list of them, got {type(obj).__name__}")


def _area_key(spec: CheckSpec) -> tuple[int, str]:
    area = spec.area
    rank = AREA_ORDER.index(area) if area in AREA_ORDER else len(AREA_ORDER)
    return rank, area


def build(loaded: Iterable[tuple[str, str, Any]]) -> Registry:
    """Validate (plugin name, distribution, object) triples into a registry."""
    specs: list[CheckSpec] = []
    problems: list[LoadProblem] = []
    origins: dict[str, str] = {}
    for plugin, dist, obj in loaded:
        try:
            found = specs_in(obj)
        except TypeError as exc:
            problems.append(LoadProblem(plugin, str(exc)))
            continue
        if not found:
            problems.append(LoadProblem(plugin, "declares no checks"))
        for spec in found:
            if not ID_PATTERN.match(spec.id):
                problems.append(LoadProblem(plugin, f"check id {spec.id!r} is not valid"))
            elif spec.id in origins:
                problems.append(
                    LoadProblem(
                        plugin, f"check id {spec.id!r} is already registered by {origins[spec.id]}"
                    )
                )
            else:
                origins[spec.id] = dist
                specs.append(spec)
    # A stable sort keeps each module's definition order inside its area.
    specs.sort(key=_area_key)
    return Registry(tuple(specs), tuple(problems), origins)


def load_registry() -> Registry:
    loaded: list[tuple[str, str, Any]] = []
    problems: list[LoadProblem] = []
    seen: set[tuple[str, str]] = set()
    for ep in sorted(entry_points(ENTRY_POINT_GROUP), key=lambda e: (e.value, e.name)):
        # The same distribution can be visible twice (an editable install and a build dir).
        if (ep.name, ep.value) in seen:
            continue
        seen.add((ep.name, ep.value))
        dist = ep.dist
        try:
            obj = ep.load()
        except Exception as exc:
            problems.append(
                LoadProblem(
                    ep.name,
                    f"cannot be loaded ({ep.value}): {type(exc).__name__}: {_first_line(exc)}",
                )
            )
            continue
        loaded.append((ep.name, dist, obj))
    registry = build(loaded)
    return Registry(registry.specs, (*problems, *registry.problems), registry.origins)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""


class SelectionError(ValueError):
    pass


# Every check id the external contract defines. A configuration written for the whole contract
# (`skip = ["tls.node"]`) must keep working with a version that does not have every check yet.
CONTRACT_IDS = (
    "vars.parse", "vars.required", "vars.naming", "vars.fqdn", "vars.prefixes", "vars.secrets",
    "vars.admin-account", "vars.consent-access",
    "connector-cert.pfx", "connector-cert.key", "connector-cert.pfx-encryption",
    "connector-cert.eku", "connector-cert.chain", "connector-cert.validity",
    "connector-cert.name",
    "node-cert.parse", "node-cert.eku", "node-cert.chain", "node-cert.validity",
    "node-cert.names",
    "aia.redirect", "dns.connector-cname", "dns.node-public", "tls.node",
    "azure.region", "azure.automation", "azure.vm-size", "azure.quota", "azure.permissions",
    "azure.bot-name", "azure.resource-groups",
)  # fmt: skip


def not_in_this_version(specs: Sequence[CheckSpec], patterns: Sequence[str]) -> list[str]:
    """Contract ids that the patterns name but that no registered check provides."""
    ids = {s.id for s in specs}
    return [
        cid for cid in CONTRACT_IDS
        if cid not in ids and any(fnmatch.fnmatchcase(cid, p) for p in patterns)
    ]  # fmt: skip


def select(specs: Sequence[CheckSpec], only: Sequence[str], skip: Sequence[str]) -> list[CheckSpec]:
    """Apply --only/--skip globs. A pattern that matches no check is an error (a typo must not
    silently check nothing); an id the contract defines is no typo, even before it is built."""
    ids = [s.id for s in specs] + list(CONTRACT_IDS)
    unknown = [p for p in (*only, *skip) if not fnmatch.filter(ids, p)]
    if unknown:
        listed = ", ".join(repr(p) for p in dict.fromkeys(unknown))
        raise SelectionError(f"no check matches {listed} (see 'pxready checks' for the ids)")
    chosen = [s for s in specs if not only or any(fnmatch.fnmatchcase(s.id, p) for p in only)]
    return [s for s in chosen if not any(fnmatch.fnmatchcase(s.id, p) for p in skip)]
