"""Tuya TS0601 smoke detector ``_TZE200_0zaf1cr8`` that the upstream quirk misses.

zha-quirks lists this model as ``"TZE200_0zaf1cr8"`` (no leading underscore), which matches no
real device, so the detector pairs without any smoke entity. Datapoints as upstream: 1 smoke
(enum, 0 = alarm), 14 battery low, 15 battery percentage (one CR123A). Signature: endpoint 1
``in [0x0000, 0x0004, 0x0005, 0xEF00] out [0x000A, 0x0019]``.
"""

from typing import Final

from zhaquirks.builder import BinarySensorDeviceClass, EntityType
from zhaquirks.const import BatterySize
from zhaquirks.tuya.builder import TuyaQuirkBuilder

MANUFACTURER: Final = "_TZE200_0zaf1cr8"
MODEL: Final = "TS0601"

_builder = TuyaQuirkBuilder(MANUFACTURER, MODEL)
# TuyaQuirkBuilder records its own module as the quirk's; name this one instead.
_builder.quirk_module = __name__
(
    _builder.tuya_smoke(dp_id=1)
    .tuya_binary_sensor(
        dp_id=14,
        attribute_name="battery_low",
        device_class=BinarySensorDeviceClass.BATTERY,
        entity_type=EntityType.DIAGNOSTIC,
        fallback_name="Battery low",
    )
    .tuya_battery(dp_id=15, battery_type=BatterySize.CR123A, battery_qty=1)
    .skip_configuration()
    .add_to_registry()
)
