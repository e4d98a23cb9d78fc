"""Every built-in check module is registered, as a third-party plugin would be, and loads."""

from __future__ import annotations

import importlib
import pkgutil
from importlib import metadata

import checks
from readiness.check import CheckSpec, PlannedCheck
from readiness.registry import ENTRY_POINT_GROUP, load_registry
from tests.support.contract import CONTRACT_IDS


def _modules_declaring_checks() -> set[str]:
    found = set()
    for info in pkgutil.walk_packages(checks.__path__, "checks."):
        module = importlib.import_module(info.name)
        if any(isinstance(v, (CheckSpec, PlannedCheck)) for v in vars(module).values()):
            found.add(info.name)
    return found


def test_every_module_with_checks_has_an_entry_point() -> None:
    registered = {
        ep.value
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)
        if ep.dist is not None and ep.dist.name == "pxready"
    }
    assert _modules_declaring_checks() == registered


def test_the_builtin_entry_points_load_without_problems() -> None:
    registry = load_registry()
    assert not registry.problems
    assert all(registry.origins[spec.id] == "pxready" for spec in registry.specs)


def test_every_contract_id_is_built_or_announced() -> None:
    registry = load_registry()
    missing = [cid for cid in CONTRACT_IDS if cid not in registry.known_ids()]
    assert missing == []
