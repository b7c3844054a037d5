"""Plate normalisation and matching: tables and properties."""

from hypothesis import assume, given, strategies as st
import pytest

from custom_components.smart_community.frigate.plates import (
    PROVINCES,
    Plate,
    PlateIndex,
    PlateKind,
    normalize_plate,
    plate_distance,
    plates_match,
)

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # Chinese plates never use I or O
SERIAL = LETTERS + "0123456789"


@pytest.mark.parametrize(
    ("raw", "text", "kind"),
    [
        ("京A 12345", "京A12345", PlateKind.CN_REGULAR),
        ("京a·1234o", "京A12340", PlateKind.CN_REGULAR),
        ("沪0I23O5", "沪D12305", PlateKind.CN_REGULAR),
        ("粤B D12345", "粤BD12345", PlateKind.CN_NEW_ENERGY),
        ("京AD1234F", "京AD1234F", PlateKind.CN_NEW_ENERGY),
        ("京A1234学", "京A1234学", PlateKind.CN_SPECIAL),
        ("苏Ｅ－１２３４５", "苏E12345", PlateKind.CN_REGULAR),
        ("京112345", "京112345", PlateKind.OTHER),
        ("京A1234", "京A1234", PlateKind.OTHER),
        ("京A12#45!", "京A1245", PlateKind.OTHER),
        ("ABC-123", "ABC123", PlateKind.OTHER),
        ("ｗａ１２３", "WA123", PlateKind.OTHER),
        ("", "", PlateKind.OTHER),
    ],
)
def test_normalize_table(raw: str, text: str, kind: PlateKind) -> None:
    assert normalize_plate(raw) == Plate(text, kind)


def test_province_and_body() -> None:
    plate = normalize_plate("京A12345")
    assert (plate.province, plate.body) == ("京", "A12345")
    other = normalize_plate("ABO123")
    assert (other.province, other.body) == (None, "AB0123")


INDEX = PlateIndex(
    [
        ("京A12345", "wang"),
        ("粤B88888", "li"),
        ("ABC123", "guest"),
        ("沪C54321", "x"),
        ("苏C54321", "y"),
    ]
)


@pytest.mark.parametrize(
    ("observed", "value", "distance"),
    [
        ("京A12345", "wang", 0),
        ("A12345", "wang", 0),  # province character not read
        ("京A12346", "wang", 1),
        ("京A1234", "wang", 1),
        ("京B12345", "wang", 1),
        ("粤B8888B", "li", 1),
        ("ABC128", "guest", 1),
        ("沪C54321", "x", 0),
        ("C54321", None, None),  # two provinces share the serial: ambiguous
        ("京A12399", None, None),
        ("", None, None),
        ("A1", None, None),
        ("京X99999", None, None),
    ],
)
def test_index_lookup(observed: str, value: str | None, distance: int | None) -> None:
    match = INDEX.lookup(normalize_plate(observed))
    assert (None if match is None else (match.value, match.distance)) == (
        None if value is None else (value, distance)
    )


def test_index_prefers_same_province() -> None:
    index = PlateIndex([("沪A12345", "hu"), ("京A12345", "jing")])
    match = index.lookup(normalize_plate("京A12345"))
    assert match is not None
    assert (match.value, match.distance) == ("jing", 0)


def test_index_skips_empty_and_short_exact() -> None:
    index = PlateIndex([("", 1), ("AB1", 2), ("AB12", 3)])
    assert len(index) == 2
    match = index.lookup(normalize_plate("ab1"))
    assert match is not None
    assert match.value == 2
    assert index.lookup(normalize_plate("AB2")) is None


def test_plates_match_rules() -> None:
    assert plates_match(normalize_plate("京A12345"), normalize_plate("京A12346"))
    assert not plates_match(normalize_plate("京A12345"), normalize_plate("京A12366"))
    assert plates_match(normalize_plate("AB1"), normalize_plate("京AB1"))
    assert not plates_match(normalize_plate("AB1"), normalize_plate("AB2"))
    assert not plates_match(normalize_plate("沪AB1"), normalize_plate("京AB1"))
    assert not plates_match(normalize_plate(""), normalize_plate("AB1"))


chinese_plates = st.builds(
    lambda province, letter, serial: f"{province}{letter}{serial}",
    st.sampled_from(sorted(PROVINCES)),
    st.sampled_from(LETTERS),
    st.text(alphabet=SERIAL, min_size=5, max_size=6),
)


@given(
    chinese_plates,
    st.lists(st.sampled_from([" ", "·", "-", "•", "."]), max_size=3),
    st.data(),
)
def test_noise_is_removed(plate: str, noise: list[str], data: st.DataObject) -> None:
    noisy = plate
    for sep in noise:
        position = data.draw(st.integers(1, len(noisy)))
        noisy = noisy[:position] + sep + noisy[position:]
    normalized = normalize_plate(noisy.lower())
    assert normalized.text == plate
    assert normalized.kind is (
        PlateKind.CN_REGULAR if len(plate) == 7 else PlateKind.CN_NEW_ENERGY
    )


@given(chinese_plates, st.data())
def test_ocr_confusions_are_undone(plate: str, data: st.DataObject) -> None:
    digits = [i for i, ch in enumerate(plate) if i >= 2 and ch in "01"]
    assume(digits)
    i = data.draw(st.sampled_from(digits))
    misread = plate[:i] + {"0": "O", "1": "I"}[plate[i]] + plate[i + 1 :]
    assert normalize_plate(misread).text == plate


@given(st.text(max_size=20))
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize_plate(raw)
    assert normalize_plate(once.text) == once


@given(st.text(max_size=12), st.text(max_size=12))
def test_distance_is_symmetric_and_zero_on_self(a: str, b: str) -> None:
    pa, pb = normalize_plate(a), normalize_plate(b)
    assert plate_distance(pa, pb) == plate_distance(pb, pa)
    assert plate_distance(pa, pa) == 0


@given(chinese_plates, st.data())
def test_one_substitution_still_matches(plate: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(2, len(plate) - 1))
    replacement = data.draw(st.sampled_from(SERIAL))
    misread = plate[:i] + replacement + plate[i + 1 :]
    match = PlateIndex([(plate, "owner")]).lookup(normalize_plate(misread))
    assert match is not None
    assert match.distance <= 1
