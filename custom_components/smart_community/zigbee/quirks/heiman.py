"""Heiman safety sensors that ZHA misreads without a quirk.

- HS1CG combustible gas (``GASSensor-EM``, ``GAS_V15`` and the ``-EF-3.0`` revisions): the
  sensor reports the Carbon_Monoxide_Sensor zone type (ZCL has no gas zone type), so ZHA shows a
  CO alarm. This quirk replaces the generic zone entity with a ``gas`` one.
- HS1WL water leak (``WaterSensor-EM``, ``WaterSensor-EF-3.0``): the generic entity only gets the
  moisture class if the zone type was read while the sleepy sensor was awake during pairing; this
  quirk fixes the class and exposes tamper and low battery from the zone status.
- HS1EB SOS button (``SOS-EM``, ``SOS-EF-3.0``): the button raises Alarm_1 and never clears it, so
  a binary sensor would stay on forever. Each press becomes a ``zha_event`` with command
  ``emergency`` and an ``emergency`` device trigger instead.

Signatures (endpoint 1, profile 260, device type 0x0402 IAS zone) from zigbee2mqtt and ZHA issue
threads: gas ``in [0x0000, 0x0003, 0x0009, 0x0500] out [0x0003, 0x0019]``; water and SOS
``in [0x0000, 0x0001, 0x0003, 0x0500] out [0x0019]``.
"""

from typing import Any, Final

from zha.application.platforms.binary_sensor import IASZone
from zhaquirks.builder import BinarySensorDeviceClass, EntityType, QuirkBuilder
from zhaquirks.clusters import CustomCluster
from zigpy.zcl import foundation
from zigpy.zcl.clusters.security import IasZone

HEIMAN: Final = "HEIMAN"
EMERGENCY: Final = "emergency"
GAS_MODELS: Final = ("GASSensor-EM", "GAS_V15", "GASSensor-EF-3.0", "GASSensor-EFR-3.0")
WATER_MODELS: Final = ("WaterSensor-EM", "WaterSensor-EF-3.0")
SOS_MODELS: Final = ("SOS-EM", "SOS-EF-3.0")

_ALARM_BITS: Final = IasZone.ZoneStatus.Alarm_1 | IasZone.ZoneStatus.Alarm_2
_STATUS_CHANGE: Final = IasZone.ClientCommandDefs.status_change_notification.id


def _alarm(value: Any) -> bool:
    """Return whether a zone status word has Alarm_1 or Alarm_2 set."""
    return bool(int(value) & _ALARM_BITS)


def _tamper(value: Any) -> bool:
    """Return whether a zone status word has the tamper bit set."""
    return bool(int(value) & IasZone.ZoneStatus.Tamper)


def _battery_low(value: Any) -> bool:
    """Return whether a zone status word has the low-battery bit set."""
    return bool(int(value) & IasZone.ZoneStatus.Battery)


def _is_generic_ias_zone(entity: Any) -> bool:
    """Return whether an entity is ZHA's generic IAS zone binary sensor."""
    return isinstance(entity, IASZone)


class HeimanSosZone(CustomCluster, IasZone):  # type: ignore[misc]
    """IAS zone of the HS1EB button: turns each alarm notification into a press event."""

    def handle_cluster_request(
        self,
        hdr: foundation.ZCLHeader,
        args: list[Any],
        *,
        dst_addressing: Any = None,
    ) -> None:
        """Emit an ``emergency`` event for a status change notification that raises an alarm."""
        if (
            hdr.command_id == _STATUS_CHANGE
            and hdr.direction == foundation.Direction.Server_to_Client
            and args
            and _alarm(args[0])
        ):
            self.listener_event(
                "zha_send_event", EMERGENCY, {"zone_status": int(args[0])}
            )
        super().handle_cluster_request(hdr, args, dst_addressing=dst_addressing)


def _builder(models: tuple[str, ...]) -> QuirkBuilder:
    """Return a builder matching HEIMAN with the given models, zone bits exposed."""
    builder = QuirkBuilder(HEIMAN, models[0])
    for model in models[1:]:
        builder.applies_to(HEIMAN, model)
    return (
        builder.prevent_default_entity_creation(
            endpoint_id=1, function=_is_generic_ias_zone
        )
        .binary_sensor(
            IasZone.AttributeDefs.zone_status.name,
            IasZone.cluster_id,
            device_class=BinarySensorDeviceClass.TAMPER,
            attribute_converter=_tamper,
            unique_id_suffix="zone_tamper",
            fallback_name="Tamper",
        )
        .binary_sensor(
            IasZone.AttributeDefs.zone_status.name,
            IasZone.cluster_id,
            device_class=BinarySensorDeviceClass.BATTERY,
            attribute_converter=_battery_low,
            unique_id_suffix="zone_battery_low",
            fallback_name="Battery low",
        )
    )


(
    _builder(GAS_MODELS)
    .binary_sensor(
        IasZone.AttributeDefs.zone_status.name,
        IasZone.cluster_id,
        entity_type=EntityType.STANDARD,
        device_class=BinarySensorDeviceClass.GAS,
        attribute_converter=_alarm,
        unique_id_suffix="zone_gas",
        fallback_name="Gas",
        primary=True,
    )
    .add_to_registry()
)

(
    _builder(WATER_MODELS)
    .binary_sensor(
        IasZone.AttributeDefs.zone_status.name,
        IasZone.cluster_id,
        entity_type=EntityType.STANDARD,
        device_class=BinarySensorDeviceClass.MOISTURE,
        attribute_converter=_alarm,
        unique_id_suffix="zone_moisture",
        fallback_name="Water leak",
        primary=True,
    )
    .add_to_registry()
)

(
    _builder(SOS_MODELS)
    .replaces(HeimanSosZone)
    .device_automation_triggers({(EMERGENCY, "button"): {"command": EMERGENCY}})
    .add_to_registry()
)
