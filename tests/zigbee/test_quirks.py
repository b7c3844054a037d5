"""Quirk-level tests in the zha-device-handlers style: signatures resolve, frames update clusters."""

from collections.abc import Iterator, Mapping
import importlib
from pathlib import Path
import sys
from typing import Any

import pytest
from zha.quirks import DEVICE_REGISTRY, QUIRK_REGISTRY_ENTRY_ATTR
import zhaquirks
from zhaquirks.tuya import TuyaDPType
import zigpy.device
import zigpy.types as t
from zigpy.zcl import foundation
from zigpy.zcl.clusters.security import IasAce, IasZone

from custom_components.smart_community.zigbee.registration import (
    QUIRK_MODULES,
    QUIRKS_PATH,
    register_quirks,
)

from .zha_harness import (
    HEIMAN_GAS_ENDPOINTS,
    IAS_ZONE_ENDPOINTS,
    TUYA_SOS_ENDPOINTS,
    TUYA_TS0601_ENDPOINTS,
    Endpoints,
    FakeRadioApp,
    new_fake_app,
    tuya_datapoint,
    tuya_report_payload,
)

ALARM_1 = IasZone.ZoneStatus.Alarm_1


@pytest.fixture(scope="module", autouse=True)
def _quirks_registered() -> None:
    register_quirks()


@pytest.fixture
async def app() -> FakeRadioApp:
    return new_fake_app()


def raw_device(
    app: FakeRadioApp, manufacturer: str, model: str, endpoints: Endpoints
) -> zigpy.device.Device:
    """Build an interviewed, not yet quirked device with the given signature."""
    device = zigpy.device.Device(
        app, t.EUI64.convert("a4:c1:38:00:00:00:00:01"), t.NWK(0x1234)
    )
    device.manufacturer = manufacturer
    device.model = model
    for endpoint_id, spec in endpoints.items():
        endpoint = device.add_endpoint(endpoint_id)
        endpoint.profile_id = 0x0104
        endpoint.device_type = spec["device_type"]
        for cluster_id in spec["in"]:
            endpoint.add_input_cluster(cluster_id)
        for cluster_id in spec["out"]:
            endpoint.add_output_cluster(cluster_id)
    return device


def quirked(
    app: FakeRadioApp, manufacturer: str, model: str, endpoints: Endpoints
) -> zigpy.device.Device:
    """Resolve a device through ZHA's quirk registry and check one of ours applied."""
    device = DEVICE_REGISTRY.resolve(raw_device(app, manufacturer, model, endpoints))
    entry = getattr(device, QUIRK_REGISTRY_ENTRY_ATTR, None)
    assert entry is not None, f"no quirk for {manufacturer} {model}"
    assert entry.source is not None
    assert Path(entry.source.file).parent == QUIRKS_PATH
    return device


def feed(
    cluster: Any, payload: bytes, command_id: int, direction: foundation.Direction
) -> None:
    """Deserialize a frame the way zigpy does and hand it to the cluster."""
    hdr = foundation.ZCLHeader.cluster(0x42, command_id, direction=direction)
    hdr.frame_control = hdr.frame_control.replace(disable_default_response=True)
    parsed_hdr, args = cluster.deserialize(hdr.serialize() + payload)
    cluster.handle_message(parsed_hdr, args)


def feed_tuya(
    device: zigpy.device.Device, *datapoints: tuple[int, int, TuyaDPType]
) -> None:
    """Feed Tuya datapoint reports to the device's MCU cluster."""
    payload = tuya_report_payload(
        [tuya_datapoint(dp, value, dp_type) for dp, value, dp_type in datapoints]
    )
    feed(
        device.endpoints[1].in_clusters[0xEF00],
        payload,
        0x02,
        foundation.Direction.Server_to_Client,
    )


def zone_notification(status: int) -> bytes:
    schema = IasZone.ClientCommandDefs.status_change_notification.schema
    return schema(zone_status=status, extended_status=0, zone_id=0, delay=0).serialize()


