"""The deployment's variables scripts, read for a command that is not a check (`firewall`,
`azure-commands`): every connector's script must read, or the command stops with one line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from readiness.config import ConfigError, ConfigProblem

if TYPE_CHECKING:
    from readiness.connector import ConnectorVariables
    from readiness.context import Context, Run
    from readiness.deployment import ConnectorInput


class Script(NamedTuple):
    connector: ConnectorInput
    context: Context
    variables: ConnectorVariables
    label: str | None  # the script's path as shown


def read_scripts(config_path: str | None, vars_path: str | None) -> tuple[Run, list[Script]]:
    """The run (for its secrets and contexts) and each connector's script, read once."""
    import datetime as dt

    from readiness.check import CheckSkipped
    from readiness.commands.options import current_folder
    from readiness.config import Overrides, load
    from readiness.connector import display_path
    from readiness.context import Run

    deployment, _ = load(
        Overrides(
            config=Path(config_path) if config_path else None,
            vars=Path(vars_path) if vars_path else None,
            offline=True,
        ),
        current_folder(),
    )
    if not deployment.connectors:
        raise ConfigError(
            [
                ConfigProblem(
                    "no variables script: give --vars PATH or --config PATH (a pxready.toml with "
                    "[[connector]] vars); none was found in the current folder"
                )
            ]
        )
    run = Run(deployment, dt.datetime.now(dt.UTC))
    scripts = []
    for connector in deployment.connectors:
        label = display_path(connector.vars_path) if connector.vars_path else None
        context = run.context(connector)
        try:
            variables = context.variables()
        except CheckSkipped as skipped:
            where = Path(label) if label else None
            raise ConfigError([ConfigProblem(skipped.reason, where)]) from None
        scripts.append(Script(connector, context, variables, label))
    return run, scripts
