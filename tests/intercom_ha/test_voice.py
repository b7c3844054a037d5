"""Voice: "开门" / "open the door" from the household's satellite opens for the visitor."""

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_community.const import DOMAIN
from custom_components.smart_community.intercom.access import AccessReason
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from tests.mosquitto import wait_until

from .conftest import Intercom


async def _satellites(hass: HomeAssistant) -> tuple[str, str]:
    """Register the living-room satellite and a stranger's; return their device ids."""
    source = MockConfigEntry(domain="test")
    source.add_to_hass(hass)
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    ids = []
    hass.states.async_remove("assist_satellite.living_room")
    for name in ("living_room", "stranger"):
        device = devices.async_get_or_create(
            config_entry_id=source.entry_id, identifiers={("test", name)}
        )
        entities.async_get_or_create(
            "assist_satellite",
            "test",
            name,
            device_id=device.id,
            suggested_object_id=name,
        )
        ids.append(device.id)
    assert entities.async_get("assist_satellite.living_room") is not None
    hass.states.async_set("assist_satellite.living_room", "idle")
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()
    return ids[0], ids[1]


async def _say(
    hass: HomeAssistant, sentence: str, device_id: str, language: str
) -> str:
    result = await conversation.async_converse(
        hass, sentence, None, Context(), language=language, device_id=device_id
    )
    speech: Any = result.response.speech["plain"]["speech"]
    assert isinstance(speech, str)
    return speech


async def _ring(hass: HomeAssistant, intercom: Intercom) -> str:
    response = await hass.services.async_call(
        DOMAIN,
        "call_household",
        {
            "config_entry_id": intercom.linked.community_entry.entry_id,
            "station": "north_gate",
            "room": "3-2-1502",
        },
        blocking=True,
        return_response=True,
    )
    assert response is not None
    await wait_until(
        lambda: intercom.home.core.find(str(response["call_id"])) is not None
    )
    return str(response["call_id"])


async def test_open_door_in_chinese(hass: HomeAssistant, intercom: Intercom) -> None:
    """ "开门" on the household's satellite opens the gate for the ringing call."""
    own, _ = await _satellites(hass)
    intercom.satellite.answer = None
    call_id = await _ring(hass, intercom)
    assert await _say(hass, "开门", own, "zh-cn") == "正在开门。"
    await wait_until(lambda: bool(intercom.gate_open))
    (entry,) = intercom.hub.policy.audit.entries
    assert entry.reason is AccessReason.OPENED_FOR_CALL
    assert entry.call_id == call_id
    assert entry.source.value == "voice"


async def test_open_door_in_english(hass: HomeAssistant, intercom: Intercom) -> None:
    """ "open the door" works too; with nobody calling it says so."""
    own, _ = await _satellites(hass)
    intercom.satellite.answer = None
    assert (
        await _say(hass, "open the door", own, "en") == "Nobody is calling right now."
    )
    await _ring(hass, intercom)
    assert await _say(hass, "open the door", own, "en") == "Opening the door."
    await wait_until(lambda: bool(intercom.gate_open))


async def test_openers_hidden_from_assist(
    hass: HomeAssistant, intercom: Intercom
) -> None:
    """Door openers are not exposed to Assist, so "unlock the gate" cannot reach them."""
    await _satellites(hass)
    # Set up before Assist's expose settings existed; a switch is exposed by default.
    assert async_should_expose(hass, "conversation", "switch.north_gate")
    await hass.config_entries.async_reload(intercom.linked.community_entry.entry_id)
    await hass.async_block_till_done()
    for opener in ("switch.north_gate", "lock.b3u2"):
        assert not async_should_expose(hass, "conversation", opener)


async def test_stranger_satellite_refused(
    hass: HomeAssistant, intercom: Intercom
) -> None:
    """A satellite that is not one of the household's speakers cannot open the door."""
    _, stranger = await _satellites(hass)
    intercom.satellite.answer = None
    await _ring(hass, intercom)
    speech = await _say(hass, "开门", stranger, "zh-cn")
    assert speech == "只有您家中的音箱可以打开本单元的门。"
    await hass.async_block_till_done()
    assert intercom.gate_open == []
    assert intercom.hub.policy.audit.entries == []


async def test_who_called(hass: HomeAssistant, intercom: Intercom) -> None:
    """ "who called?" reads the newest call."""
    own, _ = await _satellites(hass)
    assert await _say(hass, "who called?", own, "en") == "Nobody has called recently."
    intercom.satellite.answer = {"id": "deny", "sentence": "no", "slots": {}}
    call_id = await _ring(hass, intercom)
    await wait_until(lambda: not intercom.hub.calls.get(call_id).pending)
    speech = await _say(hass, "who called?", own, "en")
    assert speech == "Recent callers: North gate, just now, declined."
