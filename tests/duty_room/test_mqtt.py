"""The duty room over a real Mosquitto broker: two Home Assistant roles, one broker."""

from collections.abc import Generator
from pathlib import Path
import shutil

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_community.const import DOMAIN
from custom_components.smart_community.core.alarm import AlarmStatus
from custom_components.smart_community.link.broker import household_username
from custom_components.smart_community.link.code import LinkCode
from homeassistant.core import HomeAssistant
from tests.conftest import HOUSEHOLD_KEY, Responders
from tests.mosquitto import MOSQUITTO, Broker, free_port, wait_until

COMMUNITY = "sunny-gardens"
HOUSEHOLD = "3-2-1502"


@pytest.fixture
def broker(socket_enabled: None, tmp_path: Path) -> Generator[Broker]:
    """Start a Mosquitto for the Sunny Gardens community and the Wang household."""
    if shutil.which(MOSQUITTO) is None:
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    broker = Broker(tmp_path, free_port(), community=COMMUNITY, households=(HOUSEHOLD,))
    broker.write_config()
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
async def mqtt_linked(
    hass: HomeAssistant,
    broker: Broker,
    community_entry: MockConfigEntry,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Set up the community and the household, both connected through the broker."""
    community_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        community_entry,
        data={
            **community_entry.data,
            "transport": "mqtt",
            "mqtt_host": "127.0.0.1",
            "mqtt_port": broker.port,
            "mqtt_password": broker.community_password,
            "mqtt_tls": False,
        },
    )
    for subentry in community_entry.subentries.values():
        if subentry.subentry_type == "household":
            hass.config_entries.async_update_subentry(
                community_entry,
                subentry,
                data={**subentry.data, "mqtt_password": broker.passwords[HOUSEHOLD]},
            )
    code = LinkCode(
        community=COMMUNITY,
        household=HOUSEHOLD,
        key=HOUSEHOLD_KEY,
        broadcast_key=community_entry.data["broadcast_key"],
        host="127.0.0.1",
        port=broker.port,
        username=household_username(COMMUNITY, HOUSEHOLD),
        password=broker.passwords[HOUSEHOLD],
    )
    household_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        household_entry,
        data={**household_entry.data, "link_mode": "mqtt", "link_code": code.encode()},
    )
    assert await hass.config_entries.async_setup(community_entry.entry_id)
    await hass.async_block_till_done()
    community = community_entry.runtime_data.community
    link = household_entry.runtime_data.link
    await wait_until(lambda: community.endpoint.connected and link.endpoint.connected)
    return community_entry, household_entry


async def test_alarm_crosses_the_broker(
    hass: HomeAssistant, mqtt_linked: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """Smoke at home -> board -> staff acknowledge -> the household hears it."""
    community_entry, household_entry = mqtt_linked
    community = community_entry.runtime_data.community
    household = household_entry.runtime_data.household
    hass.states.async_set(
        "binary_sensor.kitchen_smoke", "on", {"device_class": "smoke"}
    )
    await hass.async_block_till_done()
    (alarm,) = household.book.active
    await wait_until(lambda: alarm.alarm_id in community.board)
    await hass.services.async_call(
        DOMAIN,
        "acknowledge_alarm",
        {"config_entry_id": community_entry.entry_id, "alarm_id": alarm.alarm_id},
        blocking=True,
    )
    await wait_until(lambda: alarm.status is AlarmStatus.ACKNOWLEDGED)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.3_2_1502_wang_family_status").state == "acknowledged"


async def test_broker_killed_mid_alarm(
    hass: HomeAssistant,
    broker: Broker,
    mqtt_linked: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """The broker dies as the alarm is raised; after its restart the alarm arrives once."""
    community_entry, household_entry = mqtt_linked
    community = community_entry.runtime_data.community
    household = household_entry.runtime_data.household
    link = household_entry.runtime_data.link
    broker.kill()
    await wait_until(lambda: not link.endpoint.connected)
    hass.states.async_set(
        "binary_sensor.bathroom_leak", "on", {"device_class": "moisture"}
    )
    await hass.async_block_till_done()
    (alarm,) = household.book.active
    assert link.endpoint.pending
    broker.start()
    await wait_until(lambda: alarm.alarm_id in community.board, timeout=30)
    await wait_until(lambda: not link.endpoint.pending, timeout=30)
    assert [a.alarm_id for a in community.board.alarms] == [alarm.alarm_id]
    await wait_until(
        lambda: hass.states.get("sensor.sunny_gardens_active_alarms").state == "1"
    )


async def test_export_broker_config(
    hass: HomeAssistant,
    mqtt_linked: tuple[MockConfigEntry, MockConfigEntry],
    tmp_path: Path,
) -> None:
    """The exported password file and ACL name the community and every household."""
    community_entry, _ = mqtt_linked
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    result = await hass.services.async_call(
        DOMAIN,
        "export_broker_config",
        {
            "config_entry_id": community_entry.entry_id,
            "directory": str(tmp_path / "mosq"),
        },
        blocking=True,
        return_response=True,
    )
    assert result["households"] == [HOUSEHOLD]
    files = result["files"]
    passwd = next(content for name, content in files.items() if "passw" in name)
    assert f"{household_username(COMMUNITY, HOUSEHOLD)}:$7$" in passwd
    acl = next(content for name, content in files.items() if "acl" in name)
    assert f"sc/{COMMUNITY}/hh/{HOUSEHOLD}/out" in acl
    assert sorted(p.name for p in (tmp_path / "mosq").iterdir()) == sorted(files)

    hass.config.allowlist_external_dirs = set()
    with pytest.raises(Exception, match=r"may not write"):
        await hass.services.async_call(
            DOMAIN,
            "export_broker_config",
            {"config_entry_id": community_entry.entry_id, "directory": "/etc/nope"},
            blocking=True,
            return_response=True,
        )

    code = await hass.services.async_call(
        DOMAIN,
        "get_link_code",
        {"config_entry_id": community_entry.entry_id, "household": HOUSEHOLD},
        blocking=True,
        return_response=True,
    )
    decoded = LinkCode.decode(code["link_code"])
    assert decoded.uses_mqtt
    assert decoded.username == household_username(COMMUNITY, HOUSEHOLD)
