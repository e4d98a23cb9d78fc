"""pxready's built-in checks. Each module is registered under the `pxready.checks` entry-point
group in pyproject.toml, exactly as a third-party plugin would be."""
