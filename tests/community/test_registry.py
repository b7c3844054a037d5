"""The community registry: validation, lookups and persistence."""

import json

from hypothesis import given, strategies as st
import pytest

from custom_components.smart_community.community.registry import (
    Building,
    DutyStaff,
    Household,
    Registry,
    RegistryError,
    Resident,
    ResidentRole,
    StaffRole,
    household_id_for,
    normalize_phone,
    normalize_plate,
)
from custom_components.smart_community.core.alarm import CorruptStateError


def make_registry() -> Registry:
    registry = Registry()
    registry.add_building(Building("3", "Building 3", floors=18, units=("1", "2")))
    registry.add_building(Building("5", "Building 5"))
    registry.add_household(
        Household("3-2-1502", "3", "2", "1502", contacts=("+86 138-0013-8000",))
    )
    registry.add_household(Household("3-1-0101", "3", "1", "0101"))
    registry.add_household(
        Household("5-1-0302", "5", "1", "0302", credentials_ref="k1")
    )
    registry.add_resident(
        Resident(
            "r1",
            "Wang Li",
            "3-2-1502",
            ResidentRole.OWNER,
            phone="138 0013 8000",
            face_name="wang_li",
            plates=("京A·12345", "沪ad-12345"),
        )
    )
    registry.add_resident(
        Resident("r2", "Wang Nainai", "3-2-1502", ResidentRole.ELDERLY)
    )
    registry.add_resident(Resident("r3", "Zhao", "5-1-0302", ResidentRole.TENANT))
    registry.add_staff(DutyStaff("user-a", "Guard A"))
    registry.add_staff(DutyStaff("user-m", "Manager", StaffRole.MANAGER))
    return registry


def keyed(key: str) -> pytest.RaisesExc[RegistryError]:
    return pytest.raises(RegistryError, match=f"^{key}: ")


def test_lookups() -> None:
    registry = make_registry()
    assert household_id_for("3", "2", "1502") == "3-2-1502"
    assert registry.household("3-2-1502").contacts == ("+8613800138000",)
    assert registry.find_household("nope") is None
    assert [h.household_id for h in registry.households_of("3")] == [
        "3-1-0101",
        "3-2-1502",
    ]
    assert registry.household_buildings() == {
        "3-1-0101": "3",
        "3-2-1502": "3",
        "5-1-0302": "5",
    }
    assert [r.resident_id for r in registry.residents_of("3-2-1502")] == ["r1", "r2"]
    assert registry.resident("r1").phone == "13800138000"
    wang = registry.resident_by_face(" WANG_LI ")
    assert wang is not None and wang.resident_id == "r1"
    assert registry.resident_by_face("stranger") is None
    assert set(registry.vehicles()) == {"京A12345", "沪AD12345"}
    assert registry.resident_by_plate("京a 12345") is wang
    assert registry.resident_by_plate("粤B99999") is None
    assert registry.resident_by_plate("!!") is None
    assert [b.building_id for b in registry.buildings] == ["3", "5"]
    assert registry.building("5").name == "Building 5"
    assert registry.is_manager("user-m")
    assert not registry.is_manager("user-a")
    assert not registry.is_manager("nobody")
    member = registry.staff_member("user-a")
    assert member is not None and member.role is StaffRole.STAFF
    assert registry.staff_member("nobody") is None
    assert [s.user_id for s in registry.staff] == ["user-a", "user-m"]


@pytest.mark.parametrize(
    ("plate", "expected"),
    [
        ("京A12345", "京A12345"),
        ("粤B·D12345", "粤BD12345"),
        ("苏E 1234学", "苏E1234学"),
        ("abc-1234", "ABC1234"),
        ("  ab 12 ", "AB12"),
        ("京AI2345", "京A12345"),
        ("ＡＢ１２", "AB12"),
    ],
)
def test_normalize_plate(plate: str, expected: str) -> None:
    assert normalize_plate(plate) == expected


@pytest.mark.parametrize("plate", ["", "A", "京12345", "ÄBC", "X" * 11, "京A1234?"])
def test_bad_plate(plate: str) -> None:
    with keyed("bad_plate") as err:
        normalize_plate(plate)
    assert err.value.key == "bad_plate"
    assert err.value.subject == plate


