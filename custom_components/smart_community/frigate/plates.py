"""Licence plate normalisation (Chinese plates first, any plate tolerated) and fuzzy matching."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
import unicodedata

PROVINCES = frozenset("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
SPECIAL_SUFFIXES = frozenset("学警港澳挂领使试超")
# Chinese plates never use I or O; OCR reads them where 1 and 0 are printed.
_SERIAL_FIXES = str.maketrans({"O": "0", "I": "1"})
# The issuing-office letter is never a digit; the usual OCR swaps back to letters.
_LETTER_FIXES = str.maketrans(
    {"0": "D", "8": "B", "2": "Z", "5": "S", "6": "G", "4": "A"}
)
_ASCII_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_FUZZY_MIN_LENGTH = 5
DEFAULT_MAX_DISTANCE = 1


class PlateKind(StrEnum):
    """Shape of a normalised plate."""

    CN_REGULAR = "cn_regular"
    CN_NEW_ENERGY = "cn_new_energy"
    CN_SPECIAL = "cn_special"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Plate:
    """A normalised plate: upper-case letters and digits (and Chinese characters)."""

    text: str
    kind: PlateKind

    @property
    def province(self) -> str | None:
        """Return the province character of a plate that starts with one."""
        return self.text[0] if self.text and self.text[0] in PROVINCES else None

    @property
    def body(self) -> str:
        """Return the plate without its province character, O/I folded onto 0/1."""
        tail = self.text[1:] if self.province else self.text
        return tail.translate(_SERIAL_FIXES)


def _clean(raw: str) -> str:
    """Fold width and case and keep letters, digits and CJK characters only."""
    text = unicodedata.normalize("NFKC", raw).upper()
    return "".join(
        ch
        for ch in text
        if ch in _ASCII_ALNUM or ch in PROVINCES or ch in SPECIAL_SUFFIXES
    )


def _chinese(text: str) -> Plate | None:
    """Return the Chinese reading of `text` (province, letter, 5 or 6 characters) if it fits."""
    if len(text) not in {7, 8} or text[0] not in PROVINCES:
        return None
    letter = text[1].translate(_LETTER_FIXES)
    serial = text[2:]
    suffix = ""
    if len(serial) == 5 and serial[-1] in SPECIAL_SUFFIXES:
        serial, suffix = serial[:-1], serial[-1]
    serial = serial.translate(_SERIAL_FIXES)
    if (
        not letter.isascii()
        or not letter.isalpha()
        or not all(ch in _ASCII_ALNUM for ch in serial)
    ):
        return None
    text = f"{text[0]}{letter}{serial}{suffix}"
    if suffix:
        return Plate(text, PlateKind.CN_SPECIAL)
    return Plate(
        text, PlateKind.CN_REGULAR if len(serial) == 5 else PlateKind.CN_NEW_ENERGY
    )


def normalize_plate(raw: str) -> Plate:
    """Normalise an OCR reading or a typed plate (spaces, dots, width, case, O/0, I/1)."""
    text = _clean(raw)
    return _chinese(text) or Plate(text, PlateKind.OTHER)


def _levenshtein(a: str, b: str) -> int:
    """Return the edit distance of two short strings."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (char_a != char_b),
                )
            )
        previous = current
    return previous[-1]


def plate_distance(a: Plate, b: Plate) -> int:
    """Return the edit distance of two plates; a missing province character costs nothing."""
    if a.province and b.province:
        return (a.province != b.province) + _levenshtein(a.body, b.body)
    return _levenshtein(a.body, b.body)


@dataclass(frozen=True, slots=True)
class PlateMatch[T]:
    """The registered plate an observation matched, its value and the edit distance."""

    plate: Plate
    value: T
    distance: int


def _deletions(text: str, depth: int) -> set[str]:
    """Return `text` and every string made by deleting up to `depth` characters."""
    found = {text}
    frontier = {text}
    for _ in range(depth):
        frontier = {
            word[:i] + word[i + 1 :] for word in frontier for i in range(len(word))
        }
        found |= frontier
    return found


class PlateIndex[T]:
    """Registered plates with their values; a deletion index finds fuzzy candidates fast."""

    __slots__ = ("_by_key", "_entries", "max_distance")

    def __init__(
        self, entries: Iterable[tuple[str, T]], max_distance: int = DEFAULT_MAX_DISTANCE
    ) -> None:
        self.max_distance = max_distance
        self._entries: list[tuple[Plate, T]] = []
        self._by_key: dict[str, set[int]] = {}
        for raw, value in entries:
            plate = normalize_plate(raw)
            if plate.body:
                for key in _deletions(plate.body, max_distance):
                    self._by_key.setdefault(key, set()).add(len(self._entries))
                self._entries.append((plate, value))

    def __len__(self) -> int:
        return len(self._entries)

    def matches(self, observed: Plate) -> list[PlateMatch[T]]:
        """Return every registered plate within the distance (exact only for short plates)."""
        if not observed.body:
            return []
        depth = self.max_distance if len(observed.body) >= _FUZZY_MIN_LENGTH else 0
        indices: set[int] = set()
        for key in _deletions(observed.body, depth):
            indices |= self._by_key.get(key, set())
        found: list[PlateMatch[T]] = []
        for index in sorted(indices):
            plate, value = self._entries[index]
            distance = plate_distance(observed, plate)
            if distance <= self.max_distance and (depth or plate.body == observed.body):
                found.append(PlateMatch(plate, value, distance))
        return found

    def lookup(self, observed: Plate) -> PlateMatch[T] | None:
        """Return the single closest registered plate within the distance, or None."""
        found = self.matches(observed)
        if not found:
            return None
        nearest = min(match.distance for match in found)
        best = [match for match in found if match.distance == nearest]
        if len({match.plate.text for match in best}) > 1:
            return None
        return best[0]


def plates_match(a: Plate, b: Plate, max_distance: int = DEFAULT_MAX_DISTANCE) -> bool:
    """Return True when two plates are the same within `max_distance` (exact when short)."""
    if not a.body or not b.body:
        return False
    if min(len(a.body), len(b.body)) < _FUZZY_MIN_LENGTH:
        return a.body == b.body and (
            a.province is None or b.province is None or a.province == b.province
        )
    return plate_distance(a, b) <= max_distance
