"""Facade calibration: parsing, validation and the pixel <-> window maths."""

from pathlib import Path
from typing import Any

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest
import yaml

from falling_objects.facade import (
    GRAVITY,
    FacadeError,
    facade_to_dict,
    load_facade,
    parse_facade,
)

EXAMPLE = (
    Path(__file__).parents[2]
    / "frigate"
    / "falling_objects"
    / "examples"
    / "facade-building-3.yaml"
)


def _corners_config(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "building": 3,
        "image_size": [1000, 800],
        "floor_height_m": 3.0,
        "grid": {
            "corners": [[100, 100], [900, 100], [900, 700], [100, 700]],
            "floors": 10,
            "columns": 8,
        },
    }
    data.update(changes)
    return data


def test_rectangle_maps_pixels_to_floors_and_columns() -> None:
    facade = parse_facade(_corners_config())
    # Each floor is 60 px, each column 100 px; floor 10 is the top row.
    top_left = facade.cell_at_pixel(150, 130)
    assert top_left is not None
    assert (top_left.floor, top_left.column, top_left.label) == (10, 1, "3-10-01")
    bottom_right = facade.cell_at_pixel(899, 699)
    assert bottom_right is not None
    assert (bottom_right.floor, bottom_right.column) == (1, 8)
    assert facade.cell_at_pixel(50, 400) is None
    assert facade.pixels_per_metre(500, 400) == pytest.approx(
        (20.0, 100 / 3.0), rel=1e-6
    )
    assert facade.gravity_px(500, 400) == pytest.approx(GRAVITY * 20.0, rel=1e-6)


def test_perspective_grid_round_trips() -> None:
    facade = parse_facade(
        _corners_config(
            grid={
                "corners": [[300, 50], [700, 60], [880, 760], [120, 740]],
                "floors": 18,
                "columns": 15,
            }
        )
    )
    for row, col in [(0.5, 0.5), (9.2, 7.7), (17.9, 14.1)]:
        x, y = facade.grid_to_pixel(row, col)
        assert facade.to_grid(x, y) == pytest.approx((row, col), abs=1e-6)
    # Perspective: floors near the top are smaller in the image than near the bottom.
    assert facade.pixels_per_cell(500, 80)[0] < facade.pixels_per_cell(500, 720)[0]


def test_explicit_lines_allow_uneven_floors() -> None:
    facade = parse_facade(
        {
            "building": "A",
            "image_size": [400, 400],
            "floor_height_m": 3.0,
            "label_format": "{building}{floor:02d}{column:02d}",
            "grid": {
                "floor_lines": [
                    [[0, 10], [400, 10]],
                    [[0, 100], [400, 100]],
                    [[0, 300], [400, 300]],
                ],
                "column_lines": [
                    [[50, 0], [50, 400]],
                    [[200, 0], [200, 400]],
                    [[350, 0], [350, 400]],
                ],
                "bottom_floor": 5,
            },
        }
    )
    assert facade.mode == "lines"
    assert (facade.floors, facade.columns) == (2, 2)
    cell = facade.cell_at_pixel(100, 50)
    assert cell is not None
    assert (cell.floor, cell.column, cell.label) == (6, 1, "A0601")
    assert facade.to_grid(100, 200)[0] == pytest.approx(1.5)
    # The lower floor is 200 px tall, so 3 m is 200 px there.
    assert facade.pixels_per_metre(100, 200)[0] == pytest.approx(200 / 3.0)
    polygon = facade.cell_polygon(5, 2)
    np.testing.assert_allclose(
        polygon, [[200, 100], [350, 100], [350, 300], [200, 300]], atol=1e-6
    )


def test_explicit_labels_override_the_pattern() -> None:
    facade = parse_facade(
        _corners_config(labels=[{"floor": 4, "column": 2, "label": "3-04-02 (shop)"}])
    )
    assert facade.label(4, 2) == "3-04-02 (shop)"
    assert facade.label(4, 3) == "3-4-03"


def test_scaled_calibration_follows_the_video_size() -> None:
    facade = parse_facade(_corners_config())
    half = facade.scaled(500, 400)
    cell = half.cell_at_pixel(75, 65)
    assert cell is not None
    assert (cell.floor, cell.column) == (10, 1)


