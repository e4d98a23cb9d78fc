"""Reading the Pexip variables script (PowerShell) without executing it."""

from __future__ import annotations

from pathlib import Path

from readiness.variables.decoding import ScriptDecodeError, decode_script
from readiness.variables.model import (
    Assignment,
    IgnoredStatement,
    ScriptSyntaxProblem,
    Value,
    VariablesScript,
)
from readiness.variables.parser import Parser

__all__ = [
    "Assignment",
    "IgnoredStatement",
    "ScriptDecodeError",
    "ScriptSyntaxProblem",
    "Value",
    "VariablesScript",
    "decode_script",
    "parse_script",
    "read_script",
]


def parse_script(text: str, path: Path, encoding: str = "text") -> VariablesScript:
    # $PSScriptRoot is the script's own folder; Pexip users write "$PSScriptRoot\cert.pfx".
    parser = Parser(text, {"PSScriptRoot": str(path.parent), "PSCommandPath": str(path)})
    outcome = parser.parse()
    return VariablesScript(
        path=path,
        encoding=encoding,
        assignments=tuple(outcome.assignments),
        ignored=tuple(outcome.ignored),
        syntax=outcome.syntax,
        source=text,
    )


def read_script(path: Path) -> VariablesScript:
    """Read and parse a script file. Raises `InputFileError` or `ScriptDecodeError`."""
    from readiness.files import read_input

    text, encoding = decode_script(read_input(path, what="variables script"))
    return parse_script(text, path, encoding)
