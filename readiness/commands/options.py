"""What the commands share: the input options, writing a file, and the exit-2 path."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from readiness.exitcodes import ExitCode

if TYPE_CHECKING:
    from readiness.config import ConfigError

F = TypeVar("F", bound=Callable[..., Any])


class UsageProblem(click.ClickException):
    """Exit 2 with one line on stderr."""

    exit_code = int(ExitCode.USAGE)

    def show(self, file: Any = None) -> None:
        click.echo(f"pxready: {self.format_message()}", err=True)


def input_options(function: F) -> F:
    """`--config` and `--vars`, the same on every command that reads a deployment."""
    function = click.option(
        "--vars", "vars_path", metavar="PATH", help="The Pexip variables script."
    )(function)
    return click.option(
        "--config",
        "config_path",
        metavar="PATH",
        help="pxready.toml (default: ./pxready.toml when present).",
    )(function)


def write_output(path: Path, text: str, what: str, newline: str = "\n") -> None:
    """Write a report or rule file as UTF-8; a failure is a one-line exit 2, not a traceback."""
    from readiness.config import ConfigError, ConfigProblem

    try:
        with path.open("w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
    except OSError as exc:
        raise ConfigError(
            [ConfigProblem(f"cannot write the {what}: {exc.strerror}", path)]
        ) from None


class ReaderGone(Exception):
    """Whoever read standard output went away (`pxready check | head`): nothing more to say."""


def write_stdout(text: str) -> None:
    """The report (or rules) on standard output. A reader that goes away is `ReaderGone`; a
    stream that cannot take it (a full disk, /dev/full) is a one-line exit 2."""
    from readiness.config import ConfigError, ConfigProblem

    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise ReaderGone from None
    except OSError as exc:
        _silence_stdout()
        reason = exc.strerror or type(exc).__name__
        raise ConfigError([ConfigProblem(f"cannot write to standard output: {reason}")]) from None


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; what is left must not fail a second time.
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def current_folder() -> Path:
    """The folder pxready runs in; a one-line exit 2 when it has been deleted under it."""
    try:
        return Path.cwd()
    except OSError:
        raise UsageProblem(
            "the current folder no longer exists (deleted or moved while in use); change to "
            "an existing folder and run pxready again"
        ) from None


def exit_for_config_error(error: ConfigError) -> NoReturn:
    for problem in error.problems:
        click.echo(f"pxready: {problem}", err=True)
    sys.exit(int(ExitCode.USAGE))
