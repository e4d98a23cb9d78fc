"""Test helpers, imported as `tests.support.<module>` everywhere (fixtures live in conftest)."""
