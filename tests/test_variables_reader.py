"""The variables-script reader, against the forms the contract says must parse."""

from __future__ import annotations

import codecs
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readiness.variables import (
    ScriptDecodeError,
    VariablesScript,
    decode_script,
    parse_script,
    read_script,
)

SCRIPT = Path("/deploy/eu/variables.ps1")


def parse(text: str) -> VariablesScript:
    return parse_script(text, SCRIPT)


def values(script: VariablesScript) -> dict[str, Any]:
    """Name → (value, line) of the last assignment of each variable, as a check sees them."""
    out: dict[str, Any] = {}
    for assignment in script.assignments:
        found = script.get(assignment.name)
        assert found is not None
        out[assignment.name] = (found.value, found.line)
    return out


# (id, script, {variable: (value, line)})
VALUE_CASES: list[tuple[str, str, dict[str, tuple[Any, int]]]] = [
    ("double-quoted", '$PxA = "text"', {"PxA": ("text", 1)}),
    ("single-quoted", "$PxA = 'text'", {"PxA": ("text", 1)}),
    ("single-quoted '' escape", "$PxA = 'it''s'", {"PxA": ("it's", 1)}),
    ('double-quoted `" escape', '$PxA = "a`"b"', {"PxA": ('a"b', 1)}),
    ("single quotes keep $", "$PxA = '$NotAVariable'", {"PxA": ("$NotAVariable", 1)}),
    ("integer", "$PxA = 3", {"PxA": (3, 1)}),
    ("negative and float", "$PxA = -7\n$PxB = 2.5", {"PxA": (-7, 1), "PxB": (2.5, 2)}),
    ("numeric string stays text", '$PxA = "3"', {"PxA": ("3", 1)}),
    ("true/false any case", "$PxA = $true\n$PxB = $FALSE", {"PxA": (True, 1), "PxB": (False, 2)}),
    ("empty array", "$PxA = @()", {"PxA": ([], 1)}),
    ("array", '$PxA = @("a", "b")', {"PxA": (["a", "b"], 1)}),
    ("array with spaces inside", '$PxA = @( "a", "b" )', {"PxA": (["a", "b"], 1)}),
    (
        "array over lines with commas",
        '$PxA = @(\n  "a",\n  "b"\n)\n$PxB = 1',
        {"PxA": (["a", "b"], 1), "PxB": (1, 5)},
    ),
    (
        "array over lines without commas",
        '$PxA = @(\n  "a"\n  "b"\n)\n$PxB = 1',
        {"PxA": (["a", "b"], 1), "PxB": (1, 5)},
    ),
    (
        "comments inside a multi-line array",
        '$PxA = @(\n  "a"  # first\n  # none\n  <# "x" #>\n  "b"\n)\n$PxB = 1',
        {"PxA": (["a", "b"], 1), "PxB": (1, 7)},
    ),
    (
        "subexpression interpolation",
        '$PxBaseConnName = "contoso"\n$PxRg = "$($PxBaseConnName)-TeamsConn-RG"',
        {"PxBaseConnName": ("contoso", 1), "PxRg": ("contoso-TeamsConn-RG", 2)},
    ),
    (
        "plain interpolation",
        '$PxOther = "eu"\n$PxName = "$PxOther-x"',
        {"PxOther": ("eu", 1), "PxName": ("eu-x", 2)},
    ),
    (
        "braced interpolation",
        '$PxO = "eu"\n$PxN = "${PxO}x"',
        {"PxO": ("eu", 1), "PxN": ("eux", 2)},
    ),
    ("lone $ in a string is text", '$PxA = "cost $ 5"', {"PxA": ("cost $ 5", 1)}),
    ("`$ is not interpolated", '$PxA = "`$PxB"', {"PxA": ("$PxB", 1)}),
    (
        "array + variable",
        '$PxM = @("203.0.113.10")\n$PxN = @("192.0.2.20") + $PxM',
        {"PxM": (["203.0.113.10"], 1), "PxN": (["192.0.2.20", "203.0.113.10"], 2)},
    ),
    ("array + array", '$PxA = @("a") + @("b", "c")', {"PxA": (["a", "b", "c"], 1)}),
    ("string + string", '$PxA = "a" + "b"', {"PxA": ("ab", 1)}),
    (
        "'+' ending a line continues",
        '$PxA = "a" +\n  "b"\n$PxB = 2',
        {"PxA": ("ab", 1), "PxB": (2, 3)},
    ),
    ("full-line comment", '# $PxA = "no"\n$PxB = "yes"', {"PxB": ("yes", 2)}),
    ("trailing comment", '$PxA = "a"   # company short name', {"PxA": ("a", 1)}),
    ("# inside double quotes", '$PxA = "a#b"  # c', {"PxA": ("a#b", 1)}),
    ("# inside single quotes", "$PxA = 'a#b'", {"PxA": ("a#b", 1)}),
    ("<# inside a string", '$PxA = "a<#b#>c"', {"PxA": ("a<#b#>c", 1)}),
    (
        "block comment over lines",
        '<#\n  $PxA = "commented out"\n#>\n$PxB = "yes"',
        {"PxB": ("yes", 4)},
    ),
    (
        "block comment on one line",
        '<# note #> $PxA = "x" <# more #>\n$PxB = 2',
        {"PxA": ("x", 1), "PxB": (2, 2)},
    ),
    (
        "typographic double quotes",
        "$PxA = \u201ccontoso\u201d",
        {"PxA": ("contoso", 1)},
    ),
    (
        "typographic single quotes",
        "$PxA = \u2018contoso\u2019",
        {"PxA": ("contoso", 1)},
    ),
    (
        "expandable here-string",
        '$PxO = "eu"\n$PxA = @"\nregion $PxO said \u201chi\u201d\n"@\n$PxB = 1',
        {"PxO": ("eu", 1), "PxA": ("region eu said \u201chi\u201d", 2), "PxB": (1, 5)},
    ),
    (
        "literal here-string",
        "$PxA = @'\n$not 'expanded'\n'@\n$PxB = 1",
        {"PxA": ("$not 'expanded'", 1), "PxB": (1, 4)},
    ),
    (
        "$PSScriptRoot is the script's folder",
        '$PxPfxCertFileName = "$PSScriptRoot\\pexip.pfx"',
        {"PxPfxCertFileName": (f"{SCRIPT.parent}\\pexip.pfx", 1)},
    ),
    (
        "names are case-insensitive",
        '$pxbaseconnname = "a"\n$PxOut = "$($PXBASECONNNAME)-b"',
        {"pxbaseconnname": ("a", 1), "PxOut": ("a-b", 2)},
    ),
    ("re-assignment: last wins", '$PxA = "first"\n$PxA = "second"', {"PxA": ("second", 2)}),
    ("+= on an array", '$PxA = @("a")\n$PxA += "b"', {"PxA": (["a", "b"], 2)}),
    ("two statements on a line", '$PxA = "a"; $PxB = "b"', {"PxA": ("a", 1), "PxB": ("b", 1)}),
    (
        "'=' ending a line",
        '$PxA =\n  "next line"\n$PxB = 3',
        {"PxA": ("next line", 1), "PxB": (3, 3)},
    ),
    ("[int] type constraint", '[int]$PxCount = "3"', {"PxCount": (3, 1)}),
    ("scope prefix", '$script:PxA = "s"', {"PxA": ("s", 1)}),
    (
        "CRLF line ends keep line numbers",
        '$PxA = "1"\r\n<#\r\n x\r\n#>\r\n$PxB = @(\r\n "a",\r\n "b"\r\n)\r\n$PxC = 3\r\n',
        {"PxA": ("1", 1), "PxB": (["a", "b"], 5), "PxC": (3, 9)},
    ),
    ("lone CR line ends", '$PxA = "1"\r$PxB = "2"\r', {"PxA": ("1", 1), "PxB": ("2", 2)}),
    ("BOM character in text", '\ufeff$PxA = "x"', {"PxA": ("x", 1)}),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in VALUE_CASES], ids=[c[0] for c in VALUE_CASES]
)
def test_values_and_lines(text: str, expected: dict[str, tuple[Any, int]]) -> None:
    script = parse(text)
    assert script.syntax is None
    assert {a.name for a in script.assignments if not a.resolved} == set()
    assert values(script) == expected


