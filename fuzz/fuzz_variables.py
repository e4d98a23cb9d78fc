"""Fuzz target: the variables-script reader (decoding and parsing), and the values checks read.

    python fuzz/fuzz_variables.py fuzz/corpus/variables -max_total_time=60

Any exception other than `ScriptDecodeError` is a finding, and so is an input that takes more
than a few seconds or much memory (libFuzzer's -timeout and -rss_limit_mb, set by run.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from readiness.connector import ConnectorVariables
    from readiness.deployment import ConnectorInput
    from readiness.secrets import SecretRegistry
    from readiness.variables import ScriptDecodeError, decode_script, parse_script

PATH = Path("variables.ps1")
CONNECTOR = ConnectorInput(position=0, vars_path=PATH)


def test_one_input(data: bytes) -> None:
    try:
        text, encoding = decode_script(data)
    except ScriptDecodeError:
        return
    script = parse_script(text, PATH, encoding)
    variables = ConnectorVariables(script, CONNECTOR)
    _ = variables.fqdn, variables.node_fqdns, variables.instance_count, variables.pfx_path()
    for name in ("PxBaseConnName", "PxMgmtSrcAddrPrefixes", "PxAzureLocation"):
        variables.text(name)
        variables.items(name)
    SecretRegistry().add_script(script)
    for assignment in script.assignments:
        script.line_text(assignment.line)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
