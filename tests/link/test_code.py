"""Link codes: round trips, and anything else is refused with one error type."""

import base64
import contextlib
import json

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.smart_community.link.broker import generate_key
from custom_components.smart_community.link.code import LinkCode, LinkCodeError

KEY = generate_key()
names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True)


def _raw(data: object) -> str:
    return "SC1-" + base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip(
        "="
    )


@given(
    community=names,
    household=names,
    mqtt=st.booleans(),
    port=st.integers(1, 65535),
    tls=st.booleans(),
    password=st.text(max_size=30),
)
@settings(max_examples=100, deadline=None)
def test_round_trip(
    community: str, household: str, mqtt: bool, port: int, tls: bool, password: str
) -> None:
    """Every valid code decodes to what was encoded, whitespace and line breaks aside."""
    code = LinkCode(
        community=community,
        household=household,
        key=KEY,
        broadcast_key=KEY,
        host="broker.example" if mqtt else None,
        port=port if mqtt else None,
        tls=tls if mqtt else False,
        username="user" if mqtt else None,
        password=password if mqtt else None,
    )
    text = code.encode()
    assert LinkCode.decode(f"  {text[:10]}\n{text[10:]} ") == code
    assert code.uses_mqtt is mqtt


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_arbitrary_text(text: str) -> None:
    """Arbitrary text never raises anything but LinkCodeError."""
    with contextlib.suppress(LinkCodeError):
        LinkCode.decode(text)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["c", "h", "k", "b", "host", "port", "tls", "u", "p"]),
                children,
                max_size=9,
            )
        ),
        max_leaves=12,
    )
)
@settings(max_examples=300, deadline=None)
def test_arbitrary_json(data: object) -> None:
    """Arbitrary JSON in a well-formed wrapper never raises anything but LinkCodeError."""
    with contextlib.suppress(LinkCodeError):
        LinkCode.decode(_raw(data))


BASE = {"c": "sunny", "h": "3-2-1502", "k": KEY, "b": KEY}


@pytest.mark.parametrize(
    "text",
    [
        "nonsense",
        "SC1-" + "A" * 5000,
        "SC1-%%%%",
        "SC1-" + base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _raw([1, 2]),
        _raw({**BASE, "c": "bad id!"}),
        _raw({**BASE, "k": "short"}),
        _raw({**BASE, "b": 5}),
        _raw({**BASE, "host": "", "port": 1883, "tls": False, "u": "u", "p": "p"}),
        _raw({**BASE, "host": "h", "port": True, "tls": False, "u": "u", "p": "p"}),
        _raw({**BASE, "host": "h", "port": 70000, "tls": False, "u": "u", "p": "p"}),
        _raw({**BASE, "host": "h", "port": 1883, "tls": "yes", "u": "u", "p": "p"}),
        _raw({**BASE, "host": "h", "port": 1883, "tls": False, "u": None, "p": "p"}),
    ],
)
def test_refused(text: str) -> None:
    """Malformed codes are refused with a clear error."""
    with pytest.raises(LinkCodeError):
        LinkCode.decode(text)
