"""The verdict line's account of what was not checked: grouped by why, areas collapsed."""

from __future__ import annotations

from readiness.model import NotChecked, Result, Status, not_checked_summary


def result(check_id: str, status: Status = Status.SKIP) -> Result:
    return Result(
        id=check_id, title="t", status=status, target="x", message="m", remediation="",
        reference="", area=check_id.split(".", 1)[0],
    )  # fmt: skip


def test_an_area_not_checked_at_all_is_one_glob_and_a_lone_check_keeps_its_id() -> None:
    ids = ["dns.connector-cname", "dns.node-public", "tls.node"]
    entries = [NotChecked(i, "needs the network", "offline") for i in ids]
    text = not_checked_summary(entries, [result(i) for i in ids])
    assert text == "3 (offline: dns.*, tls.node)"


def test_all_but_a_few_of_an_area_for_one_reason_is_a_glob_with_exceptions() -> None:
    azure = ["azure.region", "azure.quota", "azure.vm-size", "azure.features"]
    entries = [NotChecked(i, "m", "no Azure evidence") for i in azure[:3]]
    entries.append(NotChecked("azure.features", "m", "not applicable"))
    text = not_checked_summary(entries, [result(i) for i in azure])
    assert text == (
        "4 (no Azure evidence: azure.* except azure.features; not applicable: azure.features)"
    )


def test_an_area_partly_checked_lists_its_ids() -> None:
    entries = [NotChecked(i, "m", "offline") for i in ("azure.region", "azure.quota", "azure.a")]
    results = [result(e.id) for e in entries] + [result("azure.vm-size", Status.PASS)]
    text = not_checked_summary(entries, results)
    assert text == "3 (offline: azure.region, azure.quota, azure.a)"
