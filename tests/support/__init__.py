"""Reusable test helpers shared by several test modules."""
