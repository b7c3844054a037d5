"""Link codes: what the community hands a household so its Home Assistant can join the link.

A link code is ``SC1-`` followed by the base64url (unpadded) UTF-8 JSON of the household's id, the
community id, its secret key, the community's broadcast key and, for MQTT, the broker address
and the household's own broker credentials. It is a secret: whoever holds it can speak for the
household on the link. The property gives it to the family once (printed, or as a QR code).
"""

import base64
import binascii
from dataclasses import dataclass
import json
from typing import Any, Final, Self

from .broker import key_from_text
from .protocol import is_valid_name

PREFIX: Final = "SC1-"
MAX_CODE_LENGTH: Final = 4096


class LinkCodeError(ValueError):
    """The text is not a valid link code."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkCode:
    """Everything a household needs to join its community's link."""

    community: str
    household: str
    key: str
    broadcast_key: str
    host: str | None = None
    port: int | None = None
    tls: bool = False
    username: str | None = None
    password: str | None = None

    @property
    def uses_mqtt(self) -> bool:
        """Return True when the code names a broker."""
        return self.host is not None

    def encode(self) -> str:
        """Return the code as text."""
        data: dict[str, Any] = {
            "c": self.community,
            "h": self.household,
            "k": self.key,
            "b": self.broadcast_key,
        }
        if self.host is not None:
            data |= {
                "host": self.host,
                "port": self.port,
                "tls": self.tls,
                "u": self.username,
                "p": self.password,
            }
        raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
        return PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Self:
        """Parse a code, raising LinkCodeError on anything malformed."""
        text = "".join(text.split())
        if not text.startswith(PREFIX) or len(text) > MAX_CODE_LENGTH:
            raise LinkCodeError("not a link code")
        payload = text.removeprefix(PREFIX)
        try:
            raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            data = json.loads(raw.decode())
        except (binascii.Error, ValueError, UnicodeDecodeError) as err:
            raise LinkCodeError("unreadable link code") from err
        if not isinstance(data, dict):
            raise LinkCodeError("unreadable link code")
        community: Any = data.get("c")
        household: Any = data.get("h")
        key: Any = data.get("k")
        broadcast_key: Any = data.get("b")
        if not (is_valid_name(community) and is_valid_name(household)):
            raise LinkCodeError("bad community or household id")
        if not (_is_key(key) and _is_key(broadcast_key)):
            raise LinkCodeError("bad key")
        host = data.get("host")
        if host is None:
            return cls(
                community=community,
                household=household,
                key=key,
                broadcast_key=broadcast_key,
            )
        port, tls = data.get("port"), data.get("tls", False)
        username, password = data.get("u"), data.get("p")
        if (
            not isinstance(host, str)
            or not host
            or isinstance(port, bool)
            or not isinstance(port, int)
            or not 0 < port < 65536
            or not isinstance(tls, bool)
            or not isinstance(username, str)
            or not isinstance(password, str)
        ):
            raise LinkCodeError("bad broker settings")
        return cls(
            community=community,
            household=household,
            key=key,
            broadcast_key=broadcast_key,
            host=host,
            port=port,
            tls=tls,
            username=username,
            password=password,
        )


def _is_key(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 256:
        return False
    try:
        key_from_text(value)
    except ValueError:
        return False
    return True