def test_unknown_statements_are_ignored_with_their_lines() -> None:
    script = parse(
        "Connect-AzAccount -Tenant contoso.onmicrosoft.com\n"
        '$PxA = "a"\n'
        "Set-AzContext -Subscription $PxSubscriptionId\n"
        "if ($PxA) { Write-Host 'hello' }\n"
    )
    assert script.syntax is None
    assert values(script) == {"PxA": ("a", 2)}
    assert [(s.line, s.head) for s in script.ignored] == [
        (1, "Connect-AzAccount"),
        (3, "Set-AzContext"),
        (4, "if"),
    ]


def test_an_ignored_statement_never_shows_its_arguments() -> None:
    script = parse('Connect-AzAccount -Password "Hunter2Hunter2"\n"Hunter2Hunter2"\n')
    shown = " ".join(s.head for s in script.ignored)
    assert "Hunter2" not in shown


# (id, script, line PowerShell names, words the message must contain)
SYNTAX_CASES = [
    ("unterminated double quote", '$PxA = "a"\n$PxB = "open\n$PxC = 3\n', 2, '"'),
    # PowerShell pairs the quotes across lines and the last one is left open; pxready names the
    # line where the user left a string open instead (the first with an odd number of quotes).
    ("quotes pair across lines", '$PxA = "a"\n$PxB = "open\n$PxC = "c"', 2, "never closed"),
    ("unterminated single quote", "$PxA = 'a'\n\n$PxB = 'open\n", 3, "'"),
    ("unclosed @(", '$PxA = 1\n$PxB = @(\n  "a",\n  "b"\n$PxC = "c"\n', 2, "@("),
    ("unclosed @( of an unknown value", "$PxB = @(\n  Get-Thing\n", 1, "@("),
    ("unclosed <#", "$PxA = 1\n<# start\n$PxB = 2\n", 2, "<#"),
    ("unterminated string in a command", 'Write-Host "oops\n$PxA = 1\n', 1, '"'),
    ("unclosed here-string", '$PxA = 1\n$PxB = @"\ntext\n', 2, "here-string"),
]


