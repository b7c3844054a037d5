"""Tuya TS0601 gas detectors whose alarm ZHA shows wrongly or not at all.

- ``_TZE200_iuk8kupi`` / ``_TZE204_iuk8kupi`` (DCR-RQJ, gas + CO in one case, zha-device-handlers
  #2474): no upstream quirk. Datapoints (zigbee2mqtt ``TS0601_gas_2in1``): 1 gas state (enum,
  0 = alarm), 18 CO state (enum, 0 = alarm), 19 CO in ppm x 100. Gas goes on endpoint 1, CO on an
  added endpoint 2 so each has its own IAS zone.
- ``_TZE200_mby4kbtq`` / ``_TZE204_mby4kbtq`` (#2353): no upstream quirk. Datapoints
  (``TS0601_gas_sensor_4``): 1 gas (enum, 0 = alarm), 2 LEL % x 10, 10 preheat, 11 fault,
  13 alarm switch, 16 silence.
- The combustible-gas (LEL) family (``_TZE200_yojqa8xn``, ``_TZE204_chbyv06x``, ...): upstream maps
  the alarm to a Standard_Warning_Device zone, which ZHA shows without any device class. These
  re-registrations keep the upstream datapoints and show the alarm as ``gas``.

All share the Tuya signature: endpoint 1 ``in [0x0000, 0x0004, 0x0005, 0xEF00]
out [0x000A, 0x0019]`` and the green-power endpoint 242.
"""

from typing import Any, Final

from zha.application.platforms.binary_sensor import IASZone
from zhaquirks.builder import (
    CONCENTRATION_PARTS_PER_MILLION,
    BinarySensorDeviceClass,
    EntityPlatform,
    EntityType,
    SensorDeviceClass,
    SensorStateClass,
    UnitOfTime,
)
from zhaquirks.tuya import TUYA_CLUSTER_ID
from zhaquirks.tuya.builder import TuyaIasGas, TuyaQuirkBuilder
import zigpy.types as t
from zigpy.zcl import foundation
from zigpy.zcl.clusters.security import IasZone

TS0601: Final = "TS0601"
GAS_CO_MANUFACTURERS: Final = ("_TZE200_iuk8kupi", "_TZE204_iuk8kupi")
GAS_4_MANUFACTURERS: Final = ("_TZE200_mby4kbtq", "_TZE204_mby4kbtq")
LEL_RINGTONE_MANUFACTURERS: Final = (
    "_TZE200_yojqa8xn",
    "_TZE204_yojqa8xn",
    "_TZE204_zougpkpy",
    "_TZE204_chbyv06x",
    "_TZE284_chbyv06x",
    "_TZE28C1000000_chbyv06x",
)
LEL_FAULT_MANUFACTURERS: Final = (
    "_TZE200_ggev5fsl",
    "_TZE200_u319yc66",
    "_TZE200_kvpwq8z7",
)
LEL_SWITCH_MANUFACTURERS: Final = ("_TZE204_uo8qcagc",)


class SelfTestResult(t.enum8):
    """Result of the detector's self test (datapoint 9)."""

    Checking = 0x00
    Success = 0x01
    Failure = 0x02
    Others = 0x03


class Ringtone(t.enum8):
    """Alarm ringtone (datapoint 6)."""

    Ringtone_01 = 0x00
    Ringtone_02 = 0x01
    Ringtone_03 = 0x02
    Ringtone_04 = 0x03
    Ringtone_05 = 0x04


def _present_when_zero(value: Any) -> int:
    """Map a Tuya gas/CO state datapoint (0 = alarm) to Alarm_1 (also truthy), else 0."""
    return int(IasZone.ZoneStatus.Alarm_1) if int(value) == 0 else 0


def _alarm(value: Any) -> bool:
    """Return whether a zone status word has Alarm_1 or Alarm_2 set."""
    return bool(int(value) & (IasZone.ZoneStatus.Alarm_1 | IasZone.ZoneStatus.Alarm_2))


def _is_generic_ias_zone(entity: Any) -> bool:
    """Return whether an entity is ZHA's generic IAS zone binary sensor."""
    return isinstance(entity, IASZone)


def _gas_builder(manufacturers: tuple[str, ...]) -> TuyaQuirkBuilder:
    """Return a builder with the gas alarm (datapoint 1) as a ``gas`` binary sensor."""
    builder = TuyaQuirkBuilder(manufacturers[0], TS0601)
    # TuyaQuirkBuilder records its own module as the quirk's; name this one instead.
    builder.quirk_module = __name__
    for manufacturer in manufacturers[1:]:
        builder.applies_to(manufacturer, TS0601)
    return (
        builder.tuya_ias(dp_id=1, ias_cfg=TuyaIasGas, converter=_present_when_zero)
        .prevent_default_entity_creation(function=_is_generic_ias_zone)
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
        .skip_configuration()
    )


