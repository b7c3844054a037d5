"""The door station subentry flow of the community."""

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

GATE_INPUT = {
    "station_id": "North_Gate",
    "station_label": "North gate",
    "station_kind": "gate",
    "opener": "switch.north_gate",
    "station_speaker": "assist_satellite.gate_panel",
}


async def test_add_and_change_station(
    hass: HomeAssistant, community_entry: MockConfigEntry
) -> None:
    """A gate is added with a normalised id; a unit door needs building and unit."""
    community_entry.add_to_hass(hass)
    flows = hass.config_entries.subentries
    result = await flows.async_init(
        (community_entry.entry_id, "door_station"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    result = await flows.async_configure(
        result["flow_id"], {**GATE_INPUT, "station_id": "north gate!"}
    )
    assert result["errors"] == {"station_id": "bad_station_id"}
    result = await flows.async_configure(result["flow_id"], GATE_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (station,) = [
        s
        for s in community_entry.subentries.values()
        if s.subentry_type == "door_station"
    ]
    assert station.unique_id == "door_station_north_gate"
    assert station.data["station_id"] == "north_gate"
    assert station.data["camera"] is None

    result = await flows.async_init(
        (community_entry.entry_id, "door_station"), context={"source": SOURCE_USER}
    )
    result = await flows.async_configure(result["flow_id"], GATE_INPUT)
    assert result["errors"] == {"station_id": "station_exists"}

    result = await flows.async_init(
        (community_entry.entry_id, "door_station"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": station.subentry_id},
    )
    result = await flows.async_configure(
        result["flow_id"],
        {**GATE_INPUT, "station_kind": "unit_door", "building": "3"},
    )
    assert result["errors"] == {"building": "unit_door_needs_location"}
    result = await flows.async_configure(
        result["flow_id"],
        {**GATE_INPUT, "station_kind": "unit_door", "building": "3", "unit": "2"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert community_entry.subentries[station.subentry_id].data["unit"] == "2"
