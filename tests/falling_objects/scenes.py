"""Shared helpers of the falling-object tests: run a scene, the tracking of old."""

from falling_objects.pipeline import FallEvent, FallingObjectPipeline, PipelineConfig
from falling_objects.synth import Scene
from falling_objects.track import TrackerConfig

OLD_TRACKER = TrackerConfig(fit_points=10**6, size_gate=0.0, size_cost=0.0)
"""The tracking before the fitted prediction: velocity from the last three observations,
the nearest blob, no size gate. Counterfactuals recorded with it also turn off the later
starts (``head_limit=0``)."""


def run_scene(scene: Scene, config: PipelineConfig | None) -> list[FallEvent]:
    """Return every event the pipeline reports on the scene's frames."""
    pipeline = FallingObjectPipeline(
        scene.facade, scene.fps, scene.width, scene.height, config
    )
    events = []
    for index, frame in enumerate(scene.frames()):
        events += pipeline.process(frame, index / scene.fps)
    events += pipeline.flush()
    return events
