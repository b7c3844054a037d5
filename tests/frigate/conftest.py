"""Helpers for the Frigate core tests."""

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """Return a payload fixture's raw bytes."""
    return (FIXTURES / name).read_bytes()
