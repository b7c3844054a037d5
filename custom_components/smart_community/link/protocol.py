"""The household <-> community link protocol: envelopes, signatures, validation.

Wire format (protocol version 1): one UTF-8 JSON object per message, encoded
canonically (sorted keys, compact separators, non-ASCII kept as UTF-8)::

    {"body": {...}, "household": "a12", "id": "<32 hex>", "sender": "household",
     "sig": "<64 hex>", "ts": 1700000000.25, "type": "alarm_raised", "v": 1}

- ``id`` identifies the *message*; a retransmission keeps the id (so delivery is
  idempotent) but gets a fresh ``ts`` and a fresh signature.
- ``household`` is the household the message is from or for; ``"*"``
  (:data:`BROADCAST`) marks a community broadcast.
- ``sender`` is the role that signed the message (``household``/``community``).
- ``ts`` is the transmission time (seconds since the epoch); event times travel in
  the body (for example ``raised_at``).
- ``sig`` is the hex HMAC-SHA256 of the canonical encoding of every other field.

Key model: every household has its own secret key, shared only by that household
and the community. Everything a household sends, and everything the community
sends to that one household, is signed with it. Broadcasts are signed with the
community's broadcast key, which every household knows; a household can therefore
verify broadcasts but the broker ACL (not the key) stops it from publishing one,
and the community never accepts broadcasts.

:func:`decode` checks, in order: size, UTF-8, JSON, envelope shape, version, key,
signature, sender/type permissions, freshness, body schema and (with a
:class:`ReplayGuard`) replay. Each failure raises a :class:`LinkError` subclass
whose ``reason`` is a stable key used in :class:`LinkStats` and diagnostics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
import heapq
import hmac
import json
import math
import re
from typing import Any, ClassVar, Final
import uuid

PROTOCOL_VERSION: Final = 1
BROADCAST: Final = "*"
MAX_MESSAGE_BYTES: Final = 64 * 1024
DEFAULT_MAX_AGE: Final = 600.0
DEFAULT_MAX_SKEW: Final = 120.0

_ID_RE: Final = re.compile(r"[0-9a-f]{32}")
_NAME_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_SIG_RE: Final = re.compile(r"[0-9a-f]{64}")
_FIELDS: Final = frozenset({"v", "id", "type", "household", "sender", "ts", "body"})

type KeyLookup = Callable[[str], bytes | None]


class Role(StrEnum):
    """The two ends of the link."""

    HOUSEHOLD = "household"
    COMMUNITY = "community"

    @property
    def peer(self) -> Role:
        """Return the role at the other end of the link."""
        return Role.COMMUNITY if self is Role.HOUSEHOLD else Role.HOUSEHOLD


class MessageType(StrEnum):
    """Message types of protocol version 1."""

    ALARM_RAISED = "alarm_raised"
    ALARM_ACKNOWLEDGED = "alarm_acknowledged"
    ALARM_DISPATCHED = "alarm_dispatched"
    ALARM_RESOLVED = "alarm_resolved"
    ANNOUNCEMENT = "announcement"
    ANNOUNCEMENT_RECEIPT = "announcement_receipt"
    WORK_ORDER_CREATED = "work_order_created"
    WORK_ORDER_UPDATED = "work_order_updated"
    VISITOR_CALL = "visitor_call"
    VISITOR_ANSWER = "visitor_answer"
    OPEN_DOOR_REQUEST = "open_door_request"
    OPEN_DOOR_RESULT = "open_door_result"
    PRESENCE = "presence"
    VISITOR_PASS = "visitor_pass"  # noqa: S105 - a message type
    DELIVERY_ACK = "delivery_ack"
    LINK_ONLINE = "link_online"
    """Broadcast by the community's endpoint on every (re)connect: households re-send."""


class LinkError(Exception):
    """Base class of every rejection; ``reason`` is a stable key."""

    reason: ClassVar[str] = "error"


