"""End to end through the command line, as the evaluation runs it."""

import json
from pathlib import Path
import subprocess
import sys

import pytest
import yaml

from falling_objects.synth import Scene


def _analyze(
    video: Path, facade: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "falling_objects",
            "analyze",
            str(video),
            "--facade",
            str(facade),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("seed", [4, 10])
def test_drop_gives_one_event_at_the_right_window(tmp_path: Path, seed: int) -> None:
    scene = Scene(seed, width=960, height=540, objects=1, size_range=(5, 10))
    video, facade, _ = scene.write(tmp_path)
    truth = scene.ground_truth()["events"][0]
    result = _analyze(video, facade, "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["window"] == {
        "floor": truth["floor"],
        "column": truth["column"],
        "label": truth["label"],
    }
    assert 0.0 < event["confidence"] <= 1.0
    assert event["start_time"] == pytest.approx(truth["start_time"], abs=0.4)
    assert event["end_time"] > event["start_time"]
    assert len(event["trajectory"]) >= 10
    assert all(len(point) == 3 for point in event["trajectory"])
    assert event["candidates"][0]["label"] == truth["label"]


def test_distractors_only_print_nothing(tmp_path: Path) -> None:
    scene = Scene(
        77,
        width=960,
        height=540,
        objects=0,
        distractors=(
            "birds",
            "leaves",
            "rain",
            "insects",
            "clouds",
            "flicker",
            "noise",
        ),
        duration=6.0,
    )
    video, facade, _ = scene.write(tmp_path)
    result = _analyze(video, facade, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_evidence_is_written_for_an_event(tmp_path: Path) -> None:
    scene = Scene(6, width=960, height=540, objects=1, size_range=(5, 10))
    video, facade, _ = scene.write(tmp_path / "clip")
    result = _analyze(video, facade, "--evidence-dir", str(tmp_path / "evidence"))
    assert result.returncode == 0, result.stderr
    assert scene.ground_truth()["events"][0]["label"] in result.stdout
    snapshots = list((tmp_path / "evidence").glob("*.jpg"))
    clips = list((tmp_path / "evidence").glob("*.avi"))
    assert len(snapshots) == 1
    assert len(clips) == 1
    assert clips[0].stat().st_size > 10_000


def test_malformed_facade_is_a_clear_error(tmp_path: Path) -> None:
    scene = Scene(4, width=320, height=240, objects=0, distractors=(), duration=0.5)
    video, facade, _ = scene.write(tmp_path)
    data = yaml.safe_load(facade.read_text(encoding="utf-8"))
    data["grid"]["corners"] = data["grid"]["corners"][:3]
    facade.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = _analyze(video, facade, "--json")
    assert result.returncode != 0
    assert result.stdout == ""
    assert "invalid facade file" in result.stderr
    assert "grid.corners" in result.stderr


def test_missing_video_is_a_clear_error(tmp_path: Path) -> None:
    example = (
        Path(__file__).parents[2]
        / "frigate"
        / "falling_objects"
        / "examples"
        / "facade-building-3.yaml"
    )
    result = _analyze(tmp_path / "nope.mp4", example, "--json")
    assert result.returncode != 0
    assert "cannot open video" in result.stderr


def test_calibrate_preview_draws_the_grid(tmp_path: Path) -> None:
    example = (
        Path(__file__).parents[2]
        / "frigate"
        / "falling_objects"
        / "examples"
        / "facade-building-3.yaml"
    )
    out = tmp_path / "preview.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "falling_objects",
            "calibrate-preview",
            "--facade",
            str(example),
            "--output",
            str(out),
            "--width",
            "640",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 1000
