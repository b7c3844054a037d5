"""Benchmark the pure decision path: lpr payload -> parse -> merge -> gate decision.

Run: .venv/bin/python benchmarks/frigate_decision.py
"""

from datetime import datetime, timedelta
import gc
import json
from pathlib import Path
import random
import statistics
import sys
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.smart_community.frigate.gates import (
    Gate,
    GateDecider,
    GateKind,
    Registry,
    Resident,
    Vehicle,
    VisitorPass,
)
from custom_components.smart_community.frigate.models import PlateResult
from custom_components.smart_community.frigate.observations import ObservationTracker
from custom_components.smart_community.frigate.parsers import (
    parse_event_message,
    parse_message,
)

ITERATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "frigate" / "fixtures"
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
SERIAL = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def random_plate(rng: random.Random) -> str:
    return (
        rng.choice(PROVINCES)
        + rng.choice(SERIAL[:24])
        + "".join(rng.choices(SERIAL, k=5))
    )


def main() -> None:
    rng = random.Random(4)
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 3, 4, 9, 30, tzinfo=tz)
    vehicles = tuple(Vehicle(random_plate(rng), f"h{i}") for i in range(2000))
    registry = Registry(
        residents=tuple(
            Resident(f"r{i}", f"h{i}", frozenset({f"Resident {i}"}))
            for i in range(3000)
        ),
        vehicles=(*vehicles, Vehicle("京AD12340", "3-1201")),
        blacklisted_plates=tuple(random_plate(rng) for _ in range(50)),
        passes=tuple(
            VisitorPass(
                f"p{i}",
                "h1",
                now - timedelta(hours=1),
                now + timedelta(hours=1),
                plate=random_plate(rng),
            )
            for i in range(100)
        ),
    )
    gate = Gate(
        "north",
        GateKind.VEHICLE,
        "nvr1",
        "north_gate_lpr",
        "cover.north",
        zone="barrier",
        outside_zone="approach",
        inside_zone="inside_lane",
    )
    decider = GateDecider((gate,), registry)
    tracker = ObservationTracker()
    tracker.on_event(
        "nvr1", parse_event_message((FIXTURES / "event_0_16_car.json").read_bytes())
    )
    template = json.loads((FIXTURES / "tracked_object_update_lpr.json").read_bytes())
    readings = ["京AD1234O", "京AD12346", random_plate(rng), "AD12340"]
    payloads = []
    for i in range(ITERATIONS):
        template["plate"] = readings[i % len(readings)]
        payloads.append(json.dumps(template, ensure_ascii=False).encode())

    gc.collect()
    gc.freeze()  # the registry is long-lived: keep it out of the collector's scans
    samples: list[float] = []
    outcomes: dict[str, int] = {}
    for payload in payloads:
        start = time.perf_counter_ns()
        update = parse_message("frigate/tracked_object_update", payload)
        assert isinstance(update, PlateResult)
        obs = tracker.on_update("nvr1", update)
        decision = decider.decide(obs, now)
        samples.append((time.perf_counter_ns() - start) / 1000)
        decider.forget(update.event_id)
        outcomes[decision.reason.value] = outcomes.get(decision.reason.value, 0) + 1

    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    print(
        f"{ITERATIONS} lpr payloads -> gate decision, registry of {len(registry.vehicles)} vehicles"
    )
    print(f"p50 {p50:.1f} us   p99 {p99:.1f} us   max {samples[-1]:.1f} us")
    print("outcomes:", outcomes)


if __name__ == "__main__":
    main()
