"""The registry validates what plugins declare; selection globs must match something."""

from __future__ import annotations

import pytest

from readiness import CheckSpec, Context, Finding, check, passed
from readiness.check import PlannedCheck
from readiness.registry import Registry, SelectionError, build, load_registry, select


def _spec(check_id: str, order: int = 1000) -> CheckSpec:
    @check(check_id, f"title of {check_id}", reference="r", remediation="fix", order=order)
    def function(ctx: Context) -> Finding:
        return passed("ok")

    return function


def _registry(*specs: CheckSpec | PlannedCheck) -> Registry:
    return build([("p", "d", list(specs))])


def test_builtin_checks_register_through_entry_points() -> None:
    registry = load_registry()
    ids = registry.ids()
    assert ids[:2] == ["vars.parse", "vars.required"]
    for expected in (
        "vars.naming",
        "vars.fqdn",
        "vars.prefixes",
        "vars.secrets",
        "vars.admin-account",
        "vars.consent-access",
    ):
        assert expected in ids
    assert registry.origins["vars.parse"] == "pxready"
    assert not registry.problems


def test_every_builtin_check_has_explain_text_and_remediation() -> None:
    for spec in load_registry().specs:
        assert spec.explanation, spec.id
        assert spec.remediation, spec.id
        assert spec.reference, spec.id


def test_duplicate_ids_and_empty_plugins_are_problems_not_crashes() -> None:
    registry = build(
        [
            ("one", "dist-a", [_spec("x.a")]),
            ("two", "dist-b", [_spec("x.a")]),
            ("three", "dist-c", []),
        ]
    )
    assert registry.ids() == ["x.a"]
    messages = [p.message for p in registry.problems]
    assert any("already registered by dist-a" in m for m in messages)
    assert any("declares no checks" in m for m in messages)


def test_invalid_id_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match="lower-case"):
        _spec("Vars.Parse")


def test_areas_are_ordered_by_the_order_their_checks_declare() -> None:
    registry = _registry(_spec("zeta.a"), _spec("azure.q", 70), _spec("vars.x", 10))
    assert registry.ids() == ["vars.x", "azure.q", "zeta.a"]


def test_areas_of_the_same_order_keep_registration_order() -> None:
    registry = _registry(_spec("b.x"), _spec("a.x"), _spec("b.y"))
    assert registry.ids() == ["b.x", "b.y", "a.x"]


def test_builtin_areas_come_in_the_order_a_deployment_is_prepared() -> None:
    areas = list(dict.fromkeys(s.area for s in load_registry().specs))
    assert areas[:3] == ["vars", "connector-cert", "node-cert"]


@pytest.mark.parametrize(
    ("only", "skip", "expected"),
    [
        ((), (), ["vars.a", "vars.b", "dns.c"]),
        (("vars.*",), (), ["vars.a", "vars.b"]),
        (("vars.*",), ("vars.b",), ["vars.a"]),
        ((), ("*.a", "dns.*"), ["vars.b"]),
        (("dns.c", "vars.a"), (), ["vars.a", "dns.c"]),
    ],
)
def test_only_and_skip_globs(
    only: tuple[str, ...], skip: tuple[str, ...], expected: list[str]
) -> None:
    registry = _registry(_spec("vars.a"), _spec("vars.b"), _spec("dns.c"))
    assert [s.id for s in select(registry, only, skip)] == expected


def test_a_pattern_matching_nothing_is_an_error() -> None:
    with pytest.raises(SelectionError, match=r"'vars\.pasre'"):
        select(_registry(_spec("vars.parse")), ("vars.pasre",), ())


def test_announced_ids_are_valid_selections_even_before_they_are_built() -> None:
    planned = PlannedCheck("tls.node", "t", "each node accepts TLS 1.2")
    registry = _registry(_spec("vars.parse"), planned)
    assert select(registry, (), ("tls.node", "tls.*")) == list(registry.specs)
    assert select(registry, ("tls.node",), ()) == []
    assert registry.planned_matching(("tls.*",)) == ["tls.node"]


def test_a_built_check_replaces_its_announcement() -> None:
    registry = _registry(PlannedCheck("tls.node", "t", "r"), _spec("tls.node"))
    assert registry.ids() == ["tls.node"] and registry.planned == ()