class MalformedMessage(LinkError):
    """The bytes are not a well-formed envelope."""

    reason = "malformed"


class MessageTooLarge(MalformedMessage):
    """The message exceeds :data:`MAX_MESSAGE_BYTES`."""

    reason = "too_large"


class InvalidBody(MalformedMessage):
    """The body does not match the schema of its message type."""

    reason = "invalid_body"


class UnsupportedVersion(LinkError):
    """The envelope uses a protocol version this code does not speak."""

    reason = "unsupported_version"


class UnknownHousehold(LinkError):
    """No key is known for the envelope's household."""

    reason = "unknown_household"


class BadSignature(LinkError):
    """The signature does not match (forged or corrupted)."""

    reason = "bad_signature"


class UnsignedMessage(BadSignature):
    """The envelope carries no signature."""

    reason = "unsigned"


class ForbiddenMessage(LinkError):
    """The signer's role may not send this message type or destination."""

    reason = "forbidden"


class StaleMessage(LinkError):
    """The timestamp is outside the accepted window."""

    reason = "stale"


class ReplayedMessage(LinkError):
    """This exact transmission was already seen."""

    reason = "replayed"


_HOUSEHOLD: Final = frozenset({Role.HOUSEHOLD})
_COMMUNITY: Final = frozenset({Role.COMMUNITY})
_BOTH: Final = frozenset(Role)


def _is_id(value: Any) -> bool:
    """Return whether value is a non-empty short string."""
    return isinstance(value, str) and 0 < len(value) <= 128


def _is_text(value: Any) -> bool:
    """Return whether value is a string."""
    return isinstance(value, str)


