"""Onboard the demo and add its household and community through Home Assistant's APIs."""

import argparse
import asyncio
from pathlib import Path
import sys
from typing import Any

import aiohttp

CLIENT_ID = "http://localhost:8123/"
USER = {"name": "Demo", "username": "demo", "password": "demo1234", "language": "en"}
HOUSEHOLD = {
    "household_name": "Wang family",
    "building": "3",
    "unit": "2",
    "room": "1502",
    "language": "zh-Hans",
    "notify_targets": ["family_phones"],
}
BINDINGS = {
    "safety_sensors": [
        "binary_sensor.kitchen_smoke_detector",
        "binary_sensor.kitchen_gas_detector",
        "binary_sensor.hall_co_detector",
        "binary_sensor.bathroom_leak_sensor",
    ],
    "sos_entities": ["binary_sensor.bedside_sos_button"],
    "sos_devices": [],
    "sirens": ["switch.hall_siren"],
    "gas_valves": ["switch.gas_valve"],
    "water_valves": ["switch.water_valve"],
    "speakers": [],
    "emergency_contacts": ["neighbour_phone"],
    "escalation_delay": 60,
}
COMMUNITY = {
    "community_name": "Sunny Gardens",
    "language": "zh-Hans",
    "transport": "in_process",
}
REGISTERED = {
    "household_name": "Wang family",
    "building": "3",
    "unit": "2",
    "room": "1502",
    "contacts": "+86 138 0000 0000",
}
DUTY = {
    "staff_name": "Duty room",
    "staff_role": "duty",
    "notify_target": "neighbour_phone",
}
# Onboarding adds these by default; they need the internet, which a demo may not have.
ONLINE_DEFAULTS = frozenset({"met", "radio_browser", "google_translate"})


async def wait_until_up(session: aiohttp.ClientSession, url: str, limit: float) -> None:
    """Wait for Home Assistant's HTTP server to answer."""
    deadline = asyncio.get_running_loop().time() + limit
    while True:
        try:
            async with session.get(f"{url}/api/onboarding") as response:
                if response.status < 500:
                    return
        except aiohttp.ClientError:
            pass
        if asyncio.get_running_loop().time() > deadline:
            raise SystemExit(f"Home Assistant did not answer at {url} in {limit:.0f} s")
        await asyncio.sleep(1)


async def onboard(session: aiohttp.ClientSession, url: str) -> str | None:
    """Create the demo owner on a fresh instance and return an access token."""
    async with session.get(f"{url}/api/onboarding") as response:
        steps = await response.json()
    if any(step["step"] == "user" and step["done"] for step in steps):
        return None
    async with session.post(
        f"{url}/api/onboarding/users", json={"client_id": CLIENT_ID, **USER}
    ) as response:
        response.raise_for_status()
        auth_code = (await response.json())["auth_code"]
    async with session.post(
        f"{url}/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": auth_code,
            "client_id": CLIENT_ID,
        },
    ) as response:
        response.raise_for_status()
        token: str = (await response.json())["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for step, body in (
        ("core_config", {}),
        ("analytics", {}),
        ("integration", {"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID}),
    ):
        async with session.post(
            f"{url}/api/onboarding/{step}", json=body, headers=headers
        ) as response:
            if response.status not in (200, 403):
                response.raise_for_status()
    return token


async def run_flow(
    session: aiohttp.ClientSession,
    url: str,
    token: str,
    steps: list[dict[str, Any]],
    handler: Any = "smart_community",
    kind: str = "",
) -> dict[str, Any]:
    """Run a config (or subentry, with kind="subentries/") flow with one answer per step."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(
        f"{url}/api/config/config_entries/{kind}flow",
        json={"handler": handler, "show_advanced_options": False},
        headers=headers,
    ) as response:
        response.raise_for_status()
        result: dict[str, Any] = await response.json()
    for answer in steps:
        async with session.post(
            f"{url}/api/config/config_entries/{kind}flow/{result['flow_id']}",
            json=answer,
            headers=headers,
        ) as response:
            response.raise_for_status()
            result = await response.json()
        if result.get("errors"):
            raise SystemExit(f"Demo set-up refused: {result['errors']}")
    return result


async def remove_online_defaults(
    session: aiohttp.ClientSession, url: str, token: str
) -> None:
    """Remove the weather, radio and cloud-TTS entries onboarding adds by default."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(
        f"{url}/api/config/config_entries/entry", headers=headers
    ) as response:
        response.raise_for_status()
        entries = await response.json()
    for entry in entries:
        if entry["domain"] in ONLINE_DEFAULTS:
            async with session.delete(
                f"{url}/api/config/config_entries/entry/{entry['entry_id']}",
                headers=headers,
            ) as response:
                response.raise_for_status()


async def main() -> None:
    """Bootstrap the demo once."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    async with aiohttp.ClientSession() as session:
        await wait_until_up(session, args.url, args.timeout)
        token = await onboard(session, args.url)
        if token is None:
            print("Demo already set up; log in as demo / demo1234")
            return
        # Let the template entities and onboarding's defaults come up first.
        await asyncio.sleep(3)
        await remove_online_defaults(session, args.url, token)
        # The property first: the community, its duty room and the registered household.
        community = await run_flow(
            session, args.url, token, [{"next_step_id": "community"}, COMMUNITY]
        )
        community_id = community["result"]["entry_id"]
        for subentry, answers in (("household", REGISTERED), ("staff", DUTY)):
            await run_flow(
                session,
                args.url,
                token,
                [answers],
                handler=[community_id, subentry],
                kind="subentries/",
            )
        # Then the family, linked to the community in this same Home Assistant.
        link = {"link_mode": "in_process", "link_community": community_id}
        household = await run_flow(
            session,
            args.url,
            token,
            [{"next_step_id": "household"}, HOUSEHOLD, link, {}, BINDINGS],
        )
        for result in (community, household):
            print(f"Added {result.get('title')}: {result.get('type')}")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
