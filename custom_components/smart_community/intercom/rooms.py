"""Read the room a visitor asks for, typed or spoken, into a household id such as ``3-2-1502``.

Accepted forms include ``3-2-1502``, ``3栋2单元1502``, ``3号楼2单元1502室``,
``三栋二单元一五零二`` (Chinese numerals read digit by digit or positionally, ``一千五百零二``),
``building 3 unit 2 room 1502`` (English number words too) and a bare ``1502`` or ``2单元1502``
when the door station supplies its own building and unit as context.

Numbers carry a role from a marker next to them: Chinese markers follow the number
(``栋``/``号楼``/``幢``/``座``/``楼`` building, ``单元``/``门`` unit, ``室``/``房``/``户``/``号`` room), English
markers precede it (``building``/``block``/``tower``, ``unit``/``entrance``, ``room``/``flat``/``apt``/``#``).
Unmarked numbers fill the roles left over, right-aligned (room last), so ``2-1502`` is unit 2,
room 1502. Every failure raises :class:`RoomError` with a stable :class:`RoomErrorKey`.
"""

from dataclasses import dataclass
from enum import StrEnum
import re
from typing import Final
import unicodedata

MAX_TEXT: Final = 200

_ZH_DIGITS: Final = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "幺": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
_ZH_TEN_THOUSAND: Final = "万"
_ZH_RUN_RE: Final = re.compile(f"[{''.join(_ZH_DIGITS)}{''.join(_ZH_UNITS)}万]+")
_ZH_FILLERS: Final = ("一下", "一个")