def _is_number(value: Any) -> bool:
    """Return whether value is a finite int or float (not a bool)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _is_bool(value: Any) -> bool:
    """Return whether value is a bool."""
    return isinstance(value, bool)


def _is_object(value: Any) -> bool:
    """Return whether value is a JSON object."""
    return isinstance(value, dict)


@dataclass(frozen=True, slots=True)
class BodySchema:
    """Required and optional body fields of one message type and who may send it."""

    senders: frozenset[Role]
    required: Mapping[str, Callable[[Any], bool]]
    optional: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)


SCHEMAS: Final[Mapping[MessageType, BodySchema]] = {
    MessageType.ALARM_RAISED: BodySchema(
        _HOUSEHOLD,
        {"alarm_id": _is_id, "kind": _is_id, "raised_at": _is_number},
        {
            "severity": _is_id,
            "location": _is_text,
            "source": _is_text,
            "details": _is_object,
        },
    ),
    MessageType.ALARM_ACKNOWLEDGED: BodySchema(
        _BOTH, {"alarm_id": _is_id}, {"by": _is_text}
    ),
    MessageType.ALARM_DISPATCHED: BodySchema(
        _COMMUNITY, {"alarm_id": _is_id}, {"responder": _is_text}
    ),
    MessageType.ALARM_RESOLVED: BodySchema(
        _BOTH, {"alarm_id": _is_id}, {"by": _is_text, "note": _is_text}
    ),
    MessageType.ANNOUNCEMENT: BodySchema(
        _COMMUNITY,
        {"announcement_id": _is_id, "title": _is_text, "message": _is_text},
        {"priority": _is_id, "receipt": _is_bool},
    ),
    MessageType.ANNOUNCEMENT_RECEIPT: BodySchema(
        _HOUSEHOLD, {"announcement_id": _is_id}
    ),
    MessageType.WORK_ORDER_CREATED: BodySchema(
        _BOTH,
        {"work_order_id": _is_id, "title": _is_text},
        {"description": _is_text, "category": _is_id},
    ),
    MessageType.WORK_ORDER_UPDATED: BodySchema(
        _BOTH, {"work_order_id": _is_id, "status": _is_id}, {"note": _is_text}
    ),
    MessageType.VISITOR_CALL: BodySchema(
        _COMMUNITY, {"call_id": _is_id, "gate": _is_id}, {"visitor": _is_text}
    ),
    MessageType.VISITOR_ANSWER: BodySchema(
        _HOUSEHOLD, {"call_id": _is_id, "answer": _is_id}
    ),
    MessageType.OPEN_DOOR_REQUEST: BodySchema(
        _HOUSEHOLD, {"request_id": _is_id, "door": _is_id}, {"call_id": _is_id}
    ),
    MessageType.OPEN_DOOR_RESULT: BodySchema(
        _COMMUNITY, {"request_id": _is_id, "allowed": _is_bool}, {"reason": _is_id}
    ),
    MessageType.PRESENCE: BodySchema(
        _BOTH,
        {"subject": _is_id, "direction": _is_id, "at": _is_number},
        {"gate": _is_id},
    ),
    MessageType.VISITOR_PASS: BodySchema(
        _HOUSEHOLD,
        {"pass_id": _is_id, "valid_from": _is_number, "valid_until": _is_number},
        {"plate": _is_text, "name": _is_text},
    ),
    MessageType.DELIVERY_ACK: BodySchema(_BOTH, {"ack": _is_id}),
    MessageType.LINK_ONLINE: BodySchema(_COMMUNITY, {}),
}

BROADCAST_TYPES: Final = frozenset({MessageType.ANNOUNCEMENT, MessageType.LINK_ONLINE})
_TYPES: Final = frozenset(str(member) for member in MessageType)
_ROLES: Final = frozenset(str(member) for member in Role)


def is_valid_name(value: Any) -> bool:
    """Return whether value may be a household or community id (topic- and username-safe)."""
    return isinstance(value, str) and _NAME_RE.fullmatch(value) is not None


def new_message_id() -> str:
    """Return a fresh message id (uuid4 hex)."""
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Envelope:
    """One link message; ``sig`` is empty until encoded."""

    id: str
    type: MessageType
    household: str
    sender: Role
    ts: float
    body: dict[str, Any]
    v: int = PROTOCOL_VERSION
    sig: str = ""

    @property
    def is_broadcast(self) -> bool:
        """Return whether this is a community broadcast."""
        return self.household == BROADCAST

    def unsigned_dict(self) -> dict[str, Any]:
        """Return the JSON object of every field but the signature."""
        return {
            "v": self.v,
            "id": self.id,
            "type": str(self.type),
            "household": self.household,
            "sender": str(self.sender),
            "ts": self.ts,
            "body": self.body,
        }


def create(
    message_type: MessageType,
    body: Mapping[str, Any],
    *,
    household: str,
    sender: Role,
    now: float,
    message_id: str | None = None,
) -> Envelope:
    """Build and validate an unsigned envelope; raise a LinkError if it is invalid."""
    envelope = Envelope(
        id=message_id or new_message_id(),
        type=MessageType(message_type),
        household=household,
        sender=Role(sender),
        ts=float(now),
        body=dict(body),
    )
    obj = envelope.unsigned_dict()
    _check_shape(obj)
    _check_permissions(envelope)
    _check_body(envelope.type, envelope.body)
    return envelope


def canonical(obj: Mapping[str, Any]) -> bytes:
    """Return the canonical UTF-8 JSON encoding of obj."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def signature(obj: Mapping[str, Any], key: bytes) -> str:
    """Return the hex HMAC-SHA256 of the canonical encoding of obj."""
    return hmac.new(key, canonical(obj), "sha256").hexdigest()


def encode(envelope: Envelope, key: bytes) -> bytes:
    """Sign envelope with key and return the wire bytes."""
    obj = envelope.unsigned_dict()
    try:
        obj["sig"] = signature(obj, key)
        raw = canonical(obj)
    except (TypeError, ValueError) as err:
        raise InvalidBody(f"body is not JSON: {err}") from None
    if len(raw) > MAX_MESSAGE_BYTES:
        raise MessageTooLarge(f"{len(raw)} bytes")
    return raw


