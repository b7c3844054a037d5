"""The raise, acknowledge and resolve actions and their errors."""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_community.const import DOMAIN
from custom_components.smart_community.core.alarm import AlarmKind, AlarmStatus
from custom_components.smart_community.household.runtime import Household
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from tests.conftest import Responders


async def _call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def test_raise_acknowledge_resolve(
    hass: HomeAssistant,
    household: Household,
    responders: Responders,
    hass_admin_user: Any,
) -> None:
    """Manual SOS, then acknowledge and resolve it, each recorded with who did it."""
    response = await hass.services.async_call(
        DOMAIN,
        "raise_alarm",
        {"kind": "sos", "message": "Grandma pressed the button", "source": "kitchen"},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.async_block_till_done()
    alarm = household.book.get(response["alarm_id"])
    assert alarm.kind is AlarmKind.SOS
    assert alarm.source == "kitchen"
    assert alarm.raised_by == hass_admin_user.name
    assert "Grandma pressed the button" in responders.announce[0].data["message"]
    assert (
        responders.notified("mobile_app_mum")[0]
        .data["message"]
        .endswith("Grandma pressed the button")
    )

    ack = await _call(hass, "acknowledge_alarm", alarm_id=alarm.alarm_id)
    assert ack == {
        "alarms": [
            {"alarm_id": alarm.alarm_id, "kind": "sos", "status": "acknowledged"}
        ]
    }
    # Acknowledging twice is harmless.
    await _call(hass, "acknowledge_alarm", alarm_id=alarm.alarm_id)
    resolved = await _call(hass, "resolve_alarm")
    assert resolved["alarms"][0]["status"] == "resolved"
    assert alarm.status is AlarmStatus.RESOLVED
    assert hass.states.get("sensor.wang_family_safety_status").state == "safe"
    assert (
        hass.states.get("event.wang_family_alarm").attributes["event_type"]
        == "resolved"
    )


async def test_acknowledge_all_active(
    hass: HomeAssistant, household: Household, responders: Responders
) -> None:
    """Without an alarm id every active alarm is acknowledged."""
    await _call(hass, "raise_alarm", kind="smoke")
    await _call(hass, "raise_alarm", kind="leak", source="bathroom")
    result = await _call(hass, "acknowledge_alarm")
    assert len(result["alarms"]) == 2
    assert all(a.status is AlarmStatus.ACKNOWLEDGED for a in household.book.active)


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        ("acknowledge_alarm", {"alarm_id": "nope"}, "alarm_not_found"),
        ("resolve_alarm", {"alarm_id": "nope"}, "alarm_not_found"),
        ("acknowledge_alarm", {}, "no_active_alarm"),
        ("resolve_alarm", {}, "no_active_alarm"),
    ],
)
async def test_alarm_errors(
    hass: HomeAssistant,
    household: Household,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """Unknown alarms and empty books are refused with translated errors."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, service, **data)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN


@pytest.mark.parametrize("service", ["acknowledge_alarm", "resolve_alarm"])
async def test_resolved_alarm_cannot_change(
    hass: HomeAssistant, household: Household, responders: Responders, service: str
) -> None:
    """A resolved alarm cannot be acknowledged or resolved again."""
    raised = await _call(hass, "raise_alarm", kind="custom")
    await _call(hass, "resolve_alarm", alarm_id=raised["alarm_id"])
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, service, alarm_id=raised["alarm_id"])
    assert err.value.translation_key == "alarm_already_resolved"


async def test_race_resolved_between_lookup_and_change(
    hass: HomeAssistant, household: Household, responders: Responders
) -> None:
    """An alarm resolved while a bulk call runs is reported, not crashed on."""
    raised = await _call(hass, "raise_alarm", kind="custom")
    alarm = household.book.get(raised["alarm_id"])
    original = household.async_acknowledge

    async def resolve_first(alarm_id: str, by: str | None = None) -> bool:
        await household.async_resolve(alarm_id, by)
        return await original(alarm_id, by)

    household.async_acknowledge = resolve_first  # type: ignore[method-assign]
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "acknowledge_alarm")
    assert err.value.translation_key == "alarm_already_resolved"
    assert alarm.status is AlarmStatus.RESOLVED

    raised = await _call(hass, "raise_alarm", kind="custom")
    resolve = household.async_resolve

    async def resolve_twice(alarm_id: str, by: str | None = None) -> None:
        await resolve(alarm_id, by)
        await resolve(alarm_id, by)

    household.async_resolve = resolve_twice  # type: ignore[method-assign]
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "resolve_alarm")
    assert err.value.translation_key == "alarm_already_resolved"


async def test_household_must_be_chosen(
    hass: HomeAssistant,
    household: Household,
    community_entry: MockConfigEntry,
    responders: Responders,
) -> None:
    """With a community present the single household is still found; with two, not."""
    community_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(community_entry.entry_id)
    await _call(hass, "raise_alarm")

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "raise_alarm", config_entry_id=community_entry.entry_id)
    assert err.value.translation_key == "not_a_household"

    other = MockConfigEntry(
        domain=DOMAIN,
        unique_id="household_1-1-101",
        data={
            **household.hass.config_entries.async_entries(DOMAIN)[0].data,
            "room": "101",
        },
    )
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "raise_alarm")
    assert err.value.translation_key == "household_required"


async def test_household_not_loaded(
    hass: HomeAssistant,
    household_entry: MockConfigEntry,
    community_entry: MockConfigEntry,
) -> None:
    """The only household, not loaded, is refused."""
    community_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(community_entry.entry_id)
    household_entry.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "raise_alarm")
    assert err.value.translation_key == "entry_not_loaded"

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "raise_alarm", config_entry_id="missing")
    assert err.value.translation_key == "service_config_entry_not_found"


async def test_invalid_kind_is_refused(
    hass: HomeAssistant, household: Household
) -> None:
    """An unknown alarm kind fails validation before reaching the household."""
    with pytest.raises(Exception, match="kind"):
        await _call(hass, "raise_alarm", kind="earthquake")
    assert household.book.alarms == []