def test_round_trip_through_yaml() -> None:
    facade = parse_facade(_corners_config(camera="facade_east"))
    again = parse_facade(yaml.safe_load(yaml.safe_dump(facade_to_dict(facade))))
    assert again == facade


def test_example_file_is_valid() -> None:
    facade = load_facade(EXAMPLE)
    assert facade.building == "3"
    assert (facade.floors, facade.columns) == (18, 15)
    assert facade.label(14, 2) == "3-14-02"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"building": ""}, "building"),
        ({"floor_height_m": -3}, "floor_height_m"),
        ({"floor_height_m": True}, "floor_height_m"),
        ({"image_size": [1000]}, "image_size"),
        (
            {
                "grid": {
                    "corners": [[0, 0], [10, 0], [10, 10]],
                    "floors": 2,
                    "columns": 2,
                }
            },
            "four points",
        ),
        (
            {
                "grid": {
                    "corners": [[100, 100], [100, 700], [900, 700], [900, 100]],
                    "floors": 2,
                    "columns": 2,
                }
            },
            "clockwise",
        ),
        (
            {
                "grid": {
                    "corners": [[100, 100], [900, 100], [900, 700], [100, 700]],
                    "floors": 0,
                    "columns": 2,
                }
            },
            "grid.floors",
        ),
        (
            {
                "grid": {
                    "corners": [[100, 100], [900, 100], [900, 700], [100, 700]],
                    "columns": 2,
                }
            },
            "grid.floors",
        ),
        (
            {"grid": {"floor_lines": [[[0, 10], [400, 10]]], "column_lines": []}},
            "floor_lines",
        ),
        ({"grid": {"corners": [], "floor_lines": []}}, "exactly one"),
        ({"label_format": "{building}-{room}"}, "label_format"),
        ({"labels": [{"floor": 99, "column": 1, "label": "x"}]}, "labels[0].floor"),
    ],
)
def test_invalid_files_are_explained(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(
        FacadeError, match=message.replace("[", r"\[").replace("]", r"\]")
    ):
        parse_facade(_corners_config(**changes))


def test_unreadable_and_non_yaml_files(tmp_path: Path) -> None:
    with pytest.raises(FacadeError, match="cannot read"):
        load_facade(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("building: [unclosed\n", encoding="utf-8")
    with pytest.raises(FacadeError, match="not valid YAML"):
        load_facade(broken)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 3000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
_point = st.lists(
    st.one_of(st.integers(-50, 2000), st.floats(-50, 2000)), min_size=2, max_size=2
)


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "building": _values,
            "image_size": st.one_of(
                _values, st.lists(st.integers(0, 5000), min_size=2, max_size=2)
            ),
            "floor_height_m": st.one_of(_values, st.floats(0.5, 5)),
            "grid": st.one_of(
                _values,
                st.fixed_dictionaries(
                    {
                        "corners": st.lists(_point, min_size=3, max_size=5),
                        "floors": st.one_of(_values, st.integers(-1, 40)),
                        "columns": st.one_of(_values, st.integers(-1, 40)),
                    }
                ),
                st.fixed_dictionaries(
                    {
                        "floor_lines": st.lists(
                            st.lists(_point, min_size=2, max_size=2), max_size=4
                        ),
                        "column_lines": st.lists(
                            st.lists(_point, min_size=2, max_size=2), max_size=4
                        ),
                    }
                ),
            ),
        },
        optional={
            "label_format": _values,
            "labels": _values,
            "column_width_m": _values,
            "camera": _values,
        },
    )
)
def test_parser_accepts_or_explains_any_input(data: dict[str, Any]) -> None:
    """Whatever is in the file, the parser returns a facade or raises FacadeError."""
    try:
        facade = parse_facade(data)
    except FacadeError as err:
        message = str(err)
        facade = None
    if facade is None:
        assert message
        return
    assert facade.floors >= 1
    assert facade.columns >= 1
    x, y = facade.grid_to_pixel(0.5, 0.5)
    row, col = facade.to_grid(x, y)
    assert row == pytest.approx(0.5, abs=1e-3)
    assert col == pytest.approx(0.5, abs=1e-3)
