"""Commands that come with the built-in checks (`pxready firewall`, `pxready init`), registered
in the `pxready.commands` entry-point group and loaded only when they are run or listed."""
