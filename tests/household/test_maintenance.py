"""Maintenance: device health is reported, never raised as an alarm."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.smart_community.core.maintenance import (
    MaintenanceBook,
    MaintenanceKind,
    kind_of,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from tests.conftest import Responders


def test_kind_of_and_book() -> None:
    """Device classes map to problems; a problem is new once until it clears."""
    assert kind_of("tamper", "on", numeric=False) == (MaintenanceKind.TAMPER, True)
    assert kind_of("problem", "off", numeric=False) == (MaintenanceKind.TROUBLE, False)
    assert kind_of("battery", "9", numeric=True) == (MaintenanceKind.BATTERY_LOW, True)
    assert kind_of("battery", "80", numeric=True) == (
        MaintenanceKind.BATTERY_LOW,
        False,
    )
    assert kind_of("battery", "n/a", numeric=True) is None
    assert kind_of("temperature", "20", numeric=True) is None
    assert kind_of("door", "on", numeric=False) is None
    book = MaintenanceBook()
    first = book.set("d1", "Smoke", MaintenanceKind.TAMPER, True, 10.0)
    assert first is not None
    assert book.set("d1", "Smoke", MaintenanceKind.TAMPER, True, 11.0) is None
    assert first.work_order_id() == book.issues[0].work_order_id()
    book.set("d1", "Smoke", MaintenanceKind.TAMPER, False, 12.0)
    assert book.issues == []


async def test_health_entities_and_offline(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    sensors: None,
    responders: Responders,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Battery and tamper siblings raise notices; five minutes unavailable means offline."""
    zha = MockConfigEntry(domain="zha")
    zha.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=zha.entry_id,
        identifiers={("zha", "smoke-1")},
        name="Kitchen smoke",
    )
    registry = er.async_get(hass)
    # The registry would give the entity another id while a state already holds this one.
    hass.states.async_remove("binary_sensor.kitchen_smoke")
    for domain, unique_id, object_id in (
        ("binary_sensor", "smoke", "kitchen_smoke"),
        ("sensor", "battery", "kitchen_smoke_battery"),
        ("binary_sensor", "tamper", "kitchen_smoke_tamper"),
    ):
        registry.async_get_or_create(
            domain, "zha", unique_id, device_id=device.id, suggested_object_id=object_id
        )
    hass.states.async_set(
        "binary_sensor.kitchen_smoke", "off", {"device_class": "smoke"}
    )
    hass.states.async_set(
        "sensor.kitchen_smoke_battery", "80", {"device_class": "battery"}
    )
    hass.states.async_set(
        "binary_sensor.kitchen_smoke_tamper", "off", {"device_class": "tamper"}
    )
    household_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(household_entry.entry_id)
    await hass.async_block_till_done()
    household = household_entry.runtime_data.household
    maintenance = "sensor.wang_family_devices_needing_maintenance"
    assert hass.states.get(maintenance).state == "0"

    hass.states.async_set(
        "sensor.kitchen_smoke_battery", "9", {"device_class": "battery"}
    )
    hass.states.async_set(
        "binary_sensor.kitchen_smoke_tamper", "on", {"device_class": "tamper"}
    )
    await hass.async_block_till_done()
    assert hass.states.get(maintenance).state == "2"
    titles = [call.data["title"] for call in responders.notified("mobile_app_mum")]
    assert titles == ["Kitchen smoke needs attention"] * 2
    assert household.book.active == []

    hass.states.async_set("binary_sensor.kitchen_smoke", "unavailable")
    await hass.async_block_till_done()
    freezer.tick(timedelta(seconds=299))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(maintenance).state == "2"
    freezer.tick(timedelta(seconds=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(maintenance).state == "3"
    assert {i.kind for i in household.maintenance.book.issues} == set(
        MaintenanceKind
    ) - {MaintenanceKind.TROUBLE}

    hass.states.async_set(
        "binary_sensor.kitchen_smoke", "off", {"device_class": "smoke"}
    )
    hass.states.async_set(
        "sensor.kitchen_smoke_battery", "100", {"device_class": "battery"}
    )
    hass.states.async_set("sensor.kitchen_smoke_battery", "unavailable")
    await hass.async_block_till_done()
    assert hass.states.get(maintenance).state == "1"
    assert hass.states.get(maintenance).attributes["issues"][0]["problem"] == "tamper"

    # Unavailable and back before the grace period: no offline notice at all.
    hass.states.async_set("binary_sensor.kitchen_smoke", "unavailable")
    await hass.async_block_till_done()
    hass.states.async_set(
        "binary_sensor.kitchen_smoke", "off", {"device_class": "smoke"}
    )
    await hass.async_block_till_done()
    freezer.tick(timedelta(seconds=600))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(maintenance).state == "1"


async def test_discovery_reads_registry_device_class(hass: HomeAssistant) -> None:
    """A sensor whose state has no device class is found by its registry entry."""
    from custom_components.smart_community.household.discovery import async_discover

    er.async_get(hass).async_get_or_create(
        "binary_sensor",
        "demo",
        "leak-1",
        suggested_object_id="cellar_leak",
        original_device_class="moisture",
    )
    hass.states.async_set("binary_sensor.cellar_leak", "off")
    hass.states.async_set("binary_sensor.front_door", "off", {"device_class": "door"})
    found = await async_discover(hass)
    assert [key for key, _ in found.sensors] == ["binary_sensor.cellar_leak"]
    assert found.sos_devices == []
