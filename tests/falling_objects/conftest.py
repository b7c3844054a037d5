"""Fixtures for the falling-object detector tests (no Home Assistant instance needed)."""

import pytest

from falling_objects.facade import Facade, parse_facade


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the repository-wide fixture: these tests do not start Home Assistant."""


@pytest.fixture(scope="module")
def facade() -> Facade:
    """Return a 10 x 8 facade with 60 px floors (3 m, so 20 px/m) and 100 px columns."""
    return parse_facade(
        {
            "building": 3,
            "image_size": [1000, 800],
            "floor_height_m": 3.0,
            "column_width_m": 5.0,
            "grid": {
                "corners": [[100, 100], [900, 100], [900, 700], [100, 700]],
                "floors": 10,
                "columns": 8,
            },
        }
    )
