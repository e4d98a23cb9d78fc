"""pxready's own entry-point reader finds what importlib.metadata finds."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest

from readiness.plugins import distribution_name, entry_points


def standard(group: str) -> set[tuple[str, str, str]]:
    return {
        (ep.name, ep.value, ep.dist.name if ep.dist else "unknown")
        for ep in metadata.entry_points(group=group)
    }


def ours(group: str) -> set[tuple[str, str, str]]:
    return {(ep.name, ep.value, distribution_name(ep.dist)) for ep in entry_points(group)}


@pytest.mark.parametrize(
    "group", ["pxready.checks", "pxready.commands", "console_scripts", "pytest11"]
)
def test_same_entry_points_as_importlib_metadata(group: str) -> None:
    assert ours(group) == standard(group)


def test_plugins_on_an_added_path_are_found(plugin_site: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys, "path", [str(plugin_site), *sys.path])
    found = ours("pxready.checks")
    assert ("acme", "pxready_acme.checks", "pxready-acme") in found
    assert found == standard("pxready.checks")


def test_a_zip_on_the_path_falls_back_to_importlib(tmp_path: Path, monkeypatch) -> None:
    archive = tmp_path / "lib.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip archive
    monkeypatch.setattr(sys, "path", [str(archive), *sys.path])
    assert ours("pxready.checks") == standard("pxready.checks")
