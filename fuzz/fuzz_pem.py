"""Fuzz target: reading a Conferencing Node certificate file and judging what it holds.

    python fuzz/fuzz_pem.py fuzz/corpus/pem -max_total_time=60

Any exception other than `CertFileProblem` is a finding: what the file reader accepts, the
certificate helpers must be able to judge.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from checks.certs import chain, eku, names, validity
    from checks.certs.pem import CertFileProblem, parse_cert_file

AT = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
ROOTS, LABEL = chain.load_roots(Path(__file__).resolve().parent.parent / "fixtures/pki/root-ca.pem")


def test_one_input(data: bytes) -> None:
    try:
        cert = parse_cert_file(Path("node.pem"), data)
    except CertFileProblem:
        return
    eku.judge(cert.leaf, cert.intermediates)
    validity.judge(cert.leaf, cert.intermediates, AT, 30)
    chain.judge(cert.leaf, list(cert.intermediates), ROOTS, LABEL, AT, "the PEM file")
    sans = names.san_dns_names(cert.leaf)
    names.match_hostname(sans, "px1.vc.example.com")
    names.common_names(cert.leaf)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
