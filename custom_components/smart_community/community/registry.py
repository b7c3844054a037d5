"""The community registry: buildings, households, residents, vehicles and duty staff.

Pure Python: no Home Assistant import. Every rule the registry enforces raises a
:class:`RegistryError` whose ``key`` is a stable translation key, so the config flow can show
the reason in the user's language. Household ids follow the link protocol's name rule
(``[A-Za-z0-9][A-Za-z0-9_-]{0,63}``, e.g. ``3-2-1502``) because they appear in MQTT topics.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
import re
from typing import Any, Final, Self
import unicodedata

from ..core.alarm import CorruptStateError
from ..frigate.plates import (
    PROVINCES,
    SPECIAL_SUFFIXES,
    PlateKind,
    normalize_plate as read_plate,
)
from ..link.protocol import is_valid_name

STORAGE_VERSION: Final = 1

# Plates typed by staff: after dropping separators only letters, digits and the characters
# of Chinese plates may remain; the canonical form is the Frigate plate reader's.
_PLATE_SEPARATORS: Final = str.maketrans("", "", " ·•.-_")
_PLATE_CHARS: Final = (
    frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") | PROVINCES | SPECIAL_SUFFIXES
)
_OTHER_PLATE_LENGTHS: Final = range(2, 11)
_PHONE_RE: Final = re.compile(r"\+?[0-9][0-9 -]{1,22}[0-9]")
_MAX_TEXT: Final = 200


class ResidentRole(StrEnum):
    """How a resident belongs to a household."""

    OWNER = "owner"
    TENANT = "tenant"
    ELDERLY = "elderly"
    CHILD = "child"


class StaffRole(StrEnum):
    """What a duty-room user may do."""

    STAFF = "staff"
    MANAGER = "manager"


class RegistryError(Exception):
    """A change the registry refuses; `key` is a stable translation key."""

    def __init__(self, key: str, subject: str) -> None:
        super().__init__(f"{key}: {subject}")
        self.key = key
        self.subject = subject


@dataclass(frozen=True, slots=True)
class Building:
    """A building of the community."""

    building_id: str
    name: str
    floors: int = 0
    units: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "building_id": self.building_id,
            "name": self.name,
            "floors": self.floors,
            "units": list(self.units),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        return cls(
            building_id=_as_str(data["building_id"]),
            name=_as_str(data["name"]),
            floors=_as_int(data.get("floors", 0)),
            units=_str_tuple(data.get("units", ())),
        )


@dataclass(frozen=True, slots=True)
class Household:
    """A flat and how to reach it: phones and the reference to its link credentials."""

    household_id: str
    building_id: str
    unit: str
    room: str
    contacts: tuple[str, ...] = ()
    credentials_ref: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "household_id": self.household_id,
            "building_id": self.building_id,
            "unit": self.unit,
            "room": self.room,
            "contacts": list(self.contacts),
            "credentials_ref": self.credentials_ref,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        return cls(
            household_id=_as_str(data["household_id"]),
            building_id=_as_str(data["building_id"]),
            unit=_as_str(data["unit"]),
            room=_as_str(data["room"]),
            contacts=_str_tuple(data.get("contacts", ())),
            credentials_ref=_opt_str(data.get("credentials_ref")),
        )


@dataclass(frozen=True, slots=True)
class Resident:
    """A person living in a household; faces and plates are names, never biometrics."""

    resident_id: str
    name: str
    household_id: str
    role: ResidentRole
    phone: str | None = None
    face_name: str | None = None
    plates: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "resident_id": self.resident_id,
            "name": self.name,
            "household_id": self.household_id,
            "role": self.role.value,
            "phone": self.phone,
            "face_name": self.face_name,
            "plates": list(self.plates),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        return cls(
            resident_id=_as_str(data["resident_id"]),
            name=_as_str(data["name"]),
            household_id=_as_str(data["household_id"]),
            role=ResidentRole(data["role"]),
            phone=_opt_str(data.get("phone")),
            face_name=_opt_str(data.get("face_name")),
            plates=_str_tuple(data.get("plates", ())),
        )


@dataclass(frozen=True, slots=True)
class DutyStaff:
    """A Home Assistant user who works in the duty room."""

    user_id: str
    name: str
    role: StaffRole = StaffRole.STAFF

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"user_id": self.user_id, "name": self.name, "role": self.role.value}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        return cls(
            user_id=_as_str(data["user_id"]),
            name=_as_str(data["name"]),
            role=StaffRole(data.get("role", StaffRole.STAFF)),
        )


def household_id_for(building: str, unit: str, room: str) -> str:
    """Return the conventional household id `building-unit-room` (e.g. 3-2-1502)."""
    return f"{building}-{unit}-{room}"


def normalize_plate(text: str) -> str:
    """Return a plate in the plate reader's canonical form, or raise bad_plate."""
    cleaned = unicodedata.normalize("NFKC", text).upper().translate(_PLATE_SEPARATORS)
    if cleaned and set(cleaned) <= _PLATE_CHARS:
        plate = read_plate(cleaned)
        if plate.kind is not PlateKind.OTHER or (
            plate.text.isascii() and len(plate.text) in _OTHER_PLATE_LENGTHS
        ):
            return plate.text
    raise RegistryError("bad_plate", text)


