"""Every built-in check module is registered, as a third-party plugin would be, and loads."""

from __future__ import annotations

import importlib
import pkgutil

import checks
from readiness.check import CheckSpec
from readiness.registry import load_registry
from tests.support.contract import CONTRACT_IDS


def _checks_defined_in_the_package() -> set[str]:
    """The id of every check a module of `checks` defines (not merely imports)."""
    found = set()
    for info in pkgutil.walk_packages(checks.__path__, "checks."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, CheckSpec) and value.function.__module__ == info.name:
                found.add(value.id)
    return found


def test_every_check_the_package_defines_is_registered() -> None:
    registered = {
        spec.id for spec in load_registry().specs if load_registry().origins[spec.id] == "pxready"
    }
    assert _checks_defined_in_the_package() == registered


def test_the_builtin_entry_points_load_without_problems() -> None:
    registry = load_registry()
    assert not registry.problems
    assert all(registry.origins[spec.id] == "pxready" for spec in registry.specs)


def test_every_contract_id_is_built_or_announced() -> None:
    registry = load_registry()
    missing = [cid for cid in CONTRACT_IDS if cid not in registry.known_ids()]
    assert missing == []
