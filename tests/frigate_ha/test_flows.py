"""Subentry flows of the Frigate side: servers (checked for real), gates, lanes, audio."""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_community.community.frigate_config import setup_from_entry
from custom_components.smart_community.frigate.gates import Inward
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .conftest import FakeFrigate, with_frigate


async def _start(hass: HomeAssistant, entry: MockConfigEntry, kind: str) -> Any:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context={"source": SOURCE_USER}
    )


async def _reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, kind: str, unique_id: str
) -> Any:
    subentry_id = next(
        s.subentry_id for s in entry.subentries.values() if s.unique_id == unique_id
    )
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )


async def _send(hass: HomeAssistant, result: Any, data: dict[str, Any]) -> Any:
    return await hass.config_entries.subentries.async_configure(result["flow_id"], data)


def _server(url: str, name: str = "Second NVR", **extra: str) -> dict[str, Any]:
    return {"server_name": name, "url": url, **extra}


@pytest.fixture
def entry(hass: HomeAssistant, community_entry: MockConfigEntry) -> MockConfigEntry:
    """The community with the Frigate subentries, not set up."""
    frigate = with_frigate(community_entry)
    frigate.add_to_hass(hass)
    return frigate


async def test_server_added(
    hass: HomeAssistant, entry: MockConfigEntry, fake_frigate: FakeFrigate
) -> None:
    """A second server is checked against its API and stored."""
    result = await _start(hass, entry, "frigate_server")
    assert result["type"] is FlowResultType.FORM
    result = await _send(
        hass, result, _server(fake_frigate.url + "/", topic_prefix="/nvr2/")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        "server_id": "second_nvr",
        "server_name": "Second NVR",
        "url": fake_frigate.url,
        "username": "",
        "password": "",
        "topic_prefix": "nvr2",
    }


