"""Duty-room buttons on each household's device: acknowledge, arrived, resolve."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.exceptions import ServiceValidationError

from ..const import DOMAIN
from .entity import CommunityEntity
from .runtime import Community, HouseholdRecord


@dataclass(frozen=True, kw_only=True)
class DutyButtonDescription(ButtonEntityDescription):
    """Describes a duty-room button."""

    press_fn: Callable[[Community, str, str | None], Awaitable[object]]


DUTY_BUTTONS: tuple[DutyButtonDescription, ...] = (
    DutyButtonDescription(
        key="acknowledge",
        translation_key="acknowledge",
        press_fn=lambda community, alarm_id, by: community.async_acknowledge(
            alarm_id, by
        ),
    ),
    DutyButtonDescription(
        key="arrived",
        translation_key="arrived",
        press_fn=lambda community, alarm_id, by: community.async_mark_arrived(
            alarm_id, by
        ),
    ),
    DutyButtonDescription(
        key="resolve",
        translation_key="resolve",
        press_fn=lambda community, alarm_id, by: community.async_resolve(alarm_id, by),
    ),
)


class DutyButton(CommunityEntity, ButtonEntity):
    """Acts on every active alarm of the household."""

    entity_description: DutyButtonDescription
    record: HouseholdRecord

    async def async_press(self) -> None:
        """Apply the button's verb to the household's active alarms."""
        alarms = self.community.alarms_of(self.record.household_id)
        if not alarms:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="no_active_alarm",
            )
        by = await self.community.async_user_name(self._context)
        for alarm in alarms:
            await self.entity_description.press_fn(self.community, alarm.alarm_id, by)


def household_buttons(
    community: Community, record: HouseholdRecord
) -> list[DutyButton]:
    """Return the duty-room buttons of one household's device."""
    return [DutyButton(community, description, record) for description in DUTY_BUTTONS]