class EventListener:
    """Collects the ``zha_send_event`` calls a quirk cluster makes."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def zha_send_event(self, command: str, args: Any) -> None:
        self.events.append((command, args))


@pytest.mark.parametrize(
    ("manufacturer", "model", "endpoints"),
    [
        ("HEIMAN", "GASSensor-EM", HEIMAN_GAS_ENDPOINTS),
        ("HEIMAN", "GAS_V15", HEIMAN_GAS_ENDPOINTS),
        ("HEIMAN", "WaterSensor-EM", IAS_ZONE_ENDPOINTS),
        ("HEIMAN", "WaterSensor-EF-3.0", IAS_ZONE_ENDPOINTS),
        ("HEIMAN", "SOS-EM", IAS_ZONE_ENDPOINTS),
        ("HEIMAN", "SOS-EF-3.0", IAS_ZONE_ENDPOINTS),
        ("_TZ3000_fsiepnrh", "TS0215A", TUYA_SOS_ENDPOINTS),
        ("_TZE200_iuk8kupi", "TS0601", TUYA_TS0601_ENDPOINTS),
        ("_TZE200_mby4kbtq", "TS0601", TUYA_TS0601_ENDPOINTS),
        ("_TZE204_chbyv06x", "TS0601", TUYA_TS0601_ENDPOINTS),
        ("_TZE200_ggev5fsl", "TS0601", TUYA_TS0601_ENDPOINTS),
        ("_TZE204_uo8qcagc", "TS0601", TUYA_TS0601_ENDPOINTS),
        ("_TZE200_0zaf1cr8", "TS0601", TUYA_TS0601_ENDPOINTS),
    ],
)
async def test_signature_resolves_to_our_quirk(
    app: FakeRadioApp, manufacturer: str, model: str, endpoints: Endpoints
) -> None:
    quirked(app, manufacturer, model, endpoints)


async def test_unrelated_devices_are_left_alone(app: FakeRadioApp) -> None:
    for manufacturer, model in (
        ("HEIMAN", "SmokeSensor-EM"),
        ("_TZE284_0zaf1cr8", "TS0601"),
    ):
        device = DEVICE_REGISTRY.resolve(
            raw_device(app, manufacturer, model, TUYA_TS0601_ENDPOINTS)
        )
        entry = getattr(device, QUIRK_REGISTRY_ENTRY_ATTR, None)
        assert entry is None or Path(entry.source.file).parent != QUIRKS_PATH


async def test_heiman_gas_definition_uses_gas_class(app: FakeRadioApp) -> None:
    device = quirked(app, "HEIMAN", "GASSensor-EM", HEIMAN_GAS_ENDPOINTS)
    entry = getattr(device, QUIRK_REGISTRY_ENTRY_ATTR)
    definition = entry.zha_device_factory.quirk_definition
    classes = {
        meta.unique_id_suffix: meta.device_class for meta in definition.entity_metadata
    }
    assert classes == {
        "zone_gas": "gas",
        "zone_tamper": "tamper",
        "zone_battery_low": "battery",
    }
    gas = next(
        meta
        for meta in definition.entity_metadata
        if meta.unique_id_suffix == "zone_gas"
    )
    assert gas.primary
    assert gas.attribute_converter(ALARM_1 | IasZone.ZoneStatus.Battery)
    assert not gas.attribute_converter(IasZone.ZoneStatus.Tamper)


async def test_heiman_sos_press_is_an_event_and_a_trigger(app: FakeRadioApp) -> None:
    device = quirked(app, "HEIMAN", "SOS-EM", IAS_ZONE_ENDPOINTS)
    assert device.device_automation_triggers == {
        ("emergency", "button"): {"command": "emergency"}
    }
    zone = device.endpoints[1].ias_zone
    listener = EventListener()
    zone.add_listener(listener)
    feed(zone, zone_notification(ALARM_1), 0x00, foundation.Direction.Server_to_Client)
    feed(
        zone,
        zone_notification(IasZone.ZoneStatus.Battery),
        0x00,
        foundation.Direction.Server_to_Client,
    )
    feed(
        zone,
        zone_notification(ALARM_1 | IasZone.ZoneStatus.Tamper),
        0x00,
        foundation.Direction.Server_to_Client,
    )
    assert listener.events == [
        ("emergency", {"zone_status": 1}),
        ("emergency", {"zone_status": 5}),
    ]


async def test_tuya_sos_emergency_is_an_event(app: FakeRadioApp) -> None:
    device = quirked(app, "_TZ3000_fsiepnrh", "TS0215A", TUYA_SOS_ENDPOINTS)
    assert device.device_automation_triggers == {
        ("emergency", "button"): {"command": "emergency"}
    }
    ace = device.endpoints[1].out_clusters[IasAce.cluster_id]
    listener = EventListener()
    ace.add_listener(listener)
    for command in ("emergency", "panic", "fire"):
        feed(
            ace,
            b"",
            getattr(IasAce.ServerCommandDefs, command).id,
            foundation.Direction.Client_to_Server,
        )
    assert [command for command, _ in listener.events] == ["emergency", "panic", "fire"]


@pytest.mark.parametrize("manufacturer", ["_TZE200_iuk8kupi", "_TZE204_iuk8kupi"])
async def test_tuya_gas_co_datapoints(app: FakeRadioApp, manufacturer: str) -> None:
    device = quirked(app, manufacturer, "TS0601", TUYA_TS0601_ENDPOINTS)
    gas_zone = device.endpoints[1].ias_zone
    mcu = device.endpoints[1].in_clusters[0xEF00]
    assert gas_zone.get("zone_type") == IasZone.ZoneType.Carbon_Monoxide_Sensor
    assert set(device.endpoints) == {0, 1}

    feed_tuya(device, (1, 0, TuyaDPType.ENUM))
    assert gas_zone.get("zone_status") == ALARM_1
    assert not mcu.get("co_detected")

    feed_tuya(
        device,
        (1, 1, TuyaDPType.ENUM),
        (18, 0, TuyaDPType.ENUM),
        (19, 4250, TuyaDPType.VALUE),
    )
    assert gas_zone.get("zone_status") == 0
    assert mcu.get("co_detected")
    assert mcu.get("co") == 4250
    feed_tuya(device, (18, 1, TuyaDPType.ENUM))
    assert not mcu.get("co_detected")


async def test_tuya_gas_4_datapoints(app: FakeRadioApp) -> None:
    device = quirked(app, "_TZE200_mby4kbtq", "TS0601", TUYA_TS0601_ENDPOINTS)
    mcu = device.endpoints[1].in_clusters[0xEF00]
    feed_tuya(
        device,
        (1, 0, TuyaDPType.ENUM),
        (2, 153, TuyaDPType.VALUE),
        (10, 1, TuyaDPType.BOOL),
        (11, 1, TuyaDPType.BOOL),
    )
    assert device.endpoints[1].ias_zone.get("zone_status") == ALARM_1
    assert mcu.get("lower_explosive_limit") == 153
    assert mcu.get("preheat_active")
    assert mcu.get("fault_alarm")


@pytest.mark.parametrize(
    "manufacturer", ["_TZE204_chbyv06x", "_TZE200_ggev5fsl", "_TZE204_uo8qcagc"]
)
async def test_lel_family_alarm_is_a_gas_zone(
    app: FakeRadioApp, manufacturer: str
) -> None:
    device = quirked(app, manufacturer, "TS0601", TUYA_TS0601_ENDPOINTS)
    zone = device.endpoints[1].ias_zone
    assert zone.get("zone_type") == IasZone.ZoneType.Carbon_Monoxide_Sensor
    feed_tuya(device, (1, 0, TuyaDPType.ENUM))
    assert zone.get("zone_status") == ALARM_1
    feed_tuya(device, (1, 1, TuyaDPType.ENUM))
    assert zone.get("zone_status") == 0


async def test_tuya_smoke_0zaf1cr8(app: FakeRadioApp) -> None:
    device = quirked(app, "_TZE200_0zaf1cr8", "TS0601", TUYA_TS0601_ENDPOINTS)
    feed_tuya(
        device,
        (1, 0, TuyaDPType.ENUM),
        (14, 1, TuyaDPType.BOOL),
        (15, 40, TuyaDPType.VALUE),
    )
    endpoint = device.endpoints[1]
    assert endpoint.ias_zone.get("zone_type") == IasZone.ZoneType.Fire_Sensor
    assert endpoint.ias_zone.get("zone_status") == ALARM_1
    assert endpoint.in_clusters[0xEF00].get("battery_low")
    assert endpoint.power.get("battery_percentage_remaining") == 80


def test_register_quirks_is_idempotent() -> None:
    before = sum(1 for _ in DEVICE_REGISTRY)
    assert register_quirks() == tuple(
        f"custom_components.smart_community.zigbee.quirks.{name}"
        for name in QUIRK_MODULES
    )
    assert sum(1 for _ in DEVICE_REGISTRY) == before


@pytest.fixture
def isolated_registry() -> Iterator[None]:
    """Restore ZHA's registry and the top-level module names ZHA's loader adds."""
    saved_modules: Mapping[str, Any] = {
        name: sys.modules.get(name) for name in QUIRK_MODULES
    }
    with DEVICE_REGISTRY.preserve_state():
        yield
    for name, module in saved_modules.items():
        if module is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = module


@pytest.mark.usefixtures("isolated_registry")
async def test_custom_quirks_path_loads_every_module(app: FakeRadioApp) -> None:
    zhaquirks.setup(str(QUIRKS_PATH))
    for name in QUIRK_MODULES:
        assert importlib.util.find_spec(name) is not None
        assert Path(sys.modules[name].__file__).parent == QUIRKS_PATH
    device = DEVICE_REGISTRY.resolve(
        raw_device(app, "_TZE204_chbyv06x", "TS0601", TUYA_TS0601_ENDPOINTS)
    )
    entry = getattr(device, QUIRK_REGISTRY_ENTRY_ATTR)
    assert entry.source.module == "tuya_gas"
    assert Path(entry.source.file).parent == QUIRKS_PATH
