"""Fixtures: Home Assistant's real ``zha`` integration on the simulated radio of ``zha_harness``."""

from collections.abc import AsyncGenerator
from pathlib import Path
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from zha.application.gateway import Gateway

from custom_components.smart_community.zigbee.registration import register_quirks
from homeassistant.components.zha.helpers import get_zha_gateway
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .zha_harness import FakeRadioApp

FAKE_RADIO_PATH = "/dev/serial/by-id/usb-fake-zigbee-radio-if00"


@pytest.fixture
def zha_config_entry() -> MockConfigEntry:
    """Return a ZHA config entry for an EZSP radio on a path that does not exist."""
    return MockConfigEntry(
        domain="zha",
        version=5,
        minor_version=2,
        data={
            "device": {
                "path": FAKE_RADIO_PATH,
                "baudrate": 115200,
                "flow_control": None,
            },
            "radio_type": "ezsp",
        },
        options={},
    )


@pytest.fixture
async def zha_gateway(
    hass: HomeAssistant, zha_config_entry: MockConfigEntry, tmp_path: Path
) -> AsyncGenerator[Gateway]:
    """Set up ZHA with the Smart Community quirks registered, on the simulated radio.

    zigpy's database lives in the test's temporary directory, so every test starts with an
    empty network.
    """
    register_quirks()
    zha_config_entry.add_to_hass(hass)
    with patch(
        "bellows.zigbee.application.ControllerApplication.new", FakeRadioApp.new
    ):
        assert await async_setup_component(
            hass, "zha", {"zha": {"database_path": str(tmp_path / "zigbee.db")}}
        )
        await hass.async_block_till_done()
        gateway = get_zha_gateway(hass)
        assert isinstance(gateway.application_controller, FakeRadioApp)
        yield gateway
        await hass.config_entries.async_unload(zha_config_entry.entry_id)
        await hass.async_block_till_done()
