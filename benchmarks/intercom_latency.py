"""Door intercom latency inside one real Home Assistant: ring -> question, "开门" -> gate opens.

Reuses the real-core bootstrap of ``link_latency.py`` (normal-mode event loop, not pytest's
debug loop) with one community (a gate door station whose opener is ``switch.bench_gate``)
and one household linked in-process, whose speaker is the Assist satellite
``assist_satellite.bench`` (a registered device, so voice intents accept it).

- ring: ``smart_community.call_household`` is called -> the household's satellite is asked
  (``assist_satellite.ask_question`` starts, i.e. the announcement starts).
- open: ``conversation`` gets "开门" from that satellite while the call rings -> the gate's
  ``switch.turn_on`` runs.

Rate limits are lifted for the run (every sample opens the gate). Run::

    .venv/bin/python benchmarks/intercom_latency.py --samples 200

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path
import shutil
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.link_latency import _entry, percentile, start_home_assistant
from custom_components.smart_community.community.intercom_hub import hub_of
from custom_components.smart_community.const import (
    CONF_BUILDING,
    CONF_COMMUNITY_NAME,
    CONF_HOUSEHOLD_NAME,
    CONF_LANGUAGE,
    CONF_LINK_COMMUNITY,
    CONF_LINK_MODE,
    CONF_NOTIFY_TARGETS,
    CONF_ROLE,
    CONF_ROOM,
    CONF_SPEAKERS,
    CONF_UNIT,
    DOMAIN,
    ROLE_COMMUNITY,
    ROLE_HOUSEHOLD,
    TRANSPORT_IN_PROCESS,
)
from custom_components.smart_community.household.intercom import intercoms
from custom_components.smart_community.intercom.access import SlidingWindowLimiter
from custom_components.smart_community.link.broker import generate_key
from homeassistant import runner
from homeassistant.components import conversation
from homeassistant.config_entries import (
    STORAGE_KEY,
    STORAGE_VERSION,
    STORAGE_VERSION_MINOR,
    ConfigSubentryData,
)
from homeassistant.core import Context, HomeAssistant, ServiceCall, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.json import json_bytes
from homeassistant.setup import async_setup_component
from tests.mosquitto import free_port

REPO = Path(__file__).resolve().parents[1]
P99_TARGET_MS = 100.0
DEFAULT_SAMPLES = 200
WARMUP = 5
SATELLITE = "assist_satellite.bench"
GATE = "switch.bench_gate"


def write_entries(config_dir: Path) -> tuple[str, str]:
    """Write the community (one household, one gate) and the household; return entry ids."""
    community = _entry(
        "Bench Gardens",
        "community_bench",
        {
            CONF_ROLE: ROLE_COMMUNITY,
            CONF_COMMUNITY_NAME: "Bench Gardens",
            "community_id": "bench",
            "language": "en",
            "broadcast_key": generate_key(),
            "transport": TRANSPORT_IN_PROCESS,
        },
        None,
        [
            ConfigSubentryData(
                subentry_type="household",
                title="1-1-101 Family",
                unique_id="household_1-1-101",
                data={
                    "household_id": "1-1-101",
                    "household_name": "Family",
                    "building": "1",
                    "unit": "1",
                    "room": "101",
                    "contacts": [],
                    "link_key": generate_key(),
                    "mqtt_password": "unused",
                },
            ),
            ConfigSubentryData(
                subentry_type="door_station",
                title="Gate",
                unique_id="door_station_gate",
                data={
                    "station_id": "gate",
                    "station_label": "Gate",
                    "station_kind": "gate",
                    "building": None,
                    "unit": None,
                    "opener": GATE,
                    "camera": None,
                    "station_speaker": None,
                },
            ),
        ],
    )
    household = _entry(
        "Family",
        "household_1-1-101",
        {
            CONF_ROLE: ROLE_HOUSEHOLD,
            CONF_HOUSEHOLD_NAME: "Family",
            CONF_BUILDING: "1",
            CONF_UNIT: "1",
            CONF_ROOM: "101",
            CONF_LANGUAGE: "zh-Hans",
            CONF_NOTIFY_TARGETS: [],
            CONF_LINK_MODE: TRANSPORT_IN_PROCESS,
            CONF_LINK_COMMUNITY: community.entry_id,
        },
        {CONF_SPEAKERS: [SATELLITE]},
    )
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (storage / STORAGE_KEY).write_bytes(
        json_bytes(
            {
                "version": STORAGE_VERSION,
                "minor_version": STORAGE_VERSION_MINOR,
                "key": STORAGE_KEY,
                "data": {
                    "entries": [
                        community.as_storage_fragment,
                        household.as_storage_fragment,
                    ]
                },
            }
        )
    )
    return community.entry_id, household.entry_id


def summary(values: list[float]) -> dict[str, float]:
    """Return p50 / p99 / max in milliseconds."""
    ordered = sorted(values)
    return {
        "p50_ms": round(percentile(ordered, 50), 2),
        "p99_ms": round(percentile(ordered, 99), 2),
        "max_ms": round(ordered[-1], 2),
    }


async def run(samples: int) -> dict[str, Any]:
    """Set up Home Assistant, then time rings and voice openings."""
    logging.getLogger().setLevel(logging.ERROR)
    workdir = Path(tempfile.mkdtemp(prefix="sc-intercom-bench-"))
    hass: HomeAssistant | None = None
    try:
        config_dir = workdir / "config"
        (config_dir / "custom_components").mkdir(parents=True)
        (config_dir / "custom_components" / DOMAIN).symlink_to(
            REPO / "custom_components" / DOMAIN
        )
        community_id, household_id = write_entries(config_dir)
        hass = await start_home_assistant(config_dir)
        asked: list[float] = []
        opened: list[float] = []
        asked_event = asyncio.Event()
        opened_event = asyncio.Event()

        async def _ask(call: ServiceCall) -> dict[str, Any]:
            asked.append(time.perf_counter())
            asked_event.set()
            raise HomeAssistantError("No answer from satellite")

        async def _open(call: ServiceCall) -> None:
            opened.append(time.perf_counter())
            opened_event.set()

        hass.services.async_register(
            "assist_satellite",
            "ask_question",
            _ask,
            supports_response=SupportsResponse.ONLY,
        )
        hass.services.async_register("switch", "turn_on", _open)
        # The satellite's device hangs off the household entry: any loaded entry will do.
        device = dr.async_get(hass).async_get_or_create(
            config_entry_id=household_id, identifiers={("bench", "sat")}
        )
        er.async_get(hass).async_get_or_create(
            "assist_satellite",
            "bench",
            "sat",
            device_id=device.id,
            suggested_object_id="bench",
        )
        hass.states.async_set(SATELLITE, "idle")
        hass.states.async_set(GATE, "off")
        # conversation needs http: bind a free port, not 8123 (another core may hold it).
        if not await async_setup_component(
            hass, "http", {"http": {"server_port": free_port()}}
        ):
            raise RuntimeError("http did not set up")
        if not await async_setup_component(hass, "conversation", {}):
            raise RuntimeError("conversation did not set up")
        if not await async_setup_component(hass, DOMAIN, {}):
            raise RuntimeError("smart_community did not set up")
        await hass.async_block_till_done()
        await hass.async_start()
        community = hass.config_entries.async_get_entry(community_id)
        assert community is not None
        hub = hub_of(community.runtime_data.community)
        assert hub is not None
        hub.policy.household_limiter = SlidingWindowLimiter(10**9, 300.0)
        hub.policy.door_limiter = SlidingWindowLimiter(10**9, 300.0)
        home = intercoms(hass)[household_id]
        ring_ms: list[float] = []
        open_ms: list[float] = []
        for index in range(samples + WARMUP):
            asked.clear()
            opened.clear()
            asked_event.clear()
            opened_event.clear()
            start = time.perf_counter()
            response = await hass.services.async_call(
                DOMAIN,
                "call_household",
                {"config_entry_id": community_id, "station": "gate", "room": "1-1-101"},
                blocking=True,
                return_response=True,
            )
            assert response is not None
            call_id = str(response["call_id"])
            await asyncio.wait_for(asked_event.wait(), 10)
            if home.core.find(call_id) is None:
                raise RuntimeError("the household did not ring")
            ring = (asked[0] - start) * 1000
            start = time.perf_counter()
            result = await conversation.async_converse(
                hass, "开门", None, Context(), language="zh-cn", device_id=device.id
            )
            await asyncio.wait_for(opened_event.wait(), 10)
            voice = (opened[0] - start) * 1000
            if result.response.speech["plain"]["speech"] != "正在开门。":
                raise RuntimeError(f"unexpected reply {result.response.speech}")
            if index >= WARMUP:
                ring_ms.append(ring)
                open_ms.append(voice)
            await hass.async_block_till_done()
        ring_figures = summary(ring_ms)
        open_figures = summary(open_ms)
        return {
            "benchmark": "intercom_latency",
            "samples": samples,
            "target_p99_ms": P99_TARGET_MS,
            "ring_to_question": ring_figures,
            "voice_open_to_gate": open_figures,
            "all_met": ring_figures["p99_ms"] < P99_TARGET_MS
            and open_figures["p99_ms"] < P99_TARGET_MS,
        }
    finally:
        if hass is not None:
            await hass.async_stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES)
    args = parser.parse_args(argv)
    with asyncio.Runner(
        debug=False, loop_factory=lambda: runner.create_event_loop(debug=False)
    ) as async_runner:
        figures = async_runner.run(run(args.samples))
    for name in ("ring_to_question", "voice_open_to_gate"):
        values = figures[name]
        print(
            f"{name}: p50 {values['p50_ms']} ms, p99 {values['p99_ms']} ms,"
            f" max {values['max_ms']} ms (target p99 < {P99_TARGET_MS:.0f} ms)"
        )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
