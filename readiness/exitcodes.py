"""The exit codes of the contract, apart from the result model so that every command (even
`--version`) can name them without importing it."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    READY = 0
    NOT_READY = 1
    USAGE = 2
    INCONCLUSIVE = 3
    INTERRUPTED = 130
