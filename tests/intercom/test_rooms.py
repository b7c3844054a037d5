"""Reading the room a visitor types or says into a household id."""

from hypothesis import given, strategies as st
import pytest

from custom_components.smart_community.intercom.rooms import (
    MAX_TEXT,
    RoomAddress,
    RoomError,
    RoomErrorKey,
    chinese_number,
    normalise_building,
    parse_household_id,
    parse_room,
)

ZH_DIGITS = "零一二三四五六七八九"
EN_DIGITS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
)


def zh_digit_by_digit(number: str) -> str:
    return "".join(ZH_DIGITS[int(d)] for d in number)


def zh_positional(n: int, *, liang: bool = False) -> str:
    """Render 1..9999 the way people read numbers aloud (一千五百零二, 十五)."""
    if n < 10:
        return ZH_DIGITS[n]
    out = ""
    zero = False
    started = False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = zero or started
            continue
        if zero:
            out += "零"
            zero = False
        if not (not started and value == 10 and digit == 1):
            out += "两" if liang and digit == 2 and value >= 100 else ZH_DIGITS[digit]
        out += name
        started = True
    return out


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("3-2-1502", {}, "3-2-1502"),
        ("3/2/1502", {}, "3-2-1502"),
        ("3 2 1502", {}, "3-2-1502"),
        ("3栋2单元1502", {}, "3-2-1502"),
        ("3号楼2单元1502室", {}, "3-2-1502"),
        ("3幢2单元1502号", {}, "3-2-1502"),
        ("3号2单元15号", {}, "3-2-15"),
        ("三栋二单元一五零二", {}, "3-2-1502"),
        ("三号楼二单元一千五百零二室", {}, "3-2-1502"),
        ("三栋二单元一千五", {}, "3-2-1500"),
        ("十二栋一单元一千零五", {}, "12-1-1005"),
        ("幺五零二", {"building": "3", "unit": "2"}, "3-2-1502"),
        ("building 3 unit 2 room 1502", {}, "3-2-1502"),
        ("Building 3, Unit 2, Room 1502", {}, "3-2-1502"),
        ("block 12 entrance 1 flat 301", {}, "12-1-301"),
        ("room 1502, building 3, unit 2", {}, "3-2-1502"),
        ("building three unit two room fifteen oh two", {}, "3-2-1502"),
        ("building twenty one unit one room one two zero one", {}, "21-1-1201"),
        ("1502", {"building": "3", "unit": "2"}, "3-2-1502"),
        ("#1502", {"building": "3", "unit": "2"}, "3-2-1502"),
        ("1502室", {"building": "3", "unit": "2"}, "3-2-1502"),
        ("2单元1502", {"building": "3"}, "3-2-1502"),
        ("2-1502", {"building": "3"}, "3-2-1502"),
        ("3栋1502", {"building": "3", "unit": "2"}, "3-2-1502"),
        ("A栋2单元1502", {}, "A-2-1502"),
        ("a-2-1502", {}, "A-2-1502"),
        ("tower B unit 1 room 801", {}, "B-1-801"),
        ("Ｂ－２－０３０１", {}, "B-2-301"),
        ("０３栋０２单元０１５０２", {}, "3-2-1502"),
        ("请帮我找一下3栋2单元1502", {}, "3-2-1502"),
        ("I am visiting a friend in 1502", {"building": "3", "unit": "2"}, "3-2-1502"),
    ],
)
def test_parse_examples(text: str, context: dict[str, str], expected: str) -> None:
    """Typed and spoken forms in both languages read as the same household id."""
    assert parse_household_id(text, **context) == expected


