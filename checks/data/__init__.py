"""Data files of the built-in checks (loaded with importlib.resources)."""
