"""Checks are found through the `pxready.checks` entry-point group.

Built-in checks register exactly as a third-party package does, so an organisation can ship its
own checks as a separate package. An entry point may name a module (every `CheckSpec` and
`PlannedCheck` at its top level is taken, in definition order), a single spec, or a list of
them. A plugin that fails to load, or that reuses an id, becomes an `error` row rather than a
crash. The engine knows no check by name: areas are ordered by the `order` their checks
declare, and ids a plugin has reserved but not built yet come from the plugin too.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any, NamedTuple

from readiness.check import ID_PATTERN, CheckSpec, PlannedCheck
from readiness.model import EMPTY

ENTRY_POINT_GROUP = "pxready.checks"


class Origins(Mapping[str, str]):
    """Check id → the name of the distribution that registered it. A distribution's name is
    read from its metadata only when asked for (listing checks, a duplicate id): reading it
    for every run would parse every plugin's METADATA on the pre-commit path."""

    def __init__(self, sources: Mapping[str, Any]) -> None:
        self._sources = dict(sources)  # id → a name, or where its distribution is installed
        self._names: dict[str, str] = {}

    def __getitem__(self, check_id: str) -> str:
        source = self._sources[check_id]
        if isinstance(source, str):
            return source
        if check_id not in self._names:
            from readiness.plugins import distribution_name

            self._names[check_id] = distribution_name(source)
        return self._names[check_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


class LoadProblem(NamedTuple):
    plugin: str
    message: str


class Registry(NamedTuple):
    specs: tuple[CheckSpec, ...]
    problems: tuple[LoadProblem, ...] = ()
    origins: Mapping[str, str] = EMPTY  # check id → distribution name
    planned: tuple[PlannedCheck, ...] = ()

    def get(self, check_id: str) -> CheckSpec | None:
        return next((s for s in self.specs if s.id == check_id), None)

    def get_planned(self, check_id: str) -> PlannedCheck | None:
        return next((p for p in self.planned if p.id == check_id), None)

    def ids(self) -> list[str]:
        return [s.id for s in self.specs]

    def known_ids(self) -> list[str]:
        """Every id a selection may name: the checks, and those announced but not built."""
        return [*self.ids(), *(p.id for p in self.planned)]

    def planned_matching(self, patterns: Sequence[str]) -> list[str]:
        """Announced ids the patterns name (they are selected, but nothing runs them)."""
        return [p.id for p in self.planned if any(fnmatch.fnmatchcase(p.id, x) for x in patterns)]


def declared_in(obj: Any) -> list[CheckSpec | PlannedCheck]:
    """The checks (built and planned) an entry point's object declares."""
    kinds = (CheckSpec, PlannedCheck)
    if isinstance(obj, kinds):
        return [obj]
    if isinstance(obj, ModuleType):
        return [v for v in vars(obj).values() if isinstance(v, kinds)]
    if isinstance(obj, (list, tuple)):
        return [v for v in obj if isinstance(v, kinds)]
    raise TypeError(f"expected a module, a CheckSpec or a list of them, got {type(obj).__name__}")


def build(loaded: Iterable[tuple[str, Any, Any]]) -> Registry:
    """Validate (plugin name, distribution or its name, object) triples into a registry."""
    specs: list[CheckSpec] = []
    planned: list[PlannedCheck] = []
    problems: list[LoadProblem] = []
    sources: dict[str, Any] = {}
    for plugin, dist, obj in loaded:
        try:
            found = declared_in(obj)
        except TypeError as exc:
            problems.append(LoadProblem(plugin, str(exc)))
            continue
        if not found:
            problems.append(LoadProblem(plugin, "declares no checks"))
        for item in found:
            if not ID_PATTERN.match(item.id):
                problems.append(LoadProblem(plugin, f"check id {item.id!r} is not valid"))
            elif isinstance(item, PlannedCheck):
                planned.append(item)  # an announcement never clashes: a built check wins
            elif item.id in sources:
                problems.append(
                    LoadProblem(
                        plugin,
                        f"check id {item.id!r} is already registered by "
                        f"{Origins(sources)[item.id]}",
                    )
                )
            else:
                sources[item.id] = dist
                specs.append(item)
    # A stable sort keeps registration order inside an area, and areas in the order their
    # checks ask for; a built check replaces the plan for its id.
    first_seen: dict[str, int] = {}
    for spec in specs:
        first_seen.setdefault(spec.area, len(first_seen))
    specs.sort(key=lambda s: (s.order, first_seen[s.area]))
    built = {s.id for s in specs}
    announced = {p.id: p for p in planned if p.id not in built}
    return Registry(tuple(specs), tuple(problems), Origins(sources), tuple(announced.values()))


def load_registry() -> Registry:
    from readiness.plugins import entry_points

    loaded: list[tuple[str, Any, Any]] = []
    problems: list[LoadProblem] = []
    seen: set[tuple[str, str]] = set()
    found = entry_points(ENTRY_POINT_GROUP)
    for ep in sorted(found, key=lambda e: (e.value, e.name)):
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
    return Registry(
        registry.specs, (*problems, *registry.problems), registry.origins, registry.planned
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""


class SelectionError(ValueError):
    pass


def select(registry: Registry, only: Sequence[str], skip: Sequence[str]) -> list[CheckSpec]:
    """Apply --only/--skip globs. A pattern that matches no check is an error (a typo must not
    silently check nothing); an id a plugin has announced is no typo, even before it is built."""
    ids = registry.known_ids()
    unknown = [p for p in (*only, *skip) if not fnmatch.filter(ids, p)]
    if unknown:
        listed = ", ".join(repr(p) for p in dict.fromkeys(unknown))
        raise SelectionError(f"no check matches {listed} (see 'pxready checks' for the ids)")
    specs = registry.specs
    chosen = [s for s in specs if not only or any(fnmatch.fnmatchcase(s.id, p) for p in only)]
    return [s for s in chosen if not any(fnmatch.fnmatchcase(s.id, p) for p in skip)]
