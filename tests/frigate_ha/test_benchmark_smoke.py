"""Keep benchmarks/frigate_gate.py working: a tiny run in a child process, no timing."""

import json
from pathlib import Path
import shutil
import subprocess
import sys

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "frigate_gate.py"


@pytest.mark.skipif(
    shutil.which("/usr/sbin/mosquitto") is None, reason="mosquitto not installed"
)
def test_benchmark_runs() -> None:
    """The script opens the gate for every sample and prints its JSON figures."""
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--samples", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["samples"] == 3
    assert result["opener"] == ["switch.bench_barrier"]
