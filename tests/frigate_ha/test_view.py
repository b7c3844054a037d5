"""Snapshots through Home Assistant's authenticated API."""

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smart_community.community.frigate_hub import snapshot_path
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .conftest import CLIP_CHUNK, JPEG, FakeFrigate, with_frigate


async def test_snapshot_proxy(
    hass: HomeAssistant,
    community_entry: MockConfigEntry,
    fake_frigate: FakeFrigate,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Signed-in users get the event's JPEG; others, unknown servers and errors do not."""
    assert await async_setup_component(hass, "http", {})
    entry = with_frigate(community_entry, fake_frigate.url)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    client = await hass_client()
    response = await client.get(snapshot_path(entry.entry_id, "main", "ev1"))
    assert response.status == 200
    assert response.content_type == "image/jpeg"
    assert await response.read() == JPEG
    assert fake_frigate.snapshots == ["ev1"]

    response = await client.get(snapshot_path(entry.entry_id, "main", "missing"))
    assert response.status == 502
    response = await client.get(snapshot_path(entry.entry_id, "other", "ev1"))
    assert response.status == 404
    response = await client.get(snapshot_path("no_entry", "main", "ev1"))
    assert response.status == 404

    anonymous = await hass_client_no_auth()
    response = await anonymous.get(snapshot_path(entry.entry_id, "main", "ev1"))
    assert response.status == 401


async def test_clip_stream(
    hass: HomeAssistant,
    community_entry: MockConfigEntry,
    fake_frigate: FakeFrigate,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Clips stream through Home Assistant to signed-in users only; Frigate stays hidden."""
    assert await async_setup_component(hass, "http", {})
    entry = with_frigate(community_entry, fake_frigate.url)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    base = f"/api/smart_community/frigate/{entry.entry_id}"
    client = await hass_client()
    response = await client.get(f"{base}/main/ev1/clip.mp4")
    assert response.status == 200
    assert response.content_type == "video/mp4"
    assert await response.read() == CLIP_CHUNK * 3
    response = await client.get(f"{base}/main/missing/clip.mp4")
    assert response.status == 502
    response = await client.get(f"{base}/other/ev1/clip.mp4")
    assert response.status == 404
    anonymous = await hass_client_no_auth()
    response = await anonymous.get(f"{base}/main/ev1/clip.mp4")
    assert response.status == 401
