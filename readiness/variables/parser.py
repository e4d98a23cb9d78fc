"""A reader for the subset of PowerShell that a Pexip variables script is written in.

It never executes anything. It evaluates assignments of literals, arrays, `+` concatenation
and string interpolation of variables assigned earlier, and steps over every other statement
(commands such as `Connect-AzAccount`), remembering its line. Text that PowerShell itself would
refuse to parse (an unterminated string, an unclosed `@(` or `<#`) stops the reader with the
line where the construct began, as PowerShell's own parser reports it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from readiness.variables.model import (
    Assignment,
    IgnoredStatement,
    ScriptSyntaxProblem,
    Value,
    looks_secret,
)

# PowerShell accepts typographic quotes as quotes; scripts pasted from documents carry them.
DOUBLE_QUOTES = frozenset('"\u201c\u201d\u201e')
SINGLE_QUOTES = frozenset("'\u2018\u2019\u201a\u201b")
_NAME = re.compile(r"(?:(?:global|script|local|private|env|using):)?[A-Za-z0-9_?]+")
_STRING_NAME = re.compile(r"(?:(?:global|script|local|private|env):)?[A-Za-z0-9_]+")
_NUMBER = re.compile(r"[+-]?(?:0[xX][0-9A-Fa-f]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])")
_CAST = re.compile(r"\[[A-Za-z_][\w.]*(?:\[\])?\]")
_OPENERS = {"(": ")", "{": "}", "[": "]"}
# The line that ends a here-string: its closing quote, then @, at the start of a line.
_DOUBLE_CLOSING = re.compile(r"\n[ \t]*[" + re.escape("".join(sorted(DOUBLE_QUOTES))) + r"]@")
_SINGLE_CLOSING = re.compile(r"\n[ \t]*[" + re.escape("".join(sorted(SINGLE_QUOTES))) + r"]@")
# No installer value comes near these; a script that builds more (a string doubled forty times)
# is hostile or broken, and pxready stops evaluating rather than grow without bound.
MAX_VALUE_CHARS = 64 * 1024
MAX_ITEMS = 10_000
MAX_TOTAL_CHARS = 8 * 1024 * 1024
MAX_NUMBER_DIGITS = 30
_CONSTANTS: dict[str, Value] = {"true": True, "false": False, "null": None}
# Type constraints on a variable (`[int]$X = "3"`) that change the stored value.
_KNOWN_CASTS = frozenset(
    {
        "[string]",
        "[int]",
        "[int32]",
        "[int64]",
        "[long]",
        "[array]",
        "[string[]]",
        "[object[]]",
        "[bool]",
    }
)


class _Unresolvable(Exception):  # an internal signal, not an error
    """The value exists in PowerShell but cannot be known without running the script."""


class _SyntaxFail(Exception):
    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


class ParseOutcome:
    def __init__(self) -> None:
        self.assignments: list[Assignment] = []
        self.ignored: list[IgnoredStatement] = []
        self.syntax: ScriptSyntaxProblem | None = None


class Parser:
    def __init__(self, text: str, initial: dict[str, Value] | None = None) -> None:
        # PowerShell also ends a line at a lone CR (classic Mac line ends); same length, so
        # positions and line numbers stay those of the file.
        self.text = re.sub(r"\r(?!\n)", "\n", text)
        self.n = len(text)
        self.i = 0
        self.env: dict[str, Value] = {k.lower(): v for k, v in (initial or {}).items()}
        self.outcome = ParseOutcome()
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        # Assigned, but not evaluable: a later use names the line instead of "not assigned".
        self.unresolved: dict[str, int] = {}
        # Set when the value being read contains text typed into the script (see Assignment).
        self._plain_text = False
        self._statement_start = 0
        # Secret-named variables, and variables made from them: name → the secret's name.
        self.secret_sources: dict[str, str] = {}
        # Set when the value being read uses a secret (the secret variable's name).
        self._taint: str | None = None
        # Where each skipped construct ends, by kind and start: skipping is linear in the
        # script however often reading falls back to it.
        self._skips: dict[tuple[str, int], int | _SyntaxFail] = {}
        self._produced = 0

    # -- positions -----------------------------------------------------------------------
    def line_at(self, pos: int) -> int:
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def peek(self, offset: int = 0) -> str:
        j = self.i + offset
        return self.text[j] if j < self.n else ""

    # -- trivia --------------------------------------------------------------------------
    def skip_trivia(self, newlines: bool) -> None:
        """Skip blanks and comments; with `newlines`, also line ends and semicolons."""
        while self.i < self.n:
            c = self.text[self.i]
            if c in " \t\r\f\v\u00a0\ufeff":
                self.i += 1
            elif c == "`" and self.peek(1) in ("\n", "\r"):
                self.i += 2  # line continuation
            elif c == "<" and self.peek(1) == "#":
                self.skip_block_comment()
            elif c == "#":
                while self.i < self.n and self.text[self.i] != "\n":
                    self.i += 1
            elif newlines and c in "\n;":
                self.i += 1
            else:
                return

    def skip_block_comment(self) -> None:
        start = self.i
        end = self.text.find("#>", self.i + 2)
        if end < 0:
            raise _SyntaxFail(start, "the block comment '<#' is never closed with '#>'")
        self.i = end + 2

    def at_statement_end(self) -> bool:
        return self.i >= self.n or self.text[self.i] in "\n;"

    # -- the script ----------------------------------------------------------------------
    def parse(self) -> ParseOutcome:
        try:
            while True:
                self.skip_trivia(newlines=True)
                if self.i >= self.n:
                    break
                self.statement()
        except _SyntaxFail as fail:
            self.outcome.syntax = self._unclosed_string(fail) or ScriptSyntaxProblem(
                self.line_at(fail.pos), fail.message
            )
        except RecursionError:
            # Brackets nested hundreds deep: no variables script looks like that. PowerShell
            # might read it; pxready does not, and says it is its own limit.
            self.outcome.syntax = ScriptSyntaxProblem(
                self.line_at(self._statement_start),
                "brackets are nested more deeply than pxready reads",
                ours=True,
            )
        return self.outcome

    def _unclosed_string(self, fail: _SyntaxFail) -> ScriptSyntaxProblem | None:
        """An unclosed string, told where the user left it open.

        PowerShell pairs quotes across lines: a string left open on line 19 takes its closing
        quote from line 20, and the pairing shifts until the last quote of the file is left
        over. The first line before that with an odd number of quotes is where the string the
        user forgot to close most likely starts.
        """
        if "missing its closing quote" not in fail.message:
            return None
        quote = '"' if '(")' in fail.message else "'"
        quotes = DOUBLE_QUOTES if quote == '"' else SINGLE_QUOTES
        last = self.line_at(fail.pos)
        lines = self.text.split("\n")
        for number, line in enumerate(lines[:last], start=1):
            unescaped = line.replace("``", "").replace('`"', "").replace("`'", "")
            count = sum(1 for c in unescaped if c in quotes)
            if count % 2:
                start = min(i for i, c in enumerate(line) if c in quotes)
                beginning = line[start : start + 40].rstrip()
                return ScriptSyntaxProblem(
                    number,
                    f"the string that starts here ({beginning}) is never closed: add its closing "
                    f"quote ({quote}) on this line",
                )
        return None

    def statement(self) -> None:
        start = self.i
        self._statement_start = start
        target = self.assignment_target()
        if target is None:
            self.i = start
            self.skip_statement()
            self.outcome.ignored.append(
                IgnoredStatement(self.line_at(start), _statement_head(self.text[start : self.i]))
            )
            return
        name, append, cast = target
        # PowerShell reads the value on the next line when '=' ends a line.
        self.skip_trivia(newlines=True)
        value_start = self.i
        line = self.line_at(start)
        secret = looks_secret(name)
        if self._chained_assignment():
            self.statement()
            inner = self.outcome.assignments[-1]
            if inner.line != line:
                # An unfilled `$A =` above `$B = "x"`: PowerShell gives A the value of B, which
                # is never what the administrator meant.
                self._record(
                    Assignment(
                        name,
                        line,
                        None,
                        f"has no value on its line; PowerShell would give it the "
                        f"value of ${inner.name} assigned on line {inner.line}",
                    ),
                    append=False,
                )
                return
            # `$A = $B = "x"`: both get the value.
            source = self.secret_sources.get(inner.name.lower())
            if source is not None and not secret:
                self._record(_made_from_secret(name, line, source), append=False)
                self.secret_sources[name.lower()] = source
                return
            self._record(
                Assignment(
                    name,
                    line,
                    inner.value,
                    inner.problem and _hidden(inner.problem, secret),
                    literal=inner.literal,
                    plain_text=inner.plain_text,
                ),
                append=False,
            )
            return
        self._plain_text = False
        self._taint = name if secret else None
        try:
            value, literal = self.expression()
            self.skip_trivia(newlines=False)
            if not self.at_statement_end() and self.peek() != "}":
                raise _Unresolvable(
                    f"uses '{self.rest_of_line_word()}', which pxready does not evaluate"
                )
            if append:
                value = _add(self.env.get(name.lower()), value)
                literal = False
            if cast is not None:
                value = _cast(cast, value)
            self._bound(value)
        except _Unresolvable as why:
            reached = self.i
            self.i = value_start
            self.skip_statement(expression=True)
            if reached > self.i:
                # Reading went on past where the skip stopped (inside brackets): the statement
                # ends after the line where reading stopped.
                self.i = reached
                self.skip_statement(expression=True)
            self._record(
                Assignment(
                    name,
                    line,
                    None,
                    _hidden(str(why), secret),
                    literal=False,
                    plain_text=self._plain_text,
                ),
                append=False,
            )
            return
        if self._taint is not None:
            self.secret_sources[name.lower()] = self._taint
            if not secret:
                # A value made from a password is a password: never used, never shown.
                self._record(_made_from_secret(name, line, self._taint), append=False)
                return
        self._record(
            Assignment(name, line, value, None, literal=literal, plain_text=self._plain_text),
            append=append,
        )

    def _bound(self, value: Value) -> None:
        """Refuse a value past pxready's limits (see MAX_VALUE_CHARS), and count the text the
        script has built, so that reading any script is bounded in time and memory."""
        size = len(value) if isinstance(value, (str, list)) else 1
        self._produced += size
        if isinstance(value, str) and size > MAX_VALUE_CHARS:
            raise _Unresolvable(
                f"builds a text of {size:,} characters, more than pxready evaluates "
                f"({MAX_VALUE_CHARS:,}); no installer value is that long"
            )
        if isinstance(value, list) and size > MAX_ITEMS:
            raise _Unresolvable(f"builds an array of {size:,} items, more than pxready evaluates")
        if self._produced > MAX_TOTAL_CHARS:
            raise _Unresolvable(
                f"comes after the script has built {MAX_TOTAL_CHARS:,} characters of values, "
                "more than pxready evaluates"
            )

    def _record(self, assignment: Assignment, append: bool) -> None:
        key = assignment.name.lower()
        if assignment.resolved:
            self.env[key] = assignment.value
            self.unresolved.pop(key, None)
        else:
            self.env.pop(key, None)
            self.unresolved[key] = assignment.line
        self.outcome.assignments.append(assignment)

    def _chained_assignment(self) -> bool:
        save = self.i
        try:
            return self.assignment_target() is not None
        finally:
            self.i = save

    def rest_of_line_word(self) -> str:
        match = re.match(r"\S{1,30}", self.text[self.i :])
        return match.group(0) if match else "?"

    def assignment_target(self) -> tuple[str, bool, str | None] | None:
        """`$Name =` (or `[type]$Name =`, `$Name +=`): the variable name, whether it appends,
        and the type constraint that converts the value (`[int]`), if pxready knows it."""
        kind: str | None = None
        while True:
            cast = _CAST.match(self.text, self.i)
            if not cast:
                break
            if kind is None and cast.group(0).lower() in _KNOWN_CASTS:
                kind = cast.group(0).lower()
            self.i = cast.end()
            self.skip_trivia(newlines=False)
        if self.peek() != "$":
            return None
        self.i += 1
        name = self.variable_name()
        if name is None:
            return None
        self.skip_trivia(newlines=False)
        if self.peek() == "=" and self.peek(1) != "=":
            self.i += 1
            return name, False, kind
        if self.peek() == "+" and self.peek(1) == "=":
            self.i += 2
            return name, True, kind
        return None

    def variable_name(self) -> str | None:
        if self.peek() == "{":
            end = self.text.find("}", self.i)
            if end < 0:
                raise _SyntaxFail(self.i, "the variable name '${' is never closed with '}'")
            name = self.text[self.i + 1 : end]
            self.i = end + 1
            return _strip_scope(name)
        match = _NAME.match(self.text, self.i)
        if not match:
            return None
        self.i = match.end()
        return _strip_scope(match.group(0))

    # -- expressions ---------------------------------------------------------------------
    def expression(self, in_parens: bool = False) -> tuple[Value, bool]:
        """`list ('+' list)*`. Returns the value and whether it is a plain literal."""
        value, literal = self.comma_list(in_parens)
        while True:
            save = self.i
            self.skip_trivia(newlines=in_parens)
            if self.peek() == "+" and self.peek(1) != "=":
                self.i += 1
                self.skip_trivia(newlines=True)  # a '+' at the end of a line continues it
                right, _ = self.comma_list(in_parens)
                value = _add(value, right)
                _check_size(value)
                literal = False
            else:
                self.i = save
                return value, literal

    def comma_list(self, in_parens: bool) -> tuple[Value, bool]:
        first, literal = self.unary()
        items: list[Value] | None = None
        while True:
            save = self.i
            self.skip_trivia(newlines=in_parens)
            if self.peek() == ",":
                self.i += 1
                self.skip_trivia(newlines=True)  # a ',' at the end of a line continues it
                item, _ = self.unary()
                if items is None:
                    items = [first]
                items.append(item)
                _check_size(items)
            else:
                self.i = save
                break
        if items is None:
            return first, literal
        return items, False

    def unary(self) -> tuple[Value, bool]:
        self.skip_trivia(newlines=False)
        cast = _CAST.match(self.text, self.i)
        if cast:
            kind = cast.group(0).lower()
            self.i = cast.end()
            value, literal = self.unary()
            return _cast(kind, value), literal
        value, literal = self.primary()
        nxt = self.peek()
        if nxt in (".", "[") and self.i < self.n:
            raise _Unresolvable("uses a property, method or index, which pxready does not evaluate")
        return value, literal

    def primary(self) -> tuple[Value, bool]:
        c = self.peek()
        start = self.i
        if c == "":
            raise _Unresolvable("has no value")
        if c in DOUBLE_QUOTES:
            return self.double_quoted()
        if c in SINGLE_QUOTES:
            text = self.single_quoted()
            self._plain_text = self._plain_text or bool(text)
            return text, True
        if c == "@" and self.peek(1) in DOUBLE_QUOTES | SINGLE_QUOTES:
            return self.here_string()
        if c == "@" and self.peek(1) == "(":
            self.i += 2
            return self.array_body(start), False
        if c == "@" and self.peek(1) == "{":
            self.skip_balanced()
            raise _Unresolvable("is a hashtable, which pxready does not evaluate")
        if c == "(":
            self.i += 1
            self.skip_trivia(newlines=True)
            value, literal = self.expression(in_parens=True)
            self.skip_trivia(newlines=True)
            if self.peek() != ")":
                raise _Unresolvable("uses an expression that pxready does not evaluate")
            self.i += 1
            return value, literal
        if c == "$":
            if self.peek(1) == "(":
                self.i += 2
                return self.subexpression(start), False
            self.i += 1
            name = self.variable_name()
            if name is None:
                raise _Unresolvable("uses '$' without a variable name")
            return self.lookup(name), False
        number = _NUMBER.match(self.text, self.i)
        if number:
            self.i = number.end()
            self._plain_text = True
            return _number(number.group(0)), True
        word = re.match(r"[^\s;#)]+", self.text[self.i :])
        command = word.group(0) if word else c
        raise _Unresolvable(f"is the output of '{command}', which pxready does not run")

    def lookup(self, name: str) -> Value:
        key = name.lower()
        if key in _CONSTANTS:
            return _CONSTANTS[key]
        if key.startswith("env:"):
            raise _Unresolvable(f"uses the environment variable ${name}, unknown until run time")
        if key in self.unresolved:
            raise _Unresolvable(
                f"uses ${name}, which pxready cannot evaluate either (line {self.unresolved[key]})"
            )
        if key not in self.env:
            raise _Unresolvable(f"uses ${name}, which is not assigned before this line")
        source = self.secret_sources.get(key)
        if source is not None:
            self._taint = self._taint or source
        return self.env[key]

    def array_body(self, start: int) -> list[Value]:
        """The inside of `@( ... )` after the opening: statements whose values are collected."""
        items: list[Value] = []
        while True:
            self.skip_trivia(newlines=True)
            if self.i >= self.n:
                raise _SyntaxFail(start, "missing closing ')' of the array '@('")
            if self.peek() == ")":
                self.i += 1
                return items
            try:
                value, _ = self.expression(in_parens=True)
            except _Unresolvable:
                self.i = start
                self.skip_balanced()
                raise
            if isinstance(value, list):
                items.extend(value)
            elif value is not None:
                items.append(value)

    def subexpression(self, start: int) -> Value:
        """`$( ... )` after the opening: supported when it holds one evaluable expression."""
        self.skip_trivia(newlines=True)
        try:
            value, _ = self.expression(in_parens=True)
            self.skip_trivia(newlines=True)
            if self.peek() != ")":
                raise _Unresolvable("uses a subexpression '$( )' that pxready does not evaluate")
            self.i += 1
            return value
        except _Unresolvable:
            self.i = start
            self.skip_balanced()
            raise

    # -- strings -------------------------------------------------------------------------
    def single_quoted(self) -> str:
        start = self.i
        self.i += 1
        out: list[str] = []
        while self.i < self.n:
            c = self.text[self.i]
            if c in SINGLE_QUOTES:
                if self.peek(1) in SINGLE_QUOTES:  # '' is a literal quote
                    out.append(c)
                    self.i += 2
                    continue
                self.i += 1
                return "".join(out)
            out.append(c)
            self.i += 1
        raise _SyntaxFail(start, "the string is missing its closing quote (')")

    def double_quoted(self) -> tuple[str, bool]:
        start = self.i
        self.i += 1
        value, literal, closed = self.expand(None)
        if not closed:
            raise _SyntaxFail(start, 'the string is missing its closing quote (")')
        return value, literal

    def expand(self, end: int | None) -> tuple[str, bool, bool]:
        """Read an expandable string's body: up to its closing quote (then past it), or up to
        `end` for a here-string body. Returns (text, literal, whether the quote closed it)."""
        limit = self.n if end is None else end
        out: list[str] = []
        size = 0
        literal = True
        unresolved: _Unresolvable | None = None
        while self.i < limit:
            c = self.text[self.i]
            if c == "`":
                out.append(_BACKTICK.get(self.peek(1), self.peek(1)))
                self._plain_text = True
                self.i += 2
            elif c in DOUBLE_QUOTES and end is None:
                if self.peek(1) in DOUBLE_QUOTES:  # "" is a literal quote
                    out.append(c)
                    self._plain_text = True
                    self.i += 2
                    continue
                self.i += 1
                if unresolved is not None:
                    raise unresolved
                return "".join(out), literal, True
            elif c == "$":
                try:
                    piece = self.interpolation()
                except _Unresolvable as why:
                    unresolved = unresolved or why
                    piece = ""
                if piece is None:
                    out.append("$")
                    self._plain_text = True
                    self.i += 1
                else:
                    literal = False
                    out.append(piece)
                    size += len(piece)
                    if size > MAX_VALUE_CHARS:
                        _check_size("".join(out))
            else:
                out.append(c)
                if not c.isspace():
                    self._plain_text = True
                self.i += 1
        if end is None:
            return "".join(out), literal, False
        if unresolved is not None:
            raise unresolved
        return "".join(out), literal, True

    def interpolation(self) -> str | None:
        """At a `$` inside a double-quoted string: the text it expands to, or None if literal."""
        start = self.i
        if self.peek(1) == "(":
            self.i += 2
            return _text(self.subexpression(start))
        if self.peek(1) == "{":
            self.i += 1
            name = self.variable_name()
            return _text(self.lookup(name or ""))
        match = _STRING_NAME.match(self.text, self.i + 1)
        if not match:
            return None
        self.i = match.end()
        return _text(self.lookup(_strip_scope(match.group(0))))

    def here_string(self) -> tuple[str, bool]:
        expandable = self.peek(1) in DOUBLE_QUOTES
        body_start, body_end, end = self._here_string_bounds()
        if not expandable:
            body = self.text[body_start:body_end]
            self._plain_text = self._plain_text or bool(body.strip())
            self.i = end
            return body, True
        # Expanded where it stands, so that a problem inside names the file's own line.
        self.i = body_start
        try:
            value, literal, _ = self.expand(body_end)
        finally:
            self.i = max(self.i, end)
        return value, literal

    def _here_string_bounds(self) -> tuple[int, int, int]:
        """At `@"` or `@'`: where its body starts and ends, and where the here-string ends."""
        start = self.i
        header_end = self.text.find("\n", start)
        if header_end < 0 or self.text[start + 2 : header_end].strip():
            raise _SyntaxFail(start, "a here-string header '@\"' must end its line")
        closing = _DOUBLE_CLOSING if self.peek(1) in DOUBLE_QUOTES else _SINGLE_CLOSING
        match = closing.search(self.text, header_end)
        if not match:
            raise _SyntaxFail(start, "the here-string is never closed")
        body_end = match.start()
        if body_end > header_end and self.text[body_end - 1] == "\r":
            body_end -= 1
        return min(header_end + 1, body_end), body_end, match.end()

    # -- statements we do not model ------------------------------------------------------
    def skip_statement(self, expression: bool = False) -> None:
        """Move past one statement, through strings and brackets, to its line end. An
        `expression` (an assignment's value) goes on past a line that ends in '+', ',' or '|'."""
        last = ""
        while self.i < self.n:
            c = self.text[self.i]
            if c in "\n;":
                if c == "\n" and expression and last in ("+", ",", "|"):
                    self.i += 1
                    last = ""
                    continue
                return
            if c in "})]":
                last = c
                self.i += 1  # PowerShell would complain; not our business
            elif c == "#" or (c == "<" and self.peek(1) == "#") or c.isspace():
                self.skip_token()
            else:
                last = c
                self.skip_token()

    def _skip(self, kind: str, scan: Callable[[], None]) -> None:
        """Move past a construct, remembering where it ended: reading falls back to skipping
        at every level of a nested construct, and each region is scanned only once."""
        key = (kind, self.i)
        known = self._skips.get(key)
        if isinstance(known, _SyntaxFail):
            raise known
        if known is not None:
            self.i = known
            return
        try:
            scan()
        except _SyntaxFail as fail:
            self._skips[key] = fail
            raise
        self._skips[key] = self.i

    def skip_balanced(self) -> None:
        """At an opening bracket (or `@(`, `$(`, `@{`): move past its closing partner."""
        self._skip("balanced", self._scan_balanced)

    def _scan_balanced(self) -> None:
        sigil = ""
        if self.text[self.i] in "@$" and self.peek(1) in _OPENERS:
            sigil = self.text[self.i]
            self.i += 1
        start = self.i
        opener = self.text[self.i]
        closer = _OPENERS.get(opener)
        self.i += 1
        if closer is None:
            return
        while self.i < self.n:
            c = self.text[self.i]
            if c == closer:
                self.i += 1
                return
            if c in "})]":
                self.i += 1
            else:
                self.skip_token()
        raise _SyntaxFail(start, f"missing closing '{closer}' of the '{sigil}{opener}' opened here")

    def skip_token(self) -> None:
        c = self.text[self.i]
        if c in DOUBLE_QUOTES | SINGLE_QUOTES:
            self.skip_string()
        elif c == "@" and self.peek(1) in DOUBLE_QUOTES | SINGLE_QUOTES:
            self.i = self._here_string_bounds()[2]  # scanned, never evaluated
        elif (c in "@$" and self.peek(1) in ("(", "{")) or c in _OPENERS:
            self.skip_balanced()
        elif c == "<" and self.peek(1) == "#":
            self.skip_block_comment()
        elif c == "#":
            while self.i < self.n and self.text[self.i] != "\n":
                self.i += 1
        elif c == "`":
            self.i += 2
        else:
            self.i += 1

    def skip_string(self) -> None:
        if self.text[self.i] in SINGLE_QUOTES:
            self.single_quoted()
        else:
            self._skip("string", self._scan_string)

    def _scan_string(self) -> None:
        start = self.i
        self.i += 1
        while self.i < self.n:
            c = self.text[self.i]
            if c == "`":
                self.i += 2
            elif c in DOUBLE_QUOTES:
                if self.peek(1) in DOUBLE_QUOTES:
                    self.i += 2
                    continue
                self.i += 1
                return
            elif c == "$" and self.peek(1) == "(":
                self.i += 1
                self.skip_balanced()
            else:
                self.i += 1
        raise _SyntaxFail(start, 'the string is missing its closing quote (")')


_BACKTICK = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "f": "\f",
    "v": "\v",
    "\n": "",
    "": "",
}