async def test_server_with_login(
    hass: HomeAssistant, entry: MockConfigEntry, fake_frigate: FakeFrigate
) -> None:
    """Port 8971: the flow logs in with the credentials."""
    fake_frigate.auth = True
    result = await _start(hass, entry, "frigate_server")
    result = await _send(
        hass,
        result,
        _server(fake_frigate.url, username="admin", password="wrong", topic_prefix="b"),
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await _send(
        hass,
        result,
        _server(
            fake_frigate.url, username="admin", password="secret", topic_prefix="b"
        ),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["username"] == "admin"


@pytest.mark.parametrize(
    ("version", "status", "error"),
    [
        ("0.15.1-abc", 200, "frigate_too_old"),
        ("0.16.0", 500, "cannot_connect"),
        ("garbage", 200, "cannot_connect"),
        ("0.16.0", 401, "invalid_auth"),
    ],
)
async def test_server_refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_frigate: FakeFrigate,
    version: str,
    status: int,
    error: str,
) -> None:
    """Old, broken or locked servers are refused with a translated error."""
    fake_frigate.version = version
    fake_frigate.status = status
    result = await _start(hass, entry, "frigate_server")
    result = await _send(hass, result, _server(fake_frigate.url, topic_prefix="b"))
    assert result["errors"] == {"base": error}


async def test_server_unreachable_and_invalid(
    hass: HomeAssistant, entry: MockConfigEntry, socket_enabled: None
) -> None:
    """Nothing listening, a bad URL, an empty or taken name."""
    result = await _start(hass, entry, "frigate_server")
    result = await _send(hass, result, _server("http://127.0.0.1:9"))
    assert result["errors"] == {"topic_prefix": "prefix_in_use"}
    result = await _send(hass, result, _server("http://127.0.0.1:9", topic_prefix="b"))
    assert result["errors"] == {"base": "cannot_connect"}
    result = await _send(hass, result, _server("ftp://nvr"))
    assert result["errors"] == {"base": "invalid_url"}
    result = await _send(hass, result, _server("http://[bad"))
    assert result["errors"] == {"base": "invalid_url"}
    result = await _send(hass, result, _server("http://127.0.0.1:9", name=" ! "))
    assert result["errors"] == {"server_name": "name_required"}
    result = await _send(hass, result, _server("http://127.0.0.1:9", name="Main"))
    assert result["errors"] == {"server_name": "already_configured"}


async def test_server_reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, fake_frigate: FakeFrigate
) -> None:
    """Reconfiguring keeps the server id."""
    result = await _reconfigure(hass, entry, "frigate_server", "frigate_server_main")
    assert result["type"] is FlowResultType.FORM
    result = await _send(hass, result, _server(fake_frigate.url, name="Renamed"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = next(
        s for s in entry.subentries.values() if s.unique_id == "frigate_server_main"
    )
    assert subentry.data["server_id"] == "main"
    assert subentry.title == "Renamed"


GATE = {
    "gate_name": "South gate",
    "server": "main",
    "camera": "south_cam",
    "zone": "barrier",
    "outside_zone": "approach",
    "inside_zone": "inside_lane",
    "gate_kind": "vehicle",
    "direction": "in",
    "opener": "cover.south_barrier",
}


async def test_gate_flow(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Gates: required fields, half a schedule, a taken name, then created."""
    result = await _start(hass, entry, "gate")
    assert result["type"] is FlowResultType.FORM
    result = await _send(hass, result, GATE | {"camera": " "})
    assert result["errors"] == {"camera": "required"}
    result = await _send(hass, result, GATE | {"schedule_start": "07:00:00"})
    assert result["errors"] == {"schedule_end": "schedule_incomplete"}
    result = await _send(hass, result, GATE | {"gate_name": "North gate"})
    assert result["errors"] == {"gate_name": "already_configured"}
    result = await _send(
        hass,
        result,
        GATE
        | {
            "schedule_start": "07:00:00",
            "schedule_end": "22:00:00",
            "blacklist": "粤B66666; Mallory",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["gate_id"] == "south_gate"
    assert result["data"]["outside_zone"] == "approach"
    assert result["data"]["inward"] == "none"
    assert result["data"]["blacklist"] == ["粤B66666", "Mallory"]
    result = await _reconfigure(hass, entry, "gate", "gate_south_gate")
    assert result["type"] is FlowResultType.FORM
    result = await _send(hass, result, GATE | {"direction": "both", "inward": "up"})
    assert result["reason"] == "reconfigure_successful"
    subentry = next(
        s for s in entry.subentries.values() if s.unique_id == "gate_south_gate"
    )
    gate = setup_from_entry(entry).gates["south_gate"].gate
    assert subentry.data["inward"] == "up"
    assert gate.inward is Inward.UP
    assert setup_from_entry(entry).gates["north_gate"].gate.inward is None


async def test_gate_needs_a_server(
    hass: HomeAssistant, community_entry: MockConfigEntry
) -> None:
    """Without a Frigate server gates, lanes and audio cameras cannot be added."""
    community_entry.add_to_hass(hass)
    for kind in ("gate", "fire_lane", "audio_camera"):
        result = await _start(hass, community_entry, kind)
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "no_frigate_servers"


LANE = {
    "lane_name": "Block 5 lane",
    "server": "main",
    "camera": "b5",
    "zone": "fire_lane_b5",
    "minutes": 5,
}


async def test_fire_lane_flow(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Fire lanes: required zone, a taken name, created, reconfigured."""
    result = await _start(hass, entry, "fire_lane")
    result = await _send(hass, result, LANE | {"zone": ""})
    assert result["errors"] == {"zone": "required"}
    result = await _send(hass, result, LANE | {"lane_name": "Block 3"})
    assert result["errors"] == {"lane_name": "already_configured"}
    result = await _send(hass, result, LANE)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["minutes"] == 5.0
    result = await _reconfigure(hass, entry, "fire_lane", "fire_lane_block_5_lane")
    result = await _send(hass, result, LANE | {"minutes": 15})
    assert result["reason"] == "reconfigure_successful"


AUDIO = {"server": "main", "camera": "garage", "place": "Garage", "labels": ["glass"]}


async def test_audio_flow(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Audio cameras: scream is refused with its own error, unknown labels too."""
    result = await _start(hass, entry, "audio_camera")
    result = await _send(hass, result, AUDIO | {"labels": ["scream", "glass"]})
    assert result["errors"] == {"labels": "scream_never_fires"}
    result = await _send(hass, result, AUDIO | {"labels": ["speech"]})
    assert result["errors"] == {"labels": "unsupported_label"}
    result = await _send(hass, result, AUDIO | {"labels": []})
    assert result["errors"] == {"labels": "labels_required"}
    result = await _send(hass, result, AUDIO | {"place": ""})
    assert result["errors"] == {"place": "required"}
    result = await _send(hass, result, AUDIO | {"camera": "lobby_cam"})
    assert result["errors"] == {"camera": "already_configured"}
    result = await _send(hass, result, AUDIO)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Garage (garage)"
    result = await _reconfigure(hass, entry, "audio_camera", "audio_main_garage")
    result = await _send(hass, result, AUDIO | {"labels": ["glass", "yell"]})
    assert result["reason"] == "reconfigure_successful"
