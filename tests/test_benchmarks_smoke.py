"""Keep benchmarks/link_latency.py working: tiny runs, no timing assertions.

The script runs in a child process: it starts its own Home Assistant on its own
event loop (normal mode), which must not share this process with the pytest
plugin's loop (debug mode), socket blocking and lingering-thread checks.
"""

import json
from pathlib import Path
import shutil
import subprocess
import sys
from typing import Any

import pytest

from tests.mosquitto import MOSQUITTO

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "link_latency.py"


HAVE_MOSQUITTO = shutil.which(MOSQUITTO) is not None


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    """Run the script once (one interpreter start) for every available transport."""
    transports = "inprocess,mqtt" if HAVE_MOSQUITTO else "inprocess"
    completed = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--households",
            "1",
            "--transport",
            transports,
            "--samples",
            "3",
            "--burst",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["benchmark"] == "link_latency"
    return {result["transport"]: result for result in report["results"]}


def _check(result: dict[str, Any], transport: str) -> None:
    assert result["transport"] == transport
    assert result["households"] == 1
    assert result["loop_debug"] is False
    assert result["samples"] == 3
    assert result["p50_ms"] is not None
    assert result["burst"] == 1
    assert result["burst_received"] == 1
    assert result["burst_on_board"] == 1
    assert result["burst_lost"] == 0
    assert result["log_errors"] == 0, result["first_errors"]


def test_inprocess_smoke(results: dict[str, dict[str, Any]]) -> None:
    """One household in-process: three samples and a burst of one, nothing lost."""
    _check(results["inprocess"], "inprocess")


@pytest.mark.mosquitto
@pytest.mark.skipif(not HAVE_MOSQUITTO, reason="mosquitto is missing")
def test_mqtt_smoke(results: dict[str, dict[str, Any]]) -> None:
    """One household over a real Mosquitto: three samples and a burst of one."""
    _check(results["mqtt"], "mqtt")
