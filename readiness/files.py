"""Reading the user's input files: regular files only, and only so much of them.

Variables scripts, certificates, configurations and exports are a few kilobytes. A name that
points at a folder, a named pipe (which would block forever), a device (`/dev/zero` never
ends) or a symbolic-link loop gets a one-line answer saying what it is, and a file far larger
than any real input is refused before it is read. Every reader of user files goes through here.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_INPUT_BYTES = 1024 * 1024


class InputFileError(Exception):
    """Why a file cannot be read. `kind` is stable: missing, folder, fifo, device, socket,
    loop, too-large, unreadable."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message  # says what the path is, without the path itself


def not_a_file(path: Path) -> InputFileError | None:
    """What is wrong with `path` as an input file, or None when it is a regular file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        try:
            path.lstat()
        except OSError:
            return InputFileError("missing", "does not exist")
        return InputFileError("missing", "is a symbolic link to something that does not exist")
    except OSError as exc:
        if exc.errno == getattr(errno, "ELOOP", None):
            return InputFileError("loop", "is a symbolic link loop")
        return InputFileError("unreadable", f"cannot be read ({exc.strerror or exc})")
    except ValueError:  # an embedded NUL byte, say
        return InputFileError("unreadable", "is not a valid path")
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return InputFileError("folder", "is a folder, not a file")
    if stat.S_ISFIFO(mode):
        return InputFileError("fifo", "is a named pipe (FIFO), not a file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return InputFileError("device", "is a device, not a file")
    if stat.S_ISSOCK(mode):
        return InputFileError("socket", "is a socket, not a file")
    return InputFileError("unreadable", "is not a regular file")


def read_input(path: Path, limit: int = MAX_INPUT_BYTES, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `limit` bytes; `InputFileError` otherwise."""
    problem = not_a_file(path)
    if problem is not None:
        raise problem
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputFileError("unreadable", f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise InputFileError("unreadable", f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise InputFileError(
            "too-large",
            f"is larger than {_size(limit)}; a real {what} is a few kilobytes, so pxready "
            "does not read it",
        )
    return data


def resolved(path: Path) -> Path:
    """`path.resolve()`, or the absolute path when it cannot be resolved (a symbolic-link loop
    raises RuntimeError there)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count // 1024} KiB"