def _lel_builder(manufacturers: tuple[str, ...]) -> TuyaQuirkBuilder:
    """Return the LEL-family base: gas alarm, self test (8, 9) and silence (16)."""
    return (
        _gas_builder(manufacturers)
        .tuya_switch(
            dp_id=8,
            attribute_name="self_test_switch",
            entity_type=EntityType.STANDARD,
            translation_key="self_test_switch",
            fallback_name="Self test",
        )
        .tuya_enum(
            dp_id=9,
            attribute_name="self_test",
            enum_class=SelfTestResult,
            entity_type=EntityType.DIAGNOSTIC,
            entity_platform=EntityPlatform.SENSOR,
            translation_key="self_test",
            fallback_name="Self test result",
        )
        .tuya_binary_sensor(
            dp_id=16,
            attribute_name="silence_alarm",
            entity_type=EntityType.STANDARD,
            translation_key="silence_alarm",
            fallback_name="Silence alarm",
        )
        .tuya_enchantment()
    )


def _preheat(builder: TuyaQuirkBuilder) -> TuyaQuirkBuilder:
    """Add the preheat datapoint (10)."""
    return builder.tuya_binary_sensor(
        dp_id=10,
        attribute_name="preheat_active",
        entity_type=EntityType.STANDARD,
        translation_key="preheat_active",
        fallback_name="Preheat active",
    )


def _fault(builder: TuyaQuirkBuilder) -> TuyaQuirkBuilder:
    """Add the fault datapoint (11, 1 = fault)."""
    return builder.tuya_binary_sensor(
        dp_id=11,
        attribute_name="fault_alarm",
        device_class=BinarySensorDeviceClass.PROBLEM,
        translation_key="fault_alarm",
        fallback_name="Fault alarm",
    )


def _lel_percent(builder: TuyaQuirkBuilder) -> TuyaQuirkBuilder:
    """Add the concentration datapoint (2, % of the lower explosive limit x 10)."""
    return builder.tuya_sensor(
        dp_id=2,
        attribute_name="lower_explosive_limit",
        type=t.int16s,
        divisor=10,
        state_class=SensorStateClass.MEASUREMENT,
        unit="%LEL",
        translation_key="lower_explosive_limit",
        fallback_name="% Lower explosive limit",
    )


(
    _gas_builder(GAS_CO_MANUFACTURERS)
    .tuya_dp_attribute(
        dp_id=18,
        attribute_name="co_detected",
        type=t.Bool,
        converter=_present_when_zero,
        access=foundation.ZCLAttributeAccess.Read
        | foundation.ZCLAttributeAccess.Report,
    )
    .binary_sensor(
        "co_detected",
        TUYA_CLUSTER_ID,
        entity_type=EntityType.STANDARD,
        device_class=BinarySensorDeviceClass.CO,
        fallback_name="Carbon monoxide",
    )
    .tuya_sensor(
        dp_id=19,
        attribute_name="co",
        type=t.int32s,
        divisor=100,
        device_class=SensorDeviceClass.CO,
        state_class=SensorStateClass.MEASUREMENT,
        unit=CONCENTRATION_PARTS_PER_MILLION,
        fallback_name="CO concentration",
    )
    .add_to_registry()
)

(
    _fault(_preheat(_lel_percent(_gas_builder(GAS_4_MANUFACTURERS))))
    .tuya_switch(
        dp_id=13,
        attribute_name="alarm_switch",
        entity_type=EntityType.STANDARD,
        translation_key="alarm_switch",
        fallback_name="Alarm switch",
    )
    .tuya_binary_sensor(
        dp_id=16,
        attribute_name="silence_alarm",
        entity_type=EntityType.STANDARD,
        translation_key="silence_alarm",
        fallback_name="Silence alarm",
    )
    .tuya_enchantment()
    .add_to_registry()
)

(
    _preheat(_lel_percent(_lel_builder(LEL_RINGTONE_MANUFACTURERS)))
    .tuya_enum(
        dp_id=6,
        attribute_name="alarm_ringtone",
        enum_class=Ringtone,
        translation_key="alarm_ringtone",
        fallback_name="Alarm ringtone",
    )
    .tuya_number(
        dp_id=7,
        attribute_name="alarm_duration",
        min_value=1,
        type=t.uint16_t,
        max_value=180,
        step=1,
        unit=UnitOfTime.SECONDS,
        translation_key="alarm_duration",
        fallback_name="Alarm duration",
    )
    .add_to_registry()
)

_fault(_lel_builder(LEL_FAULT_MANUFACTURERS)).add_to_registry()

(
    _fault(_preheat(_lel_builder(LEL_SWITCH_MANUFACTURERS)))
    .tuya_switch(
        dp_id=13,
        attribute_name="alarm_switch",
        entity_type=EntityType.STANDARD,
        translation_key="alarm_switch",
        fallback_name="Alarm switch",
    )
    .add_to_registry()
)
