"""Putting the user's own text into one line of output: escaped, shortened, counted.

Values come from files nobody fully controls. A path with a newline in its name must not break
a one-line error, and a megabyte-long value must not be echoed whole: every message that quotes
a value, a name or a path goes through here.
"""

from __future__ import annotations

from pathlib import PurePath

MAX_QUOTED = 80
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def display(value: str | PurePath) -> str:
    """`value` on one line: control characters shown as escapes, nothing else changed."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(
        _ESCAPES.get(c, f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        if not c.isprintable() and c != " "
        else c
        for c in text
    )


def shorten(text: str, limit: int = MAX_QUOTED) -> str:
    """At most about `limit` characters of `text`, saying how long the whole was."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(text):,} characters)"


def quoted(value: object, limit: int = MAX_QUOTED) -> str:
    """A value the user wrote, in quotes, on one line and shortened."""
    return f"'{shorten(display(str(value)), limit)}'"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 name`, `2 names`, `0 names`."""
    return f"{number} {noun if number == 1 else (plural or noun + 's')}"


def one_line(what: BaseException | str, limit: int = 200) -> str:
    """An error for a one-line message: its first line with spaces collapsed, at most `limit`
    characters; an exception without a message gives its type's name."""
    lines = [line for line in str(what).splitlines() if line.strip()]
    text = " ".join(lines[0].split()) if lines else ""
    if not text:
        return type(what).__name__ if isinstance(what, BaseException) else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"
