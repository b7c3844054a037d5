"""Config flow paths of the link: household link step, community broker, options."""

from collections.abc import Generator
from pathlib import Path
import shutil
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.smart_community.const import DOMAIN
from custom_components.smart_community.link.broker import household_username
from custom_components.smart_community.link.code import LinkCode
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from tests.conftest import HOUSEHOLD_KEY
from tests.mosquitto import MOSQUITTO, Broker, free_port, wait_until

HOUSEHOLD = {
    "household_name": "Wang family",
    "building": "3",
    "unit": "2",
    "room": "1502",
    "language": "en",
    "notify_targets": [],
}


@pytest.fixture
def broker(socket_enabled: None, tmp_path: Path) -> Generator[Broker]:
    """Run a Mosquitto for community sunny-gardens with household 3-2-1502."""
    if shutil.which(MOSQUITTO) is None:
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    broker = Broker(
        tmp_path, free_port(), community="sunny-gardens", households=("3-2-1502",)
    )
    broker.write_config()
    broker.start()
    yield broker
    broker.stop()


async def _to_link(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "household"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], HOUSEHOLD
    )
    assert result["step_id"] == "link"
    return result


def _code(broker: Broker | None, **changes: Any) -> str:
    fields: dict[str, Any] = {
        "community": "sunny-gardens",
        "household": "3-2-1502",
        "key": HOUSEHOLD_KEY,
        "broadcast_key": HOUSEHOLD_KEY,
    }
    if broker is not None:
        fields |= {
            "host": "127.0.0.1",
            "port": broker.port,
            "username": household_username("sunny-gardens", "3-2-1502"),
            "password": broker.passwords["3-2-1502"],
        }
    return LinkCode(**(fields | changes)).encode()


async def test_in_process_link(
    hass: HomeAssistant, community_entry: MockConfigEntry
) -> None:
    """No community chosen, then a community that does not know the household, then one that does."""
    community_entry.add_to_hass(hass)
    other = MockConfigEntry(
        domain=DOMAIN,
        unique_id="community_other",
        data={**community_entry.data, "community_id": "other"},
    )
    other.add_to_hass(hass)
    result = await _to_link(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"link_mode": "in_process"}
    )
    assert result["errors"] == {"link_community": "community_missing"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"link_mode": "in_process", "link_community": other.entry_id}
    )
    assert result["errors"] == {"link_community": "not_registered"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"link_mode": "in_process", "link_community": community_entry.entry_id},
    )
    assert result["step_id"] == "discover"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "bindings"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["link_mode"] == "in_process"
    assert result["data"]["link_community"] == community_entry.entry_id


async def test_mqtt_link_code(hass: HomeAssistant, broker: Broker) -> None:
    """Empty and bad codes are refused; a wrong password and a dead broker too."""
    result = await _to_link(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"link_mode": "mqtt", "link_code": " "}
    )
    assert result["errors"] == {"link_code": "invalid_link_code"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"link_mode": "mqtt", "link_code": "SC1-garbage"}
    )
    assert result["errors"] == {"link_code": "invalid_link_code"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"link_mode": "mqtt", "link_code": _code(broker, password="wrong")},
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"link_mode": "mqtt", "link_code": _code(broker, port=free_port())},
    )
    assert result["errors"] == {"base": "cannot_connect"}
    code = _code(broker)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"link_mode": "mqtt", "link_code": f" {code[:20]}\n{code[20:]} "},
    )
    assert result["step_id"] == "discover"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "bindings"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["data"]["link_code"] == code
    await hass.config_entries.async_unload(result["result"].entry_id)


