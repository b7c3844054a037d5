"""Fixtures for the falling-object detector tests (no Home Assistant instance needed)."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the repository-wide fixture: these tests do not start Home Assistant."""