@pytest.mark.parametrize(
    ("text", "line", "word"), [c[1:] for c in SYNTAX_CASES], ids=[c[0] for c in SYNTAX_CASES]
)
def test_text_powershell_rejects_names_the_line_where_it_starts(
    text: str, line: int, word: str
) -> None:
    script = parse(text)
    assert script.syntax is not None
    assert script.syntax.line == line
    assert word in script.syntax.message


# (id, script, variable, words the reason must contain)
UNRESOLVED_CASES = [
    ("Read-Host", '$PxA = Read-Host "Name"', "PxA", "Read-Host"),
    ("environment variable", "$PxA = $env:USERNAME", "PxA", "$env:USERNAME"),
    ("undefined variable", "$PxA = $NotSet", "PxA", "$NotSet"),
    ("undefined in a string", '$PxA = "$($NotSet)-x"', "PxA", "$NotSet"),
    ("used before assigned", '$PxA = "$PxB"\n$PxB = "late"', "PxA", "$PxB"),
    ("method call", '$PxA = "x".ToUpper()', "PxA", "method"),
    ("command in parentheses", "$PxA = (Get-Date).Year", "PxA", "Get-Date"),
    ("operator", "$PxA = 1 -band 3", "PxA", "-band"),
    ("depends on an unevaluated one", '$PxA = Read-Host\n$PxB = "$($PxA)-x"', "PxB", "line 1"),
]


@pytest.mark.parametrize(
    ("text", "name", "word"),
    [c[1:] for c in UNRESOLVED_CASES],
    ids=[c[0] for c in UNRESOLVED_CASES],
)
def test_unevaluable_assignments_are_recorded_with_a_reason(
    text: str, name: str, word: str
) -> None:
    script = parse(text)
    assert script.syntax is None
    found = script.get(name)
    assert found is not None
    assert not found.resolved
    assert found.value is None
    assert found.problem is not None and word in found.problem


def test_an_unevaluable_value_over_several_lines_is_one_statement() -> None:
    script = parse('$PxA = $NotSet +\n  @("b")\n$PxB = "after"\n')
    assert script.syntax is None
    assert script.ignored == ()
    found = script.get("PxA")
    assert found is not None and not found.resolved and found.line == 1
    assert values(script)["PxB"] == ("after", 3)


def test_a_secret_reason_never_quotes_the_script() -> None:
    # $w0rd looks like a variable to PowerShell: the value does not evaluate, and the reason
    # must not repeat the password's text.
    script = parse('$PxWinAdminPassword = "Pa$$w0rd-Secret"\n$PxOther = P@ssSecret\n')
    found = script.get("PxWinAdminPassword")
    assert found is not None and not found.resolved
    assert found.problem is not None and "w0rd" not in found.problem
    assert found.plain_text  # vars.secrets still sees typed-in text


def test_an_unfilled_assignment_does_not_take_the_next_line() -> None:
    script = parse('$PxWinAdminUser =\n$PxWinAdminPassword = "Secret-Pass-123"\n')
    user = script.get("PxWinAdminUser")
    assert user is not None and not user.resolved and user.value is None
    assert user.problem is not None and "line 2" in user.problem
    assert values(script)["PxWinAdminPassword"] == ("Secret-Pass-123", 2)


def test_read_script_resolves_against_the_file(tmp_path: Path) -> None:
    path = tmp_path / "variables.ps1"
    path.write_bytes(codecs.BOM_UTF8 + b'$PxA = "$PSScriptRoot"\r\n')
    script = read_script(path)
    assert script.encoding == "UTF-8 with BOM"
    assert values(script) == {"PxA": (str(tmp_path), 1)}


