"""Keep benchmarks/intercom_latency.py working: a tiny run in a child process, no timing asserts."""

import json
from pathlib import Path
import subprocess
import sys

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "intercom_latency.py"


def test_intercom_benchmark_runs() -> None:
    """The script sets up a real core, rings, opens by voice and prints its figures."""
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--samples", "3"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    assert figures["benchmark"] == "intercom_latency"
    assert figures["samples"] == 3
    for name in ("ring_to_question", "voice_open_to_gate"):
        assert figures[name]["p50_ms"] > 0