def _reject_constant(name: str) -> Any:
    """Refuse NaN and Infinity in JSON input."""
    raise MalformedMessage(f"non-finite number {name}")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build a JSON object, refusing duplicate keys."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise MalformedMessage("duplicate key")
    return obj


def _parse(raw: bytes) -> dict[str, Any]:
    """Parse raw bytes into a JSON object."""
    if not isinstance(raw, bytes | bytearray):
        raise MalformedMessage("payload is not bytes")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise MessageTooLarge(f"{len(raw)} bytes")
    try:
        obj = json.loads(
            bytes(raw).decode("utf-8"),
            object_pairs_hook=_unique_pairs,
            parse_constant=_reject_constant,
        )
    except (ValueError, RecursionError) as err:
        raise MalformedMessage(f"not JSON: {type(err).__name__}") from None
    if not isinstance(obj, dict):
        raise MalformedMessage("not a JSON object")
    return obj


def _check_shape(obj: Mapping[str, Any]) -> None:
    """Validate envelope fields other than the signature."""
    version = obj.get("v")
    if not isinstance(version, int) or isinstance(version, bool):
        raise MalformedMessage("missing version")
    if version != PROTOCOL_VERSION:
        raise UnsupportedVersion(f"version {version}")
    if set(obj) - {"sig"} != _FIELDS:
        raise MalformedMessage("wrong envelope fields")
    if not isinstance(obj["id"], str) or _ID_RE.fullmatch(obj["id"]) is None:
        raise MalformedMessage("bad id")
    if not isinstance(obj["type"], str) or obj["type"] not in _TYPES:
        raise MalformedMessage("unknown type")
    if obj["household"] != BROADCAST and not is_valid_name(obj["household"]):
        raise MalformedMessage("bad household")
    if not isinstance(obj["sender"], str) or obj["sender"] not in _ROLES:
        raise MalformedMessage("bad sender")
    if not _is_number(obj["ts"]):
        raise MalformedMessage("bad timestamp")
    if not isinstance(obj["body"], dict):
        raise MalformedMessage("body is not an object")


def _check_permissions(envelope: Envelope) -> None:
    """Validate that the sender role may send this type to this destination."""
    if envelope.sender not in SCHEMAS[envelope.type].senders:
        raise ForbiddenMessage(f"{envelope.sender} may not send {envelope.type}")
    if envelope.is_broadcast and (
        envelope.sender is not Role.COMMUNITY or envelope.type not in BROADCAST_TYPES
    ):
        raise ForbiddenMessage(f"{envelope.type} cannot be broadcast")


def _check_body(message_type: MessageType, body: Mapping[str, Any]) -> None:
    """Validate a body against the schema of its type."""
    schema = SCHEMAS[message_type]
    for name, check in schema.required.items():
        if name not in body:
            raise InvalidBody(f"{message_type}: missing {name}")
        if not check(body[name]):
            raise InvalidBody(f"{message_type}: bad {name}")
    for name, check in schema.optional.items():
        if name in body and not check(body[name]):
            raise InvalidBody(f"{message_type}: bad {name}")


