"""Fuzz target: reading and opening a PFX, and judging its protection.

    python fuzz/fuzz_pfx.py fuzz/corpus/pfx -max_total_time=60

The first byte chooses the password ("Fixture-PFX-4711", the fixtures' own, or empty); the rest
is the file. Any exception other than `PfxProblem` is a finding.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from checks.certs import encryption
    from checks.certs.pfx import PfxProblem, open_pfx, read_pfx_structure

PASSWORDS = ("Fixture-PFX-4711", "", "pxready-example", "cryptography")


def test_one_input(data: bytes) -> None:
    if not data:
        return
    password, data = PASSWORDS[data[0] % len(PASSWORDS)], data[1:]
    try:
        structure = read_pfx_structure(data)
    except PfxProblem:
        return
    encryption.judge(structure)
    try:
        opened = open_pfx(data, password)
    except PfxProblem:
        return
    _ = opened.ca_certificates, opened.leaf.subject.rfc4514_string()


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