# Commands whose name is safe to quote for a secret: the usual ways to ask for or convert one.
_SECRET_SAFE_COMMAND = re.compile(
    r"is the output of '(?:Read|Get|ConvertTo|ConvertFrom|Import|New)-[A-Za-z]+', "
    r"which pxready does not run$",
    re.IGNORECASE,
)


def _hidden(problem: str, secret: bool) -> str:
    """A problem quotes the script's text; for a secret that text may be the secret itself."""
    if not secret or _SECRET_SAFE_COMMAND.fullmatch(problem):
        return problem
    return "is not a plain value, and pxready does not quote a secret's text to say why"


def _strip_scope(name: str) -> str:
    scope, sep, rest = name.partition(":")
    if sep and scope.lower() in ("global", "script", "local", "private", "using"):
        return rest
    return name


def _statement_head(text: str) -> str:
    """The command word of a statement: enough to recognise it, never its arguments."""
    match = re.match(r"\s*([^\s(=]+)", text)
    head = match.group(1) if match else ""
    if head[:1] in DOUBLE_QUOTES | SINGLE_QUOTES or head[1:2] in DOUBLE_QUOTES | SINGLE_QUOTES:
        # A bare string or here-string as a statement: its text could be anything, a password
        # included, and the head is shown in the report.
        return "(a string)"
    return head[:60]