def test_phone() -> None:
    assert normalize_phone("+86 10-1234-5678") == "+861012345678"
    for bad in ("", "12", "phone", "+", "1234 "[:3] + "x"):
        with keyed("bad_phone"):
            normalize_phone(bad)


def test_building_rules() -> None:
    registry = make_registry()
    with keyed("duplicate_building"):
        registry.add_building(Building("3", "Again"))
    with keyed("unknown_building"):
        registry.add_building(Building("9", "Nine"), replace=True)
    with keyed("bad_building_id"):
        registry.add_building(Building(" ", "Blank"))
    with keyed("bad_name"):
        registry.add_building(Building("7", ""))
    with keyed("bad_floors"):
        registry.add_building(Building("7", "Seven", floors=-1))
    with keyed("duplicate_unit"):
        registry.add_building(Building("7", "Seven", units=("1", "1")))
    with keyed("bad_unit"):
        registry.add_building(Building("7", "Seven", units=("",)))
    with keyed("unit_in_use"):
        registry.add_building(Building("3", "Three", units=("1",)), replace=True)
    registry.add_building(Building("3", "Three", units=("1", "2", "3")), replace=True)
    assert registry.building("3").name == "Three"
    with keyed("unknown_building"):
        registry.building("9")
    with keyed("building_not_empty"):
        registry.remove_building("3")
    registry.add_building(Building("7", "Seven"))
    assert registry.remove_building("7").building_id == "7"
    with keyed("unknown_building"):
        registry.remove_building("7")


def test_household_rules() -> None:
    registry = make_registry()
    with keyed("duplicate_household"):
        registry.add_household(Household("3-2-1502", "3", "2", "1502"))
    with keyed("unknown_household"):
        registry.add_household(Household("3-2-9999", "3", "2", "9999"), replace=True)
    with keyed("bad_household_id"):
        registry.add_household(Household("3/2/1502", "3", "2", "1502"))
    with keyed("unknown_building"):
        registry.add_household(Household("9-1-1", "9", "1", "1"))
    with keyed("unknown_unit"):
        registry.add_household(Household("3-7-1", "3", "7", "1"))
    with keyed("bad_unit"):
        registry.add_household(Household("5-x", "5", "", "1"))
    with keyed("bad_room"):
        registry.add_household(Household("5-x", "5", "1", " "))
    with keyed("bad_credentials_ref"):
        registry.add_household(Household("5-x", "5", "1", "1", credentials_ref=""))
    with keyed("bad_phone"):
        registry.add_household(Household("5-x", "5", "1", "1", contacts=("call me",)))
    with keyed("duplicate_flat"):
        registry.add_household(Household("flat-again", "3", "2", "1502"))
    updated = registry.add_household(
        Household("3-2-1502", "3", "2", "1502", contacts=("110",)), replace=True
    )
    assert registry.household("3-2-1502") == updated
    with keyed("unknown_household"):
        registry.household("nope")
    removed = registry.remove_household("3-2-1502")
    assert [r.resident_id for r in removed] == ["r1", "r2"]
    assert registry.residents_of("3-2-1502") == []
    assert registry.vehicles() == {}
    with keyed("unknown_household"):
        registry.remove_household("3-2-1502")