def decode(
    raw: bytes,
    key_lookup: KeyLookup,
    now: float,
    *,
    expect_sender: Role | None = None,
    guard: ReplayGuard | None = None,
    max_age: float = DEFAULT_MAX_AGE,
    max_skew: float = DEFAULT_MAX_SKEW,
) -> Envelope:
    """Parse and verify wire bytes; raise a LinkError subclass on any problem.

    ``key_lookup(household)`` returns the key that must have signed a message for
    that household (or ``None``); ``expect_sender`` rejects messages signed by the
    wrong role; ``guard`` rejects replays of a transmission already seen.
    """
    obj = _parse(raw)
    _check_shape(obj)
    sig = obj.get("sig")
    if not sig:
        raise UnsignedMessage("no signature")
    if not isinstance(sig, str) or _SIG_RE.fullmatch(sig) is None:
        raise BadSignature("signature is not hex")
    key = key_lookup(obj["household"])
    if key is None:
        raise UnknownHousehold("no key for household")
    unsigned = {name: value for name, value in obj.items() if name != "sig"}
    try:
        expected = signature(unsigned, key)
    except ValueError:
        raise MalformedMessage("not encodable") from None
    if not hmac.compare_digest(expected, sig):
        raise BadSignature("signature mismatch")
    envelope = Envelope(
        id=obj["id"],
        type=MessageType(obj["type"]),
        household=obj["household"],
        sender=Role(obj["sender"]),
        ts=float(obj["ts"]),
        body=obj["body"],
        sig=sig,
    )
    if expect_sender is not None and envelope.sender is not expect_sender:
        raise ForbiddenMessage(f"unexpected sender {envelope.sender}")
    _check_permissions(envelope)
    if not now - max_age <= envelope.ts <= now + max_skew:
        raise StaleMessage(f"timestamp off by {now - envelope.ts:.0f} s")
    _check_body(envelope.type, envelope.body)
    if guard is not None:
        guard.check(envelope.id, envelope.ts, now)
    return envelope


class ReplayGuard:
    """Remember recent transmissions (id, ts) to reject exact replays.

    Entries older than the freshness window are forgotten (such replays are stale
    anyway). Memory is bounded: when full, the oldest entry is evicted and its
    timestamp becomes a floor below which every message is rejected as replayed.
    """

    def __init__(
        self,
        window: float = DEFAULT_MAX_AGE + DEFAULT_MAX_SKEW,
        max_entries: int = 100_000,
    ) -> None:
        self._window = window
        self._max_entries = max_entries
        self._seen: set[tuple[str, float]] = set()
        self._heap: list[tuple[float, str]] = []
        self._floor = -math.inf

    def __len__(self) -> int:
        return len(self._seen)

    def check(self, message_id: str, ts: float, now: float) -> None:
        """Raise ReplayedMessage if (message_id, ts) was seen, else remember it."""
        while self._heap and self._heap[0][0] < now - self._window:
            old_ts, old_id = heapq.heappop(self._heap)
            self._seen.discard((old_id, old_ts))
        if ts <= self._floor or (message_id, ts) in self._seen:
            raise ReplayedMessage("transmission already seen")
        if len(self._seen) >= self._max_entries:
            old_ts, old_id = heapq.heappop(self._heap)
            self._seen.discard((old_id, old_ts))
            self._floor = max(self._floor, old_ts)
        self._seen.add((message_id, ts))
        heapq.heappush(self._heap, (ts, message_id))


@dataclass(slots=True)
class LinkStats:
    """Counters of one link endpoint."""

    received: int = 0
    accepted: int = 0
    delivered: int = 0
    duplicates: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    resent: int = 0
    confirmed: int = 0
    acks_sent: int = 0
    handler_errors: int = 0

    def reject(self, reason: str) -> None:
        """Count one rejection."""
        self.rejected[reason] = self.rejected.get(reason, 0) + 1

    @property
    def rejected_total(self) -> int:
        """Return the number of rejected messages."""
        return sum(self.rejected.values())

    def as_dict(self) -> dict[str, Any]:
        """Return the counters as a JSON-friendly dict."""
        return {
            "received": self.received,
            "accepted": self.accepted,
            "delivered": self.delivered,
            "duplicates": self.duplicates,
            "rejected": dict(self.rejected),
            "rejected_total": self.rejected_total,
            "sent": self.sent,
            "resent": self.resent,
            "confirmed": self.confirmed,
            "acks_sent": self.acks_sent,
            "handler_errors": self.handler_errors,
        }