@pytest.mark.parametrize(
    ("text", "context", "key"),
    [
        ("", {}, RoomErrorKey.EMPTY),
        ("   ", {}, RoomErrorKey.EMPTY),
        ("1" * (MAX_TEXT + 1), {}, RoomErrorKey.TOO_LONG),
        ("hello", {}, RoomErrorKey.NO_ROOM),
        ("开门", {}, RoomErrorKey.NO_ROOM),
        ("3栋2单元", {}, RoomErrorKey.NO_ROOM),
        ("1502", {}, RoomErrorKey.MISSING_BUILDING),
        ("1502", {"building": "3"}, RoomErrorKey.MISSING_UNIT),
        ("5栋1502", {"building": "3", "unit": "2"}, RoomErrorKey.MISSING_UNIT),
        ("3栋4栋1502", {}, RoomErrorKey.AMBIGUOUS),
        ("unit 3栋 1502", {}, RoomErrorKey.AMBIGUOUS),
        ("room 3单元", {}, RoomErrorKey.AMBIGUOUS),
        ("1 2 3 4", {}, RoomErrorKey.TOO_MANY_NUMBERS),
        ("一五百", {}, RoomErrorKey.BAD_NUMBER),
        ("十百", {}, RoomErrorKey.BAD_NUMBER),
        ("五零十", {}, RoomErrorKey.BAD_NUMBER),
        ("万", {}, RoomErrorKey.BAD_NUMBER),
        ("一万二万", {}, RoomErrorKey.BAD_NUMBER),
        ("0-2-1502", {}, RoomErrorKey.BAD_BUILDING),
        ("12345栋2单元1502", {}, RoomErrorKey.BAD_BUILDING),
        ("3-0-1502", {}, RoomErrorKey.BAD_UNIT),
        ("3栋1234单元1502", {}, RoomErrorKey.BAD_UNIT),
        ("3栋a单元1502", {}, RoomErrorKey.BAD_UNIT),
        ("3-2-0", {}, RoomErrorKey.BAD_ROOM),
        ("3-2-1234567", {}, RoomErrorKey.BAD_ROOM),
        ("3栋2单元b12室", {}, RoomErrorKey.BAD_ROOM),
        ("1502", {"building": "3-", "unit": "2"}, RoomErrorKey.BAD_BUILDING),
        ("1502", {"building": "3", "unit": "x"}, RoomErrorKey.BAD_UNIT),
    ],
)
def test_parse_errors(text: str, context: dict[str, str], key: RoomErrorKey) -> None:
    """Each way of failing raises the typed error with its stable key."""
    with pytest.raises(RoomError) as caught:
        parse_room(text, **context)
    assert caught.value.key is key
    assert caught.value.text == text


def test_non_string_is_empty() -> None:
    """A non-string (a bad service call) is refused like empty text."""
    with pytest.raises(RoomError) as caught:
        parse_room(None)  # type: ignore[arg-type]
    assert caught.value.key is RoomErrorKey.EMPTY


@pytest.mark.parametrize(
    ("run", "value"),
    [
        ("一五零二", 1502),
        ("一千五百零二", 1502),
        ("一千零二十", 1020),
        ("两千", 2000),
        ("十五", 15),
        ("一十五", 15),
        ("二十", 20),
        ("一百一十", 110),
        ("一百五", 150),
        ("一万五", 15000),
        ("一万零五", 10005),
        ("〇", 0),
    ],
)
def test_chinese_number(run: str, value: int) -> None:
    """Digit-by-digit and positional Chinese numerals, with colloquial short forms."""
    assert chinese_number(run) == value


@pytest.mark.parametrize("run", ["", "一a", "十十"])
def test_chinese_number_refuses(run: str) -> None:
    """Empty runs, foreign characters and repeated units are bad numbers."""
    with pytest.raises(RoomError) as caught:
        chinese_number(run)
    assert caught.value.key is RoomErrorKey.BAD_NUMBER


def test_normalise_building() -> None:
    """Building ids drop leading zeros and capitalise letters; rubbish is refused."""
    assert normalise_building("03") == "3"
    assert normalise_building("ａ3") == "A3"
    for bad in ("", "0", "ab", "12345"):
        with pytest.raises(RoomError):
            normalise_building(bad)


def test_address_id() -> None:
    """The address spells the conventional household id."""
    assert RoomAddress("3", "2", "1502").household_id == "3-2-1502"


