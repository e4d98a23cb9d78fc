"""Commands besides `check`, one module each, registered on the `pxready` group in cli.py.

They import only the standard library, click and light engine modules at module level, so
that `pxready --help` and `pxready check` do not pay for them.
"""
