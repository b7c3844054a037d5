"""Tests for the pure IAS ZoneStatus decoder and zone-type mapping."""

from hypothesis import given, strategies as st
import pytest
from zigpy.zcl.clusters.security import IasZone

from custom_components.smart_community.core.alarm import AlarmKind
from custom_components.smart_community.zigbee.ias import (
    MaintenanceIssue,
    ZoneStatus,
    ZoneStatusBit,
    ZoneType,
    alarm_kind,
)

words = st.integers(min_value=0, max_value=0xFFFF)


def test_bits_match_zigpy() -> None:
    zigpy_bits = {
        "ALARM_1": IasZone.ZoneStatus.Alarm_1,
        "ALARM_2": IasZone.ZoneStatus.Alarm_2,
        "TAMPER": IasZone.ZoneStatus.Tamper,
        "BATTERY_LOW": IasZone.ZoneStatus.Battery,
        "SUPERVISION_REPORTS": IasZone.ZoneStatus.Supervision_reports,
        "RESTORE_REPORTS": IasZone.ZoneStatus.Restore_reports,
        "TROUBLE": IasZone.ZoneStatus.Trouble,
        "AC_FAULT": IasZone.ZoneStatus.AC_mains,
        "TEST": IasZone.ZoneStatus.Test,
        "BATTERY_DEFECT": IasZone.ZoneStatus.Battery_Defect,
    }
    assert {bit.name: int(bit) for bit in ZoneStatusBit} == {
        k: int(v) for k, v in zigpy_bits.items()
    }


def test_zone_types_match_zigpy() -> None:
    for zone_type in ZoneType:
        assert int(IasZone.ZoneType(int(zone_type))) == int(zone_type)


@given(words)
def test_decode_encode_round_trip(value: int) -> None:
    assert ZoneStatus.decode(value).encode() == value


@given(words)
def test_alarm_is_bit_0_or_1_like_zha(value: int) -> None:
    assert ZoneStatus.decode(value).alarm is bool(value & 0b11)


@given(words)
def test_each_flag_reflects_its_bit(value: int) -> None:
    status = ZoneStatus.decode(value)
    assert status.alarm1 is bool(value & 0x1)
    assert status.alarm2 is bool(value & 0x2)
    assert status.tamper is bool(value & 0x4)
    assert status.battery_low is bool(value & 0x8)
    assert status.supervision is bool(value & 0x10)
    assert status.restore is bool(value & 0x20)
    assert status.trouble is bool(value & 0x40)
    assert status.ac_fault is bool(value & 0x80)
    assert status.test is bool(value & 0x100)
    assert status.battery_defect is bool(value & 0x200)


@given(words)
def test_maintenance_issues_never_include_alarm_or_reporting_bits(value: int) -> None:
    issues = ZoneStatus.decode(value).maintenance_issues
    expected = {
        MaintenanceIssue.TAMPER: 0x4,
        MaintenanceIssue.BATTERY_LOW: 0x8,
        MaintenanceIssue.TROUBLE: 0x40,
        MaintenanceIssue.AC_FAULT: 0x80,
        MaintenanceIssue.BATTERY_DEFECT: 0x200,
    }
    assert issues == {issue for issue, bit in expected.items() if value & bit}
    assert ZoneStatus.decode(value & 0x133).maintenance_issues == frozenset()


def test_tamper_and_low_battery_example() -> None:
    status = ZoneStatus.decode(0x000D)
    assert status.alarm
    assert status.maintenance_issues == {
        MaintenanceIssue.TAMPER,
        MaintenanceIssue.BATTERY_LOW,
    }


@pytest.mark.parametrize("value", [-1, 0x10000])
def test_rejects_values_outside_16_bits(value: int) -> None:
    with pytest.raises(ValueError, match="16 bits"):
        ZoneStatus.decode(value)


@pytest.mark.parametrize(
    ("zone_type", "device_class", "kind"),
    [
        (0x0028, None, AlarmKind.SMOKE),
        (0x002A, None, AlarmKind.LEAK),
        (0x002B, None, AlarmKind.CO),
        (0x002B, "gas", AlarmKind.GAS),
        (0x002B, "carbon_monoxide", AlarmKind.CO),
        (0x002C, None, AlarmKind.SOS),
        (0x0115, None, AlarmKind.SOS),
        (0x010F, None, AlarmKind.SOS),
        (0x021D, None, AlarmKind.SOS),
        (0x0225, "gas", AlarmKind.GAS),
        (None, "moisture", AlarmKind.LEAK),
        (0x000D, None, None),
        (0x0015, "opening", None),
        (None, None, None),
    ],
)
def test_alarm_kind(
    zone_type: int | None, device_class: str | None, kind: AlarmKind | None
) -> None:
    assert alarm_kind(zone_type, device_class) is kind
