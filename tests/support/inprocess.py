"""Run `pxready check` in this process: the real option parsing, configuration, registry,
runner and JSON reporter, without starting Python again.

Tests of what a check finds use this; tests of the command line itself (exit codes, streams,
terminals, one-line errors) run the real command in a fresh process (`tests.support.cli`).
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from readiness.cli import check_command, request_from_options
from readiness.config import ConfigError
from readiness.reporters import RenderOptions, renderer
from readiness.session import build_report
from tests.support.cli import Run


@contextlib.contextmanager
def _environment(extra: dict[str, str] | None) -> Iterator[None]:
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith("PXREADY_")]:
        del os.environ[name]
    os.environ.update(extra or {})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def check_in_process(
    root: Path,
    *args: str,
    env: dict[str, str] | None = None,
    resources: Mapping[str, Any] | None = None,
) -> Run:
    """`pxready check ARGS` run in `root`, as a `Run` whose stdout is the report in the format
    asked for (JSON unless `--format` says otherwise). A configuration problem gives code 2
    and its lines on stderr, as the command would."""
    context = check_command.make_context("check", list(args))
    request = request_from_options(dict(context.params))
    # As `pxready` itself does (readiness.cli.main): library deprecation notes about the
    # user's certificates are not findings, and the warnings-as-errors of the suite must not
    # turn them into crashes.
    with contextlib.chdir(root), _environment(env), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            report = build_report(request, cwd=root, resources=resources)
        except ConfigError as error:
            return Run(2, "", "".join(f"pxready: {p}\n" for p in error.problems))
        fmt = request.fmt if "--format" in args else "json"
        text = renderer(fmt)(report, RenderOptions(width=100))
    if fmt == "json":
        json.loads(text)  # the report must be valid JSON, whatever the test looks at
    return Run(int(report.exit_code), text, "")