_EN_NUMBERS: Final = {
    "zero": 0,
    "oh": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_WORD: Final = "|".join(sorted(_EN_NUMBERS, key=len, reverse=True))
_EN_RUN_RE: Final = re.compile(
    rf"(?<![a-z])(?:{_EN_WORD})(?:[\s-]+(?:{_EN_WORD}))*(?![a-z])"
)

_BUILDING: Final = "building"
_UNIT: Final = "unit"
_ROOM: Final = "room"
_WEAK: Final = (
    "weak"  # 号 after a number: a building if more numbers follow, else a room
)
_ROLES: Final = (_BUILDING, _UNIT, _ROOM)

_PREFIXES: Final = {
    "building": _BUILDING,
    "bldg": _BUILDING,
    "block": _BUILDING,
    "blk": _BUILDING,
    "tower": _BUILDING,
    "unit": _UNIT,
    "entrance": _UNIT,
    "room": _ROOM,
    "rm": _ROOM,
    "flat": _ROOM,
    "apartment": _ROOM,
    "apt": _ROOM,
    "number": _ROOM,
    "no": _ROOM,
    "#": _ROOM,
}
_SUFFIXES: Final = {
    "号楼": _BUILDING,
    "号栋": _BUILDING,
    "栋": _BUILDING,
    "幢": _BUILDING,
    "座": _BUILDING,
    "楼": _BUILDING,
    "单元": _UNIT,
    "门": _UNIT,
    "号房": _ROOM,
    "室": _ROOM,
    "房": _ROOM,
    "户": _ROOM,
    "号": _WEAK,
}
_EN_PREFIX_WORDS: Final = "|".join(
    sorted((word for word in _PREFIXES if word != "#"), key=len, reverse=True)
)
_SUFFIX_WORDS: Final = "|".join(sorted(_SUFFIXES, key=len, reverse=True))
_TOKEN_RE: Final = re.compile(
    rf"(?P<prefix>(?<![a-z])(?:{_EN_PREFIX_WORDS})(?![a-z])|#)"
    rf"|(?P<suffix>{_SUFFIX_WORDS})"
    r"|(?P<value>(?<![a-z0-9])(?:[a-z]?[0-9]+|[a-z])(?![a-z0-9]))"
)
_PREFIX_GAP_RE: Final = re.compile(r"[\s.:#]*")
_SEP: Final = r"(?:\s*[-/_]\s*|\s+)"
_COMPACT_RE: Final = re.compile(
    rf"([a-z]?[0-9]+|[a-z]){_SEP}([0-9]+){_SEP}([0-9]+)\s*[室号房户]?"
)
_BUILDING_RE: Final = re.compile(r"([a-z]?)([0-9]{0,4})")
_MAX_DIGITS: Final = {_BUILDING: 4, _UNIT: 3, _ROOM: 6}


class RoomErrorKey(StrEnum):
    """Why a room could not be read."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_ROOM = "no_room"
    AMBIGUOUS = "ambiguous"
    TOO_MANY_NUMBERS = "too_many_numbers"
    BAD_NUMBER = "bad_number"
    BAD_BUILDING = "bad_building"
    BAD_UNIT = "bad_unit"
    BAD_ROOM = "bad_room"
    MISSING_BUILDING = "missing_building"
    MISSING_UNIT = "missing_unit"


class RoomError(ValueError):
    """The text names no single room; ``key`` is a stable translation key."""

    def __init__(self, key: RoomErrorKey, text: str) -> None:
        super().__init__(f"{key}: {text[:MAX_TEXT]!r}")
        self.key = key
        self.text = text


@dataclass(frozen=True, slots=True)
class RoomAddress:
    """A building, unit and room in their normalised forms."""

    building: str
    unit: str
    room: str

    @property
    def household_id(self) -> str:
        """Return the conventional household id ``building-unit-room``."""
        return f"{self.building}-{self.unit}-{self.room}"


@dataclass(slots=True)
class _Value:
    """A number found in the text and the role its markers give it."""

    text: str
    end: int
    role: str | None = None


def parse_room(
    text: str, *, building: str | None = None, unit: str | None = None
) -> RoomAddress:
    """Read a room from text; building and unit are the door station's own, as context."""
    if not isinstance(text, str) or not text.strip():
        raise RoomError(RoomErrorKey.EMPTY, str(text))
    if len(text) > MAX_TEXT:
        raise RoomError(RoomErrorKey.TOO_LONG, text)
    normal = _normalise(text)
    if compact := _COMPACT_RE.fullmatch(normal.strip()):
        roles = dict(zip(_ROLES, compact.groups(), strict=True))
    else:
        roles = _assign(_values(normal, text), text)
    return _address(roles, text, building, unit)


def parse_household_id(
    text: str, *, building: str | None = None, unit: str | None = None
) -> str:
    """Read a room from text and return its household id (``3-2-1502``)."""
    return parse_room(text, building=building, unit=unit).household_id


def chinese_number(run: str) -> int:
    """Return the value of Chinese numerals, digit by digit (一五零二) or positional (一千五百零二)."""
    if not run or any(
        ch not in _ZH_DIGITS and ch not in _ZH_UNITS and ch != _ZH_TEN_THOUSAND
        for ch in run
    ):
        raise RoomError(RoomErrorKey.BAD_NUMBER, run)
    if all(ch in _ZH_DIGITS for ch in run):
        return int("".join(str(_ZH_DIGITS[ch]) for ch in run))
    return _positional(run)


def _positional(run: str) -> int:
    """Return the value of a positional Chinese numeral such as 一千五百零二 or 一千五."""
    total = 0
    section = 0
    digit: int | None = None
    section_unit = 0  # the smallest unit used in this section, to refuse 十百
    last_unit = 0
    zero_seen = False
    for ch in run:
        if ch in _ZH_DIGITS:
            value = _ZH_DIGITS[ch]
            if value == 0:
                if digit is not None:
                    raise RoomError(RoomErrorKey.BAD_NUMBER, run)
                zero_seen = True
                continue
            if digit is not None:
                raise RoomError(RoomErrorKey.BAD_NUMBER, run)
            digit = value
        elif ch == _ZH_TEN_THOUSAND:
            if total or (section == 0 and digit is None):
                raise RoomError(RoomErrorKey.BAD_NUMBER, run)
            total = (section + (digit or 0)) * 10000
            section, digit, section_unit, zero_seen = 0, None, 0, False
            last_unit = 10000
        else:
            unit = _ZH_UNITS[ch]
            if section_unit and unit >= section_unit:
                raise RoomError(RoomErrorKey.BAD_NUMBER, run)
            section += (1 if digit is None else digit) * unit
            digit, section_unit, last_unit, zero_seen = None, unit, unit, False
    if digit is not None:
        # 一千五 is 1500 and 一万五 15000 (the unit below is implied); 一千零五 is 1005.
        section += digit * (
            last_unit // 10 if last_unit >= 100 and not zero_seen else 1
        )
    return total + section


def _english_run(match: re.Match[str]) -> str:
    """Return the digits spoken by a run of English number words."""
    words = re.split(r"[\s-]+", match.group())
    if words == ["oh"]:
        return match.group()
    digits: list[str] = []
    index = 0
    while index < len(words):
        value = _EN_NUMBERS[words[index]]
        following = _EN_NUMBERS[words[index + 1]] if index + 1 < len(words) else 0
        if value >= 20 and 0 < following < 10:
            digits.append(str(value + following))
            index += 2
        else:
            digits.append(str(value))
            index += 1
    return f" {''.join(digits)} "


def _zh_run(match: re.Match[str]) -> str:
    """Return the digits of a run of Chinese numerals."""
    return str(chinese_number(match.group()))


def _normalise(text: str) -> str:
    """Fold widths and case, drop fillers and turn spoken numbers into digits."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    for filler in _ZH_FILLERS:
        normal = normal.replace(filler, " ")
    normal = _ZH_RUN_RE.sub(_zh_run, normal)
    return _EN_RUN_RE.sub(_english_run, normal)


def _values(normal: str, text: str) -> list[_Value]:
    """Return the numbers of the text with the roles their markers give them."""
    values: list[_Value] = []
    prefix: tuple[str, int] | None = None
    for match in _TOKEN_RE.finditer(normal):
        if (word := match.group("prefix")) is not None:
            prefix = (_PREFIXES[word], match.end())
        elif (word := match.group("suffix")) is not None:
            if values and not normal[values[-1].end : match.start()].strip():
                _give(values[-1], _SUFFIXES[word], text)
        else:
            value = _Value(match.group("value"), match.end())
            if prefix is not None and _PREFIX_GAP_RE.fullmatch(
                normal[prefix[1] : match.start()]
            ):
                value.role = prefix[0]
            prefix = None
            values.append(value)
    for index, value in enumerate(values):
        if value.role == _WEAK:
            value.role = _BUILDING if index == 0 and len(values) > 1 else _ROOM
    # A lone letter with no marker is a word such as "a", not a building.
    return [v for v in values if v.role is not None or not v.text.isalpha()]


def _give(value: _Value, role: str, text: str) -> None:
    """Give a number the role of a marker after it, refusing a contradiction."""
    if value.role is not None and value.role != role:
        raise RoomError(RoomErrorKey.AMBIGUOUS, text)
    value.role = role


def _assign(values: list[_Value], text: str) -> dict[str, str]:
    """Map each role to its number: marked ones first, the rest right-aligned."""
    roles: dict[str, str] = {}
    for value in values:
        if value.role is not None:
            if value.role in roles:
                raise RoomError(RoomErrorKey.AMBIGUOUS, text)
            roles[value.role] = value.text
    unmarked = [value.text for value in values if value.role is None]
    free = [role for role in _ROLES if role not in roles]
    if len(unmarked) > len(free):
        raise RoomError(RoomErrorKey.TOO_MANY_NUMBERS, text)
    roles.update(zip(free[len(free) - len(unmarked) :], unmarked, strict=True))
    return roles


def _address(
    roles: dict[str, str], text: str, building: str | None, unit: str | None
) -> RoomAddress:
    """Validate the parts, complete them from the context and build the address."""
    if _ROOM not in roles:
        raise RoomError(RoomErrorKey.NO_ROOM, text)
    room = _number(roles[_ROOM], _ROOM, RoomErrorKey.BAD_ROOM, text)
    context_building = None if building is None else normalise_building(building, text)
    if _BUILDING in roles:
        found_building = normalise_building(roles[_BUILDING], text)
    elif context_building is not None:
        found_building = context_building
    else:
        raise RoomError(RoomErrorKey.MISSING_BUILDING, text)
    if _UNIT in roles:
        found_unit = _number(roles[_UNIT], _UNIT, RoomErrorKey.BAD_UNIT, text)
    elif unit is not None and found_building == context_building:
        found_unit = _number(unit, _UNIT, RoomErrorKey.BAD_UNIT, text)
    else:
        raise RoomError(RoomErrorKey.MISSING_UNIT, text)
    return RoomAddress(found_building, found_unit, room)


def normalise_building(value: str, text: str | None = None) -> str:
    """Return a building id as ids spell it (``3``, ``A``, ``A3``) or raise bad_building."""
    match = _BUILDING_RE.fullmatch(unicodedata.normalize("NFKC", value).casefold())
    if match is None or not any(match.groups()):
        raise RoomError(RoomErrorKey.BAD_BUILDING, value if text is None else text)
    letter, digits = match.groups()
    if digits and int(digits) == 0:
        raise RoomError(RoomErrorKey.BAD_BUILDING, value if text is None else text)
    return letter.upper() + (str(int(digits)) if digits else "")


def _number(value: str, role: str, key: RoomErrorKey, text: str) -> str:
    """Return a unit or room number without leading zeros, or raise key."""
    value = unicodedata.normalize("NFKC", value).strip()
    stripped = value.lstrip("0")
    if (
        not value.isascii()
        or not value.isdigit()
        or not stripped
        or len(stripped) > _MAX_DIGITS[role]
    ):
        raise RoomError(key, text)
    return stripped
