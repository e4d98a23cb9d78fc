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


def exit_for_config_error(error: ConfigError) -> NoReturn:
    for problem in error.problems:
        click.echo(f"pxready: {problem}", err=True)
    sys.exit(int(ExitCode.USAGE))