SAMPLE = '$PxBaseConnName = "contoso"   # caf\u00e9\r\n$PxNodes = @(\r\n  "a.example.com"\r\n)\r\n'
SAMPLE_VALUES = {"PxBaseConnName": ("contoso", 1), "PxNodes": (["a.example.com"], 2)}

ENCODINGS = [
    ("UTF-8", SAMPLE.encode("utf-8"), "UTF-8"),
    ("UTF-8 BOM", codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "UTF-8 with BOM"),
    ("UTF-16 LE BOM", codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "UTF-16 LE with BOM"),
    ("UTF-16 BE BOM", codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "UTF-16 BE with BOM"),
    ("UTF-16 LE no BOM", SAMPLE.encode("utf-16-le"), "UTF-16 LE without BOM"),
    ("cp1252", SAMPLE.encode("cp1252"), "Windows-1252 (no BOM, not UTF-8)"),
]


@pytest.mark.parametrize(
    ("data", "label"), [e[1:] for e in ENCODINGS], ids=[e[0] for e in ENCODINGS]
)
def test_encodings_windows_editors_save(tmp_path: Path, data: bytes, label: str) -> None:
    text, encoding = decode_script(data)
    assert encoding == label
    assert text == SAMPLE
    path = tmp_path / "variables.ps1"
    path.write_bytes(data)
    script = read_script(path)
    assert values(script) == SAMPLE_VALUES
    assert script.encoding == label


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)), b"\x00\x01\x02\x03binary", codecs.BOM_UTF16_LE + b"\x00\xd8A\x00"],
    ids=["all bytes", "NUL bytes", "UTF-16 with a lone surrogate"],
)
def test_binary_junk_is_a_decode_error(data: bytes) -> None:
    with pytest.raises(ScriptDecodeError):
        decode_script(data)


def test_empty_file_reads_as_nothing() -> None:
    assert decode_script(b"") == ("", "empty")
    script = parse("")
    assert script.assignments == () and script.syntax is None


def test_deep_nesting_is_reported_not_raised() -> None:
    script = parse("$PxA = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    assert script.syntax is not None and script.syntax.line == 1


POWERSHELL_BITS = st.sampled_from(
    [
        '"',
        "'",
        "@(",
        "@'",
        '@"',
        "$(",
        "${",
        "$",
        "(",
        ")",
        "<#",
        "#>",
        "#",
        "`",
        "\n",
        "\r\n",
        "=",
        "+",
        ",",
        ";",
        "{",
        "}",
        "[int]",
        "$Px",
        "$PxA",
        "$env:X",
        "\u201c",
        "\u2019",
        " ",
        "Read-Host",
        "0x1F",
        "1.5e3",
        "-",
        ".",
    ]
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(POWERSHELL_BITS, st.text(max_size=3))).map("".join)))
def test_parse_never_raises(text: str) -> None:
    script = parse(text)
    lines = text.count("\n") + text.count("\r") + 1
    for assignment in script.assignments:
        assert 1 <= assignment.line <= lines
    if script.syntax is not None:
        assert 1 <= script.syntax.line <= lines


@settings(max_examples=200, deadline=None)
@given(st.binary())
def test_decode_never_raises_anything_but_decode_error(data: bytes) -> None:
    try:
        text, encoding = decode_script(data)
    except ScriptDecodeError:
        return
    assert isinstance(text, str) and encoding
    parse(text)


SAFE_VALUE = st.text(
    alphabet=string.ascii_letters + string.digits + " .-_:/\\@!%&*()[]{}<>?=,;|^~#", max_size=40
)
NAMES = st.lists(
    st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=12),
    min_size=1,
    max_size=12,
    unique_by=str.lower,
)


@settings(max_examples=200, deadline=None)
@given(NAMES, st.data(), st.sampled_from(["\n", "\r\n"]), st.integers(0, 3))
def test_generated_scripts_read_back(
    names: list[str], data: st.DataObject, newline: str, blank: int
) -> None:
    written = {f"Px{n}": data.draw(SAFE_VALUE) for n in names}
    lines: list[str] = []
    expected: dict[str, tuple[Any, int]] = {}
    for name, value in written.items():
        lines.extend([""] * blank)
        quoted = f"'{value}'" if data.draw(st.booleans()) else f'"{value}"'
        lines.append(f"${name} = {quoted}   # comment")
        expected[name] = (value, len(lines))
    script = parse(newline.join(lines) + newline)
    assert script.syntax is None
    assert values(script) == expected
