"""The community registry's subentry flows: buildings, households, residents, staff."""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType


async def _start(
    hass: HomeAssistant, entry: MockConfigEntry, kind: str
) -> dict[str, Any]:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context={"source": SOURCE_USER}
    )


async def _reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, kind: str, subentry_id: str
) -> dict[str, Any]:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )


async def _configure(
    hass: HomeAssistant, result: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    return await hass.config_entries.subentries.async_configure(result["flow_id"], data)


def _subentry(entry: MockConfigEntry, kind: str, title_part: str) -> Any:
    return next(
        s
        for s in entry.subentries.values()
        if s.subentry_type == kind and title_part in s.title
    )


@pytest.fixture
def community(hass: HomeAssistant, community_entry: MockConfigEntry) -> MockConfigEntry:
    """Return the community entry, added but not set up."""
    community_entry.add_to_hass(hass)
    return community_entry


async def test_building(hass: HomeAssistant, community: MockConfigEntry) -> None:
    """Add, refuse a bad number, refuse a duplicate, rename."""
    result = await _start(hass, community, "building")
    result = await _configure(
        hass, result, {"building": "三号楼", "floors": 18, "units": 2}
    )
    assert result["errors"] == {"building": "invalid_address"}
    result = await _configure(
        hass,
        result,
        {"building": " 3 ", "building_name": "East", "floors": 18, "units": 2},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    building = _subentry(community, "building", "East")
    assert building.unique_id == "building_3"
    assert building.data["building"] == "3"

    result = await _start(hass, community, "building")
    result = await _configure(hass, result, {"building": "3", "floors": 1, "units": 1})
    assert result["reason"] == "already_configured"

    result = await _reconfigure(hass, community, "building", building.subentry_id)
    assert result["step_id"] == "reconfigure"
    result = await _configure(
        hass, result, {"building": "3", "building_name": "", "floors": 20, "units": 3}
    )
    assert result["reason"] == "reconfigure_successful"
    assert _subentry(community, "building", "3").data["floors"] == 20


async def test_household(hass: HomeAssistant, community: MockConfigEntry) -> None:
    """Register with generated credentials; errors; duplicates; reconfigure and rotate keys."""
    result = await _start(hass, community, "household")
    bad = {
        "household_name": " ",
        "building": "3",
        "unit": "-",
        "room": "1601",
        "contacts": "abc",
    }
    result = await _configure(hass, result, bad)
    assert result["errors"] == {
        "household_name": "name_required",
        "unit": "invalid_address",
        "contacts": "invalid_phone",
    }
    good = {
        "household_name": "Chen family",
        "building": "3",
        "unit": "2",
        "room": "1601",
        "contacts": "+86 139 0000 0000， 021-5555-0000",
    }
    result = await _configure(hass, result, good)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    chen = _subentry(community, "household", "Chen")
    assert chen.data["household_id"] == "3-2-1601"
    assert chen.data["contacts"] == ["+86 139 0000 0000", "021-5555-0000"]
    key, password = chen.data["link_key"], chen.data["mqtt_password"]
    assert len(key) >= 32
    assert len(password) >= 24

    result = await _start(hass, community, "household")
    result = await _configure(hass, result, {**good, "household_name": "Again"})
    assert result["reason"] == "already_configured"

    result = await _reconfigure(hass, community, "household", chen.subentry_id)
    assert result["description_placeholders"] == {"household": "3-2-1601"}
    result = await _configure(hass, result, {"household_name": "", "contacts": ""})
    assert result["errors"] == {"household_name": "name_required"}
    result = await _configure(hass, result, {"household_name": "Chen", "contacts": "x"})
    assert result["errors"] == {"contacts": "invalid_phone"}
    result = await _configure(
        hass,
        result,
        {"household_name": "Chen", "contacts": "", "regenerate_credentials": False},
    )
    assert result["reason"] == "reconfigure_successful"
    assert _subentry(community, "household", "Chen").data["link_key"] == key

    result = await _reconfigure(hass, community, "household", chen.subentry_id)
    result = await _configure(
        hass,
        result,
        {"household_name": "Chen", "contacts": "", "regenerate_credentials": True},
    )
    rotated = _subentry(community, "household", "Chen").data
    assert rotated["link_key"] != key
    assert rotated["mqtt_password"] != password
    assert rotated["contacts"] == []


async def test_resident(
    hass: HomeAssistant, community: MockConfigEntry, community_entry: MockConfigEntry
) -> None:
    """Residents belong to a registered household; phones and plates are checked."""
    empty = MockConfigEntry(
        domain="smart_community",
        unique_id="community_empty",
        data={**community_entry.data, "community_id": "empty"},
    )
    empty.add_to_hass(hass)
    result = await _start(hass, empty, "resident")
    assert result["reason"] == "no_households"

    result = await _start(hass, community, "resident")
    base = {"household_id": "3-2-1502", "resident_role": "elderly"}
    result = await _configure(hass, result, {**base, "resident_name": " "})
    assert result["errors"] == {"resident_name": "name_required"}
    result = await _configure(
        hass, result, {**base, "resident_name": "Grandma", "phone": "x"}
    )
    assert result["errors"] == {"phone": "invalid_phone"}
    result = await _configure(
        hass,
        result,
        {**base, "resident_name": "Grandma", "phone": "", "plates": "not a plate!"},
    )
    assert result["errors"] == {"plates": "invalid_plate"}
    result = await _configure(
        hass,
        result,
        {
            **base,
            "resident_name": "Grandma Wang",
            "phone": "+86 138 1111 2222",
            "face_name": "grandma_wang",
            "plates": "沪A·12345, 沪AD12345",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    grandma = _subentry(community, "resident", "Grandma")
    assert grandma.data["plates"] == ["沪A12345", "沪AD12345"]
    assert grandma.title == "Grandma Wang (3-2-1502)"

    result = await _reconfigure(hass, community, "resident", grandma.subentry_id)
    result = await _configure(
        hass,
        result,
        {**dict(grandma.data), "plates": "沪A12345", "resident_role": "owner"},
    )
    assert result["reason"] == "reconfigure_successful"
    assert _subentry(community, "resident", "Grandma").data["resident_role"] == "owner"


async def test_staff(
    hass: HomeAssistant, community: MockConfigEntry, hass_admin_user: Any
) -> None:
    """Staff link to a Home Assistant user and a phone; unknown phones are refused."""
    async_mock_service(hass, "notify", "mobile_app_guard")
    result = await _start(hass, community, "staff")
    user_option = next(
        option
        for key, selector in result["data_schema"].schema.items()
        if str(key) == "user_id"
        for option in selector.config["options"]
        if option["value"] == hass_admin_user.id
    )
    assert user_option["label"] == hass_admin_user.name
    result = await _configure(hass, result, {"staff_name": " ", "staff_role": "duty"})
    assert result["errors"] == {"staff_name": "name_required"}
    result = await _configure(
        hass,
        result,
        {"staff_name": "Sun", "staff_role": "duty", "notify_target": "ghost"},
    )
    assert result["errors"] == {"notify_target": "unknown_notify_target"}
    result = await _configure(
        hass,
        result,
        {
            "staff_name": "Sun",
            "staff_role": "staff",
            "user_id": hass_admin_user.id,
            "notify_target": "notify.mobile_app_guard",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    sun = _subentry(community, "staff", "Sun")
    assert sun.data["notify_target"] == "mobile_app_guard"
    assert sun.data["user_id"] == hass_admin_user.id

    result = await _reconfigure(hass, community, "staff", sun.subentry_id)
    defaults = {
        str(key): key.default()
        for key in result["data_schema"].schema
        if callable(getattr(key, "default", None))
    }
    assert defaults["user_id"] == hass_admin_user.id
    assert defaults["notify_target"] == "mobile_app_guard"
    result = await _configure(
        hass, result, {"staff_name": "Sun Li", "staff_role": "manager"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert _subentry(community, "staff", "Sun Li").data["staff_role"] == "manager"