def _number(text: str) -> int | float:
    lowered = text.strip().lower()
    digits = lowered.lstrip("+-")
    if len(digits) > MAX_NUMBER_DIGITS:
        raise _Unresolvable(
            f"is a number of {len(digits):,} digits, larger than any value the installer uses"
        )
    if "0x" in lowered:
        return int(lowered, 16)
    if any(ch in lowered for ch in ".e"):
        number = float(lowered)
        if not math.isfinite(number):
            raise _Unresolvable("is a number too large for pxready to use")
        return number
    return int(lowered)


def _check_size(value: Value) -> None:
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        raise _Unresolvable(
            f"builds a text of {len(value):,} characters, more than pxready evaluates "
            f"({MAX_VALUE_CHARS:,}); no installer value is that long"
        )
    if isinstance(value, list) and len(value) > MAX_ITEMS:
        raise _Unresolvable(f"builds an array of {len(value):,} items, more than pxready evaluates")


def _made_from_secret(name: str, line: int, source: str) -> Assignment:
    return Assignment(
        name,
        line,
        None,
        f"is made from the secret ${source}; pxready neither uses nor shows a value made "
        "from a password",
    )


def _text(value: Value) -> str:
    """How PowerShell turns a value into text inside a string."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value)


def _add(left: Value, right: Value) -> Value:
    """PowerShell's `+`: arrays concatenate, strings join, numbers add."""
    if isinstance(left, list):
        return [*left, *(right if isinstance(right, list) else [right])]
    if left is None:
        return right
    if isinstance(left, str):
        return left + _text(right)
    if isinstance(left, bool):
        raise _Unresolvable("adds to a boolean")
    if isinstance(right, (int, float)) and not isinstance(right, bool):
        return left + right
    if isinstance(right, str):
        try:
            return left + _number(right.strip())
        except ValueError:
            raise _Unresolvable(f"adds text to the number {left}") from None
    raise _Unresolvable("adds values that pxready does not evaluate")


def _cast(kind: str, value: Value) -> Value:
    if kind == "[string]":
        return _text(value)
    if kind in ("[int]", "[int32]", "[int64]", "[long]"):
        if isinstance(value, int):
            return value
        number = _number(_text(value))
        if not isinstance(number, int):
            raise _Unresolvable(f"casts {kind}")
        return number
    if kind in ("[array]", "[string[]]", "[object[]]"):
        return value if isinstance(value, list) else [value]
    if kind == "[bool]":
        return bool(value)
    raise _Unresolvable(f"uses the cast {kind}, which pxready does not evaluate")