def test_resident_rules() -> None:
    registry = make_registry()
    with keyed("duplicate_resident"):
        registry.add_resident(Resident("r1", "X", "3-2-1502", ResidentRole.OWNER))
    with keyed("unknown_resident"):
        registry.add_resident(
            Resident("r9", "X", "3-2-1502", ResidentRole.OWNER), replace=True
        )
    with keyed("bad_resident_id"):
        registry.add_resident(Resident("", "X", "3-2-1502", ResidentRole.OWNER))
    with keyed("bad_name"):
        registry.add_resident(Resident("r9", " ", "3-2-1502", ResidentRole.OWNER))
    with keyed("unknown_household"):
        registry.add_resident(Resident("r9", "X", "1-1-1", ResidentRole.OWNER))
    with keyed("bad_phone"):
        registry.add_resident(
            Resident("r9", "X", "3-2-1502", ResidentRole.CHILD, phone="x")
        )
    with keyed("bad_plate"):
        registry.add_resident(
            Resident("r9", "X", "3-2-1502", ResidentRole.CHILD, plates=("?",))
        )
    with keyed("duplicate_plate"):
        registry.add_resident(
            Resident("r9", "X", "3-2-1502", ResidentRole.CHILD, plates=("AB1", "ab1"))
        )
    with keyed("duplicate_plate"):
        registry.add_resident(
            Resident("r9", "X", "3-1-0101", ResidentRole.OWNER, plates=("京A12345",))
        )
    with keyed("bad_face_name"):
        registry.add_resident(
            Resident("r9", "X", "3-1-0101", ResidentRole.OWNER, face_name="  ")
        )
    with keyed("duplicate_face"):
        registry.add_resident(
            Resident("r9", "X", "3-1-0101", ResidentRole.OWNER, face_name="Wang_Li")
        )
    # Replacing a resident keeps its own plate and face without a clash.
    again = registry.add_resident(
        Resident(
            "r1",
            "Wang Li",
            "3-2-1502",
            ResidentRole.OWNER,
            face_name="wang_li",
            plates=("京A12345",),
        ),
        replace=True,
    )
    assert again.plates == ("京A12345",)
    assert set(registry.vehicles()) == {"京A12345"}
    assert registry.remove_resident("r2").name == "Wang Nainai"
    with keyed("unknown_resident"):
        registry.resident("r2")


def test_staff_rules() -> None:
    registry = make_registry()
    with keyed("duplicate_staff"):
        registry.add_staff(DutyStaff("user-a", "Again"))
    with keyed("bad_user_id"):
        registry.add_staff(DutyStaff("", "Nobody"))
    with keyed("bad_name"):
        registry.add_staff(DutyStaff("user-x", ""))
    registry.add_staff(DutyStaff("user-a", "Guard A", StaffRole.MANAGER), replace=True)
    assert registry.is_manager("user-a")
    assert registry.remove_staff("user-a").name == "Guard A"
    with keyed("unknown_staff"):
        registry.remove_staff("user-a")


def test_round_trip_through_json() -> None:
    registry = make_registry()
    data = json.loads(json.dumps(registry.as_dict()))
    assert data["version"] == 1
    loaded = Registry()
    loaded.load(data)
    assert loaded.as_dict() == registry.as_dict()
    loaded.load(None)
    assert loaded.households == []
    assert loaded.as_dict()["buildings"] == []


@pytest.mark.parametrize(
    "data",
    [
        {"buildings": [{"building_id": 3, "name": "x"}]},
        {"buildings": [{"building_id": "3", "name": "x", "floors": True}]},
        {"buildings": [{"building_id": "3", "name": "x", "units": "12"}]},
        {"buildings": [{"building_id": "3", "name": "x", "floors": -2}]},
        {
            "households": [
                {"household_id": "h", "building_id": "9", "unit": "1", "room": "1"}
            ]
        },
        {"residents": [{"resident_id": "r"}]},
        {"staff": [{"user_id": "u", "name": "n", "role": "boss"}]},
        {"buildings": 5},
        ["not", "a", "mapping"],
    ],
)
def test_load_rejects_corrupt_data(data: object) -> None:
    registry = make_registry()
    before = registry.as_dict()
    with pytest.raises(CorruptStateError):
        registry.load(data)  # type: ignore[arg-type]
    assert registry.as_dict() == before


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(["buildings", "households", "residents", "staff", "version"])


@given(st.dictionaries(KEYS, JSON, max_size=5))
def test_load_arbitrary_data_raises_only_corrupt_state(data: dict[str, object]) -> None:
    registry = Registry()
    try:
        registry.load(data)
    except CorruptStateError:
        return
    assert Registry().load(registry.as_dict()) is None


@given(st.text(max_size=14))
def test_normalize_plate_is_idempotent(text: str) -> None:
    try:
        plate = normalize_plate(text)
    except RegistryError as err:
        key = err.key
    else:
        assert normalize_plate(plate) == plate
        return
    assert key == "bad_plate"
