"""Decode IAS Zone (ZCL cluster 0x0500) status words and map zone types to alarm kinds.

Pure Python: no Home Assistant or zigpy import. The bit values follow the ZCL specification
(and zigpy's ``IasZone.ZoneStatus``); the tests check both agree.
"""

from dataclasses import dataclass
from enum import IntEnum, IntFlag, StrEnum
from typing import Final, Self

from ..core.alarm import AlarmKind


class ZoneStatusBit(IntFlag):
    """Bits of the 16-bit IAS ZoneStatus attribute."""

    ALARM_1 = 0x0001
    ALARM_2 = 0x0002
    TAMPER = 0x0004
    BATTERY_LOW = 0x0008
    SUPERVISION_REPORTS = 0x0010
    RESTORE_REPORTS = 0x0020
    TROUBLE = 0x0040
    AC_FAULT = 0x0080
    TEST = 0x0100
    BATTERY_DEFECT = 0x0200


class ZoneType(IntEnum):
    """IAS zone types relevant to household safety (ZCL values)."""

    STANDARD_CIE = 0x0000
    MOTION_SENSOR = 0x000D
    CONTACT_SWITCH = 0x0015
    FIRE_SENSOR = 0x0028
    WATER_SENSOR = 0x002A
    CARBON_MONOXIDE_SENSOR = 0x002B
    PERSONAL_EMERGENCY_DEVICE = 0x002C
    VIBRATION_MOVEMENT_SENSOR = 0x002D
    REMOTE_CONTROL = 0x010F
    KEY_FOB = 0x0115
    KEY_PAD = 0x021D
    STANDARD_WARNING_DEVICE = 0x0225
    GLASS_BREAK_SENSOR = 0x0226


class MaintenanceIssue(StrEnum):
    """A condition a zone reports that needs a visit, not an evacuation."""

    TAMPER = "tamper"
    BATTERY_LOW = "battery_low"
    BATTERY_DEFECT = "battery_defect"
    TROUBLE = "trouble"
    AC_FAULT = "ac_fault"


ZONE_STATUS_MAX: Final = 0xFFFF

_ISSUE_BITS: Final[tuple[tuple[ZoneStatusBit, MaintenanceIssue], ...]] = (
    (ZoneStatusBit.TAMPER, MaintenanceIssue.TAMPER),
    (ZoneStatusBit.BATTERY_LOW, MaintenanceIssue.BATTERY_LOW),
    (ZoneStatusBit.BATTERY_DEFECT, MaintenanceIssue.BATTERY_DEFECT),
    (ZoneStatusBit.TROUBLE, MaintenanceIssue.TROUBLE),
    (ZoneStatusBit.AC_FAULT, MaintenanceIssue.AC_FAULT),
)

_ZONE_TYPE_KINDS: Final[dict[int, AlarmKind]] = {
    ZoneType.FIRE_SENSOR: AlarmKind.SMOKE,
    ZoneType.WATER_SENSOR: AlarmKind.LEAK,
    ZoneType.CARBON_MONOXIDE_SENSOR: AlarmKind.CO,
    ZoneType.PERSONAL_EMERGENCY_DEVICE: AlarmKind.SOS,
    ZoneType.REMOTE_CONTROL: AlarmKind.SOS,
    ZoneType.KEY_FOB: AlarmKind.SOS,
    ZoneType.KEY_PAD: AlarmKind.SOS,
}

# Home Assistant binary_sensor device classes (plain strings, no HA import here).
_DEVICE_CLASS_KINDS: Final[dict[str, AlarmKind]] = {
    "smoke": AlarmKind.SMOKE,
    "gas": AlarmKind.GAS,
    "carbon_monoxide": AlarmKind.CO,
    "moisture": AlarmKind.LEAK,
}


@dataclass(frozen=True, slots=True)
class ZoneStatus:
    """A decoded IAS ZoneStatus word."""

    raw: int
    alarm1: bool
    alarm2: bool
    tamper: bool
    battery_low: bool
    supervision: bool
    restore: bool
    trouble: bool
    ac_fault: bool
    test: bool
    battery_defect: bool

    @classmethod
    def decode(cls, value: int) -> Self:
        """Decode a ZoneStatus attribute or status-change-notification value."""
        if not 0 <= value <= ZONE_STATUS_MAX:
            raise ValueError(f"IAS ZoneStatus must fit in 16 bits, got {value}")
        bits = ZoneStatusBit(value & sum(ZoneStatusBit))
        return cls(
            raw=value,
            alarm1=ZoneStatusBit.ALARM_1 in bits,
            alarm2=ZoneStatusBit.ALARM_2 in bits,
            tamper=ZoneStatusBit.TAMPER in bits,
            battery_low=ZoneStatusBit.BATTERY_LOW in bits,
            supervision=ZoneStatusBit.SUPERVISION_REPORTS in bits,
            restore=ZoneStatusBit.RESTORE_REPORTS in bits,
            trouble=ZoneStatusBit.TROUBLE in bits,
            ac_fault=ZoneStatusBit.AC_FAULT in bits,
            test=ZoneStatusBit.TEST in bits,
            battery_defect=ZoneStatusBit.BATTERY_DEFECT in bits,
        )

    @property
    def alarm(self) -> bool:
        """Return whether the zone is alarming (Alarm_1 or Alarm_2, as ZHA reads it)."""
        return self.alarm1 or self.alarm2

    @property
    def maintenance_issues(self) -> frozenset[MaintenanceIssue]:
        """Return the maintenance conditions this status reports."""
        return frozenset(issue for bit, issue in _ISSUE_BITS if self.raw & bit)

    def encode(self) -> int:
        """Return the status word with every known bit taken from the flags."""
        flags = (
            (self.alarm1, ZoneStatusBit.ALARM_1),
            (self.alarm2, ZoneStatusBit.ALARM_2),
            (self.tamper, ZoneStatusBit.TAMPER),
            (self.battery_low, ZoneStatusBit.BATTERY_LOW),
            (self.supervision, ZoneStatusBit.SUPERVISION_REPORTS),
            (self.restore, ZoneStatusBit.RESTORE_REPORTS),
            (self.trouble, ZoneStatusBit.TROUBLE),
            (self.ac_fault, ZoneStatusBit.AC_FAULT),
            (self.test, ZoneStatusBit.TEST),
            (self.battery_defect, ZoneStatusBit.BATTERY_DEFECT),
        )
        unknown = self.raw & ~sum(ZoneStatusBit) & ZONE_STATUS_MAX
        return unknown | sum(int(bit) for is_set, bit in flags if is_set)


def alarm_kind(
    zone_type: int | None, device_class: str | None = None
) -> AlarmKind | None:
    """Return the alarm kind for a zone, preferring the entity's device class.

    The device class wins because combustible-gas sensors report the carbon-monoxide zone type
    (ZCL has no gas zone type); the quirks in this package give them the ``gas`` class.
    """
    if device_class is not None and device_class in _DEVICE_CLASS_KINDS:
        return _DEVICE_CLASS_KINDS[device_class]
    if zone_type is None:
        return None
    return _ZONE_TYPE_KINDS.get(zone_type)
