"""Shared fixtures for the Smart Community tests."""

from collections.abc import Generator

import pytest

# Import the repository's package before the plugin mounts its own testing_config,
# so Home Assistant finds this integration (see docs/development.md).
import custom_components.smart_community  # noqa: F401

pytest_plugins = ["pytest_homeassistant_custom_component"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    enable_custom_integrations: None,
) -> Generator[None]:
    """Enable loading this custom integration in every test."""
    yield
