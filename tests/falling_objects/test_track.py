"""The tracker: association, ended tracks and what it remembers of them."""

from falling_objects.detect import Blob
from falling_objects.track import Tracker, TrackerConfig

FPS = 25.0


def _gravity(_x: float, _y: float) -> float:
    return 200.0


def _blob(x: float, y: float) -> Blob:
    return Blob(x, y, 36.0, 6.0, 6.0)


def _lost_flyer(tracker: Tracker) -> float:
    """Follow a blob moving 4 px right and 3 px down per frame for 10 frames, then lose it.

    Returns the time of its last observation.
    """
    t = 0.0
    for frame in range(10):
        t = frame / FPS
        tracker.update(t, [_blob(100 + 4 * frame, 200 + 3 * frame)])
    for frame in range(10, 20):
        tracker.update(frame / FPS, [])
    return t


def test_an_ended_track_is_found_where_it_ended_or_where_it_was_heading() -> None:
    tracker = Tracker(_gravity, TrackerConfig(max_misses=5))
    last = _lost_flyer(tracker)
    # Last seen at (136, 227) at 0.36 s, moving at 100 px/s right and 75 px/s down.
    t = last + 0.3
    heading = (136 + 100 * 0.3, 227 + 75 * 0.3)
    assert len(tracker.ended_near(t, *heading, within=0.35, radius=5.0)) == 1
    assert len(tracker.ended_near(t, 136, 227, within=0.35, radius=5.0)) == 1
    # Behind it, or too long after it was lost, it is something else.
    assert tracker.ended_near(t, 136 - 30, 227 - 22.5, within=0.35, radius=5.0) == []
    assert tracker.ended_near(last + 0.5, *heading, within=0.35, radius=5.0) == []
    # Only tracks that ended before t count.
    assert tracker.ended_near(last, 136, 227, within=0.35, radius=5.0) == []


def test_ended_tracks_are_forgotten_after_the_history() -> None:
    tracker = Tracker(_gravity, TrackerConfig(history=1.0))
    last = _lost_flyer(tracker)
    tracker.update(last + 2.0, [])
    assert tracker.ended_near(last + 0.1, 136, 227, within=5.0, radius=5.0) == []