def normalize_phone(text: str) -> str:
    """Return a phone number without spaces or dashes, or raise bad_phone."""
    phone = text.strip()
    if not _PHONE_RE.fullmatch(phone):
        raise RegistryError("bad_phone", text)
    return phone.replace(" ", "").replace("-", "")


class Registry:
    """Everything the property knows about who lives where, with lookups and validation."""

    def __init__(self) -> None:
        self._buildings: dict[str, Building] = {}
        self._households: dict[str, Household] = {}
        self._residents: dict[str, Resident] = {}
        self._staff: dict[str, DutyStaff] = {}

    # Buildings

    @property
    def buildings(self) -> list[Building]:
        """Return every building, sorted by id."""
        return [self._buildings[key] for key in sorted(self._buildings)]

    def building(self, building_id: str) -> Building:
        """Return the building with that id."""
        try:
            return self._buildings[building_id]
        except KeyError:
            raise RegistryError("unknown_building", building_id) from None

    def add_building(self, building: Building, *, replace: bool = False) -> Building:
        """Add (or with replace=True, update) a building after validating it."""
        _check_text(building.building_id, "bad_building_id")
        _check_text(building.name, "bad_name")
        if building.floors < 0:
            raise RegistryError("bad_floors", building.building_id)
        if len(set(building.units)) != len(building.units):
            raise RegistryError("duplicate_unit", building.building_id)
        for unit in building.units:
            _check_text(unit, "bad_unit")
        self._check_replace(building.building_id, self._buildings, replace, "building")
        if replace and building.units:
            for household in self.households_of(building.building_id):
                if household.unit not in building.units:
                    raise RegistryError("unit_in_use", household.unit)
        self._buildings[building.building_id] = building
        return building

    def remove_building(self, building_id: str) -> Building:
        """Remove an empty building."""
        building = self.building(building_id)
        if self.households_of(building_id):
            raise RegistryError("building_not_empty", building_id)
        del self._buildings[building_id]
        return building

    # Households

    @property
    def households(self) -> list[Household]:
        """Return every household, sorted by id."""
        return [self._households[key] for key in sorted(self._households)]

    def household(self, household_id: str) -> Household:
        """Return the household with that id."""
        try:
            return self._households[household_id]
        except KeyError:
            raise RegistryError("unknown_household", household_id) from None

    def find_household(self, household_id: str) -> Household | None:
        """Return the household with that id, or None."""
        return self._households.get(household_id)

    def households_of(self, building_id: str) -> list[Household]:
        """Return the households of a building, sorted by id."""
        return [h for h in self.households if h.building_id == building_id]

    def household_buildings(self) -> dict[str, str]:
        """Return household id -> building id, as announcement targeting needs it."""
        return {h.household_id: h.building_id for h in self._households.values()}

    def add_household(
        self, household: Household, *, replace: bool = False
    ) -> Household:
        """Add (or update) a household; phones are normalised."""
        if not is_valid_name(household.household_id):
            raise RegistryError("bad_household_id", household.household_id)
        building = self.building(household.building_id)
        _check_text(household.unit, "bad_unit")
        _check_text(household.room, "bad_room")
        if building.units and household.unit not in building.units:
            raise RegistryError("unknown_unit", household.unit)
        if household.credentials_ref is not None:
            _check_text(household.credentials_ref, "bad_credentials_ref")
        contacts = tuple(normalize_phone(phone) for phone in household.contacts)
        self._check_replace(
            household.household_id, self._households, replace, "household"
        )
        for other in self._households.values():
            if other.household_id != household.household_id and (
                other.building_id,
                other.unit,
                other.room,
            ) == (household.building_id, household.unit, household.room):
                raise RegistryError("duplicate_flat", household.household_id)
        stored = Household(
            household.household_id,
            household.building_id,
            household.unit,
            household.room,
            contacts,
            household.credentials_ref,
        )
        self._households[stored.household_id] = stored
        return stored

    def remove_household(self, household_id: str) -> list[Resident]:
        """Remove a household and its residents; return the residents removed."""
        self.household(household_id)
        removed = self.residents_of(household_id)
        for resident in removed:
            del self._residents[resident.resident_id]
        del self._households[household_id]
        return removed

    # Residents

    @property
    def residents(self) -> list[Resident]:
        """Return every resident, sorted by id."""
        return [self._residents[key] for key in sorted(self._residents)]

    def resident(self, resident_id: str) -> Resident:
        """Return the resident with that id."""
        try:
            return self._residents[resident_id]
        except KeyError:
            raise RegistryError("unknown_resident", resident_id) from None

    def residents_of(self, household_id: str) -> list[Resident]:
        """Return the residents of a household, sorted by id."""
        return [r for r in self.residents if r.household_id == household_id]

    def resident_by_face(self, face_name: str) -> Resident | None:
        """Return the resident a Frigate face name belongs to (case-insensitive)."""
        wanted = face_name.strip().casefold()
        for resident in self._residents.values():
            if (
                resident.face_name is not None
                and resident.face_name.casefold() == wanted
            ):
                return resident
        return None

    def resident_by_plate(self, plate: str) -> Resident | None:
        """Return the resident a plate is registered to, or None (also for unreadable text)."""
        try:
            canonical = normalize_plate(plate)
        except RegistryError:
            return None
        return self.vehicles().get(canonical)

    def vehicles(self) -> dict[str, Resident]:
        """Return canonical plate -> resident for every registered vehicle."""
        return {
            plate: resident
            for resident in self._residents.values()
            for plate in resident.plates
        }

    def add_resident(self, resident: Resident, *, replace: bool = False) -> Resident:
        """Add (or update) a resident; phone and plates are normalised."""
        _check_text(resident.resident_id, "bad_resident_id")
        _check_text(resident.name, "bad_name")
        self.household(resident.household_id)
        phone = None if resident.phone is None else normalize_phone(resident.phone)
        plates = tuple(normalize_plate(plate) for plate in resident.plates)
        if len(set(plates)) != len(plates):
            raise RegistryError("duplicate_plate", resident.resident_id)
        face = None
        if resident.face_name is not None:
            face = resident.face_name.strip()
            _check_text(face, "bad_face_name")
        self._check_replace(resident.resident_id, self._residents, replace, "resident")
        others = [
            other
            for other in self._residents.values()
            if other.resident_id != resident.resident_id
        ]
        taken_plates = {plate for other in others for plate in other.plates}
        for plate in plates:
            if plate in taken_plates:
                raise RegistryError("duplicate_plate", plate)
        if face is not None and any(
            other.face_name is not None
            and other.face_name.casefold() == face.casefold()
            for other in others
        ):
            raise RegistryError("duplicate_face", face)
        stored = Resident(
            resident.resident_id,
            resident.name,
            resident.household_id,
            ResidentRole(resident.role),
            phone,
            face,
            plates,
        )
        self._residents[stored.resident_id] = stored
        return stored

    def remove_resident(self, resident_id: str) -> Resident:
        """Remove a resident."""
        resident = self.resident(resident_id)
        del self._residents[resident_id]
        return resident

    # Duty staff

    @property
    def staff(self) -> list[DutyStaff]:
        """Return every duty-room user, sorted by user id."""
        return [self._staff[key] for key in sorted(self._staff)]

    def staff_member(self, user_id: str) -> DutyStaff | None:
        """Return the duty-room entry of a Home Assistant user, or None."""
        return self._staff.get(user_id)

    def is_manager(self, user_id: str) -> bool:
        """Return True when the user is a duty-room manager."""
        member = self._staff.get(user_id)
        return member is not None and member.role is StaffRole.MANAGER

    def add_staff(self, member: DutyStaff, *, replace: bool = False) -> DutyStaff:
        """Add (or update) a duty-room user."""
        _check_text(member.user_id, "bad_user_id")
        _check_text(member.name, "bad_name")
        self._check_replace(member.user_id, self._staff, replace, "staff")
        stored = DutyStaff(member.user_id, member.name, StaffRole(member.role))
        self._staff[stored.user_id] = stored
        return stored

    def remove_staff(self, user_id: str) -> DutyStaff:
        """Remove a duty-room user."""
        try:
            return self._staff.pop(user_id)
        except KeyError:
            raise RegistryError("unknown_staff", user_id) from None

    # Persistence

    def as_dict(self) -> dict[str, Any]:
        """Return the registry as JSON-ready data for storage."""
        return {
            "version": STORAGE_VERSION,
            "buildings": [item.as_dict() for item in self.buildings],
            "households": [item.as_dict() for item in self.households],
            "residents": [item.as_dict() for item in self.residents],
            "staff": [item.as_dict() for item in self.staff],
        }

    def load(self, data: Mapping[str, Any] | None) -> None:
        """Replace the registry's content with persisted data, validating every rule."""
        fresh = Registry()
        if data:
            try:
                for building in data.get("buildings", ()):
                    fresh.add_building(Building.from_dict(building))
                for household in data.get("households", ()):
                    fresh.add_household(Household.from_dict(household))
                for resident in data.get("residents", ()):
                    fresh.add_resident(Resident.from_dict(resident))
                for member in data.get("staff", ()):
                    fresh.add_staff(DutyStaff.from_dict(member))
            except (
                AttributeError,
                KeyError,
                TypeError,
                ValueError,
                RegistryError,
            ) as err:
                raise CorruptStateError(str(err)) from err
        self._buildings = fresh._buildings
        self._households = fresh._households
        self._residents = fresh._residents
        self._staff = fresh._staff

    @staticmethod
    def _check_replace(
        key: str, existing: Mapping[str, object], replace: bool, what: str
    ) -> None:
        """Refuse a duplicate id, or a replacement of something that does not exist."""
        if replace and key not in existing:
            raise RegistryError(f"unknown_{what}", key)
        if not replace and key in existing:
            raise RegistryError(f"duplicate_{what}", key)


def _check_text(value: object, key: str) -> None:
    """Raise `key` unless value is a non-empty, reasonably short string."""
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
        raise RegistryError(key, str(value))


def _as_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _as_str(value)


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _str_tuple(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return tuple(_as_str(item) for item in value)