buildings = st.one_of(st.integers(1, 120).map(str), st.sampled_from("ABCDEFGH"))
units = st.integers(1, 9).map(str)
rooms = st.builds(
    lambda floor, flat: str(floor * 100 + flat), st.integers(1, 40), st.integers(1, 12)
)


def _zh_building(building: str, positional: bool, liang: bool = False) -> str:
    if building.isalpha():
        return building
    if positional:
        return zh_positional(int(building), liang=liang)
    return zh_digit_by_digit(building)


@st.composite
def rendered(draw: st.DrawFn) -> tuple[str, dict[str, str], str]:
    """An address rendered in one of the styles a visitor might use."""
    b, u, r = draw(buildings), draw(units), draw(rooms)
    expected = f"{b}-{u}-{r}"
    style = draw(st.integers(0, 8))
    b_mark = draw(st.sampled_from(["栋", "号楼", "幢", "座"]))
    r_mark = draw(st.sampled_from(["", "室", "号", "房"]))
    context: dict[str, str] = {}
    if style == 0:
        sep = draw(st.sampled_from(["-", "/", " - ", " "]))
        text = sep.join((b.lower() if draw(st.booleans()) else b, u, r))
    elif style == 1:
        text = f"{b}{b_mark}{u}单元{r}{r_mark}"
    elif style == 2:
        zb = _zh_building(b, positional=False)
        text = f"{zb}{b_mark}{zh_digit_by_digit(u)}单元{zh_digit_by_digit(r)}{r_mark}"
    elif style == 3:
        liang = draw(st.booleans())
        zb = _zh_building(b, positional=True, liang=liang)
        text = f"{zb}{b_mark}{zh_positional(int(u))}单元{zh_positional(int(r), liang=liang)}{r_mark}"
    elif style == 4:
        bw = draw(st.sampled_from(["building", "Building", "block", "tower", "bldg"]))
        rw = draw(st.sampled_from(["room", "flat", "apt", "apartment", "#", "no."]))
        text = f"{bw} {b}, unit {u}, {rw} {r}"
    elif style == 5:
        words = " ".join(EN_DIGITS[int(d)] for d in r)
        text = (
            f"building {b} unit {' '.join(EN_DIGITS[int(d)] for d in u)} room {words}"
        )
    elif style == 6:
        text = f"{r}{r_mark}"
        context = {"building": b, "unit": u}
    elif style == 7:
        text = f"{u}单元{r}{r_mark}"
        context = {"building": b}
    else:
        full = str.maketrans("0123456789-", "０１２３４５６７８９－")
        text = f"{b}-{u}-{r}".translate(full)
    return text, context, expected


@given(rendered())
def test_round_trip(case: tuple[str, dict[str, str], str]) -> None:
    """Every rendering of a generated id reads back as that id."""
    text, context, expected = case
    assert parse_household_id(text, **context) == expected


@given(st.integers(1, 99_999))
def test_positional_round_trip(n: int) -> None:
    """Positional Chinese numerals read back as their value."""
    if n < 10_000:
        assert chinese_number(zh_positional(n)) == n
        assert chinese_number(zh_positional(n, liang=True)) == n
    assert chinese_number(zh_digit_by_digit(str(n))) == n


_ALPHABET = st.sampled_from(
    [
        *"0123456789０１-/ #.,室号房户栋幢座楼门单元一二两三五九十百千万零〇幺abcAZ ",
        *("building ", "unit ", "room ", "one ", "oh ", "twenty ", "号楼", "一下"),
    ]
)


@given(
    st.one_of(st.text(max_size=260), st.lists(_ALPHABET, max_size=30).map("".join)),
    st.sampled_from([{}, {"building": "3"}, {"building": "3", "unit": "2"}]),
)
def test_arbitrary_text_raises_only_room_error(
    text: str, context: dict[str, str]
) -> None:
    """Whatever a visitor types, the parser answers an address or a typed error."""
    try:
        household_id = parse_household_id(text, **context)
    except RoomError as err:
        key: RoomErrorKey | None = err.key
    else:
        key = None
        assert parse_household_id(household_id) == household_id
    assert key is None or isinstance(key, RoomErrorKey)