async def test_reconfigure_link(
    hass: HomeAssistant, household_entry: MockConfigEntry
) -> None:
    """Reconfigure shows the current link, refuses a bad one and can unlink."""
    household_entry.add_to_hass(hass)
    code = _code(None)
    hass.config_entries.async_update_entry(
        household_entry,
        data={**household_entry.data, "link_mode": "mqtt", "link_code": code},
    )
    result = await household_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], HOUSEHOLD
    )
    assert result["step_id"] == "reconfigure_link"
    defaults = {
        str(key): key.default()
        for key in result["data_schema"].schema
        if hasattr(key, "default") and callable(key.default)
    }
    assert defaults["link_code"] == code
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"link_mode": "in_process", "link_community": "nope"}
    )
    assert result["errors"] == {"link_community": "community_missing"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"link_mode": "none"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert household_entry.data["link_mode"] == "none"
    assert "link_code" not in household_entry.data
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(household_entry.entry_id)


async def test_community_over_mqtt(hass: HomeAssistant, broker: Broker) -> None:
    """The broker step tests the connection: refused password, dead port, then success."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "community"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"community_name": "Sunny Gardens", "language": "zh-Hans", "transport": "mqtt"},
    )
    assert result["step_id"] == "broker"
    assert result["description_placeholders"] == {
        "username": "sc-sunny-gardens-community"
    }
    base = {"mqtt_host": "127.0.0.1", "mqtt_port": broker.port, "mqtt_tls": False}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**base, "mqtt_password": "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**base, "mqtt_port": free_port(), "mqtt_password": "x"}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**base, "mqtt_password": broker.community_password}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["transport"] == "mqtt"
    assert result["data"]["mqtt_port"] == broker.port
    await hass.config_entries.async_unload(result["result"].entry_id)


async def test_community_options(
    hass: HomeAssistant, community_entry: MockConfigEntry
) -> None:
    """The duty-room ladder: unknown contacts and a contact step before staff are refused."""
    async_mock_service(hass, "notify", "mobile_app_security")
    community_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(community_entry.entry_id)
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(community_entry.entry_id)
    assert result["step_id"] == "duty"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"duty_delay": 60, "contacts_delay": 300, "emergency_contacts": ["ghost"]},
    )
    assert result["errors"] == {"emergency_contacts": "unknown_notify_target"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"duty_delay": 300, "contacts_delay": 60, "emergency_contacts": []},
    )
    assert result["errors"] == {"contacts_delay": "contacts_before_staff"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "duty_delay": 60,
            "contacts_delay": 300,
            "emergency_contacts": ["mobile_app_security"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    community = community_entry.runtime_data.community
    assert community.settings.emergency_contacts == ("mobile_app_security",)
    assert [step.name for step in community.board.policy.steps] == [
        "duty",
        "all_staff",
        "emergency_contacts",
    ]


async def test_households_have_no_subentries(
    hass: HomeAssistant, household_entry: MockConfigEntry
) -> None:
    """Only a community keeps a registry."""
    household_entry.add_to_hass(hass)
    assert household_entry.supported_subentry_types == {}


async def test_reauth_after_refused_password(
    hass: HomeAssistant, broker: Broker, community_entry: MockConfigEntry
) -> None:
    """A refused broker password starts reauthentication; a wrong one is refused again."""
    community_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        community_entry,
        data={
            **community_entry.data,
            "transport": "mqtt",
            "mqtt_host": "127.0.0.1",
            "mqtt_port": broker.port,
            "mqtt_password": "stale",
            "mqtt_tls": False,
        },
    )
    assert await hass.config_entries.async_setup(community_entry.entry_id)
    await wait_until(
        lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN))
    )
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"mqtt_password": "still wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"mqtt_password": broker.community_password}
    )
    assert result["reason"] == "reauth_successful"
    assert community_entry.data["mqtt_password"] == broker.community_password
    await hass.async_block_till_done()
    community = community_entry.runtime_data.community
    await wait_until(lambda: community.endpoint.connected)
    await hass.config_entries.async_unload(community_entry.entry_id)


async def test_history_options(
    hass: HomeAssistant, community_entry: MockConfigEntry
) -> None:
    """The history database and retention are options; unknown options are kept."""
    community_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        community_entry, options={"future_option": 1}
    )
    assert await hass.config_entries.async_setup(community_entry.entry_id)
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(community_entry.entry_id)
    base = {"duty_delay": 60, "contacts_delay": 300, "retention_days": 90}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, "history_url": "mysql://x"}
    )
    assert result["errors"] == {"history_url": "unsupported_history_url"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, "history_url": ""}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert community_entry.options["future_option"] == 1
    assert community_entry.options["retention_days"] == 90
    assert community_entry.runtime_data.community.settings.retention_days == 90
    await hass.config_entries.async_unload(community_entry.entry_id)
