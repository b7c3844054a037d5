"""Community sensors: the alarm board and each household's status."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, UnitOfTime

from ..core.alarm import AlarmStatus
from .entity import CommunityEntity
from .runtime import Community, HouseholdRecord

HOUSEHOLD_SAFE = "safe"
HOUSEHOLD_ALARM = "alarm"
HOUSEHOLD_ACKNOWLEDGED = "acknowledged"
HOUSEHOLD_ARRIVED = "arrived"


@dataclass(frozen=True, kw_only=True)
class CommunitySensorDescription(SensorEntityDescription):
    """Describes a sensor of the community device."""

    value_fn: Callable[[Community], int | float | None]
    attributes_fn: Callable[[Community], dict[str, Any]] | None = None


BOARD_ATTRIBUTE_LIMIT = 100


def _board(community: Community) -> dict[str, Any]:
    # Unacknowledged first, oldest first; the attribute stays small on a busy night.
    active = sorted(
        community.board.active,
        key=lambda alarm: (alarm.status is not AlarmStatus.RAISED, alarm.raised_at),
    )
    alarms = []
    for alarm in active[:BOARD_ATTRIBUTE_LIMIT]:
        record = community.household(alarm.source)
        alarms.append(
            {
                "alarm_id": alarm.alarm_id,
                "household": record.name if record else alarm.source,
                "address": record.address if record else alarm.source,
                "contacts": list(record.contacts) if record else [],
                "kind": alarm.kind.value,
                "status": alarm.status.value,
                "raised_at": alarm.raised_at,
                "acknowledged_by": alarm.acknowledged_by,
                "arrived_by": alarm.arrived_by,
                "escalation_level": alarm.escalation_level,
            }
        )
    return {"alarms": alarms, "more": max(0, len(active) - BOARD_ATTRIBUTE_LIMIT)}


def _last_announcement(community: Community) -> dict[str, Any]:
    deliveries = community.desk.announcements.deliveries
    if not deliveries:
        return {}
    delivery = deliveries[-1]
    progress = delivery.progress
    return {
        "announcement_id": delivery.announcement.announcement_id,
        "message_zh": delivery.announcement.text_zh,
        "message_en": delivery.announcement.text_en,
        "targeted": progress.targeted,
        "ignored": progress.ignored,
        "pending": sorted(delivery.pending),
    }


def _delivered(community: Community) -> int | None:
    deliveries = community.desk.announcements.deliveries
    return deliveries[-1].progress.delivered if deliveries else None


def _metric(metric: str, field: str) -> Callable[[Community], float | None]:
    def value(community: Community) -> float | None:
        report = community.desk.report
        if report is None:
            return None
        result: float | None = getattr(getattr(report, metric), field)
        return None if result is None else round(result, 1)

    return value


def _within(comparison: str) -> Callable[[Community], float | None]:
    def value(community: Community) -> float | None:
        report = community.desk.report
        if report is None:
            return None
        percent: float | None = getattr(report, comparison).percent
        return None if percent is None else round(percent, 1)

    return value


def _report_attributes(community: Community) -> dict[str, Any]:
    report = community.desk.report
    if report is None:
        return {}
    return {
        "alarms": report.alarms,
        "callback_target_s": report.callback.target,
        "arrival_target_s": report.arrival.target,
    }


def _response_time(key: str, metric: str, field: str) -> CommunitySensorDescription:
    return CommunitySensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_unit_of_measurement=UnitOfTime.MINUTES,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_metric(metric, field),
        attributes_fn=_report_attributes,
    )


COMMUNITY_SENSORS: tuple[CommunitySensorDescription, ...] = (
    _response_time("acknowledge_median", "acknowledge", "median"),
    _response_time("acknowledge_p90", "acknowledge", "p90"),
    _response_time("arrive_median", "arrive", "median"),
    _response_time("arrive_p90", "arrive", "p90"),
    _response_time("resolve_median", "resolve", "median"),
    _response_time("resolve_p90", "resolve", "p90"),
    CommunitySensorDescription(
        key="callback_within_target",
        translation_key="callback_within_target",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_within("callback"),
    ),
    CommunitySensorDescription(
        key="arrival_within_target",
        translation_key="arrival_within_target",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_within("arrival"),
    ),
    CommunitySensorDescription(
        key="announcement_delivered",
        translation_key="announcement_delivered",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_delivered,
        attributes_fn=_last_announcement,
    ),
    CommunitySensorDescription(
        key="active_alarms",
        translation_key="board_active_alarms",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda community: len(community.board.active),
        attributes_fn=_board,
    ),
    CommunitySensorDescription(
        key="unacknowledged_alarms",
        translation_key="board_unacknowledged_alarms",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda community: sum(
            1 for alarm in community.board.active if alarm.status is AlarmStatus.RAISED
        ),
    ),
)

HOUSEHOLD_STATUS = SensorEntityDescription(
    key="status",
    translation_key="household_status",
    device_class=SensorDeviceClass.ENUM,
    options=[
        HOUSEHOLD_SAFE,
        HOUSEHOLD_ALARM,
        HOUSEHOLD_ACKNOWLEDGED,
        HOUSEHOLD_ARRIVED,
    ],
)


class CommunitySensor(CommunityEntity, SensorEntity):
    """A sensor of the community device."""

    entity_description: CommunitySensorDescription

    @property
    def native_value(self) -> int | float | None:
        """Return the value."""
        return self.entity_description.value_fn(self.community)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the board's details where the sensor has them."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.community)


class HouseholdStatusSensor(CommunityEntity, SensorEntity):
    """A household's status as the duty room sees it."""

    record: HouseholdRecord

    @property
    def native_value(self) -> str:
        """Return safe, alarm, acknowledged or arrived."""
        alarms = self.community.alarms_of(self.record.household_id)
        if not alarms:
            return HOUSEHOLD_SAFE
        if any(alarm.status is AlarmStatus.RAISED for alarm in alarms):
            return HOUSEHOLD_ALARM
        if all(alarm.arrived_at is not None for alarm in alarms):
            return HOUSEHOLD_ARRIVED
        return HOUSEHOLD_ACKNOWLEDGED

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the address, contacts and active alarms."""
        alarms = self.community.alarms_of(self.record.household_id)
        return {
            "address": self.record.address,
            "contacts": list(self.record.contacts),
            "alarm_ids": [alarm.alarm_id for alarm in alarms],
            "kinds": [alarm.kind.value for alarm in alarms],
        }


def community_sensors(community: Community) -> list[CommunitySensor]:
    """Return the sensors of the community device."""
    return [
        CommunitySensor(community, description) for description in COMMUNITY_SENSORS
    ]


def household_sensors(
    community: Community, record: HouseholdRecord
) -> list[SensorEntity]:
    """Return the sensors of one household's device."""
    return [HouseholdStatusSensor(community, HOUSEHOLD_STATUS, record)]
