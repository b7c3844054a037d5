"""Announcements: texts in Chinese and/or English, targets, receipts and expiry.

Pure Python: no Home Assistant import. Times are POSIX timestamps passed in by the caller.
An announcement targets everyone, some buildings, or some households; the targets are
resolved against the registry (household id -> building id) when it is published, and that
snapshot is what receipts count against: "delivered N of M".
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
import secrets
from typing import Any, Final, Self

from ..core.alarm import CorruptStateError
from ..core.phrases import Language

STORAGE_VERSION: Final = 1
MAX_TEXT_LENGTH: Final = 4000


class Urgency(StrEnum):
    """How loudly an announcement is delivered."""

    NORMAL = "normal"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class TargetKind(StrEnum):
    """Who an announcement is for."""

    ALL = "all"
    BUILDINGS = "buildings"
    HOUSEHOLDS = "households"


class ReceiptOutcome(StrEnum):
    """What happened to a receipt."""

    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    NOT_TARGETED = "not_targeted"


class AnnouncementError(Exception):
    """A request the announcement book refuses; `key` is a stable translation key."""

    def __init__(self, key: str, announcement_id: str) -> None:
        super().__init__(f"{key}: {announcement_id}")
        self.key = key
        self.announcement_id = announcement_id


class AnnouncementNotFoundError(AnnouncementError):
    """No announcement with that id."""

    def __init__(self, announcement_id: str) -> None:
        super().__init__("announcement_not_found", announcement_id)


@dataclass(frozen=True, slots=True)
class Target:
    """Everyone, or a set of building ids, or a set of household ids."""

    kind: TargetKind = TargetKind.ALL
    ids: frozenset[str] = frozenset()

    @classmethod
    def everyone(cls) -> Self:
        """Target every household."""
        return cls(TargetKind.ALL)

    @classmethod
    def buildings(cls, building_ids: Iterable[str]) -> Self:
        """Target the households of some buildings."""
        return cls(TargetKind.BUILDINGS, frozenset(building_ids))

    @classmethod
    def households(cls, household_ids: Iterable[str]) -> Self:
        """Target some households."""
        return cls(TargetKind.HOUSEHOLDS, frozenset(household_ids))

    def resolve(self, households: Mapping[str, str]) -> frozenset[str]:
        """Return the targeted household ids, given household id -> building id."""
        if self.kind is TargetKind.ALL:
            return frozenset(households)
        if self.kind is TargetKind.BUILDINGS:
            return frozenset(
                household
                for household, building in households.items()
                if building in self.ids
            )
        return self.ids & households.keys()

    def unknown(self, households: Mapping[str, str]) -> frozenset[str]:
        """Return the target ids that match nothing in the registry."""
        if self.kind is TargetKind.BUILDINGS:
            return self.ids - set(households.values())
        if self.kind is TargetKind.HOUSEHOLDS:
            return self.ids - households.keys()
        return frozenset()

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"kind": self.kind.value, "ids": sorted(self.ids)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        ids = data.get("ids", [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise TypeError("target ids must be a list of strings")
        return cls(TargetKind(data["kind"]), frozenset(ids))


@dataclass(frozen=True, slots=True)
class Announcement:
    """A notice for residents; at least one of the two texts is required."""

    announcement_id: str
    created_at: float
    text_zh: str | None = None
    text_en: str | None = None
    urgency: Urgency = Urgency.NORMAL
    target: Target = field(default_factory=Target)
    created_by: str | None = None
    expires_at: float | None = None

    def __post_init__(self) -> None:
        """Refuse an announcement without text, or with an expiry before its creation."""
        if not self.announcement_id or len(self.announcement_id) > 128:
            raise AnnouncementError("announcement_bad_id", self.announcement_id)
        texts = [text for text in (self.text_zh, self.text_en) if text is not None]
        if not any(text.strip() for text in texts):
            raise AnnouncementError("announcement_text_required", self.announcement_id)
        if any(len(text) > MAX_TEXT_LENGTH for text in texts):
            raise AnnouncementError("announcement_text_too_long", self.announcement_id)
        if self.target.kind is not TargetKind.ALL and not self.target.ids:
            raise AnnouncementError("announcement_no_targets", self.announcement_id)
        if self.expires_at is not None and self.expires_at <= self.created_at:
            raise AnnouncementError("announcement_bad_expiry", self.announcement_id)

    def text(self, language: Language) -> str:
        """Return the text in that language, or the other one when it is missing."""
        zh = self.text_zh if self.text_zh and self.text_zh.strip() else None
        en = self.text_en if self.text_en and self.text_en.strip() else None
        preferred, fallback = (zh, en) if language is Language.ZH_HANS else (en, zh)
        text = preferred or fallback
        assert text is not None
        return text

    def expired(self, now: float) -> bool:
        """Return True once the announcement's expiry has passed."""
        return self.expires_at is not None and now >= self.expires_at

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "announcement_id": self.announcement_id,
            "created_at": self.created_at,
            "text_zh": self.text_zh,
            "text_en": self.text_en,
            "urgency": self.urgency.value,
            "target": self.target.as_dict(),
            "created_by": self.created_by,
            "expires_at": self.expires_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        return cls(
            announcement_id=_as_str(data["announcement_id"]),
            created_at=_as_float(data["created_at"]),
            text_zh=_opt_str(data.get("text_zh")),
            text_en=_opt_str(data.get("text_en")),
            urgency=Urgency(data.get("urgency", Urgency.NORMAL)),
            target=Target.from_dict(data.get("target", {"kind": "all"})),
            created_by=_opt_str(data.get("created_by")),
            expires_at=_opt_float(data.get("expires_at")),
        )


@dataclass(frozen=True, slots=True)
class DeliveryProgress:
    """Receipts so far: `delivered` of `targeted`, plus receipts ignored as not targeted."""

    delivered: int
    targeted: int
    ignored: int

    @property
    def complete(self) -> bool:
        """Return True when every targeted household has confirmed."""
        return self.delivered >= self.targeted


@dataclass(slots=True)
class Delivery:
    """An announcement as published: the households it went to and their receipts."""

    announcement: Announcement
    targeted: frozenset[str]
    receipts: dict[str, float] = field(default_factory=dict)
    ignored: int = 0

    @property
    def progress(self) -> DeliveryProgress:
        """Return delivered N of M."""
        return DeliveryProgress(len(self.receipts), len(self.targeted), self.ignored)

    @property
    def pending(self) -> frozenset[str]:
        """Return the targeted households that have not confirmed yet."""
        return self.targeted - self.receipts.keys()

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "announcement": self.announcement.as_dict(),
            "targeted": sorted(self.targeted),
            "receipts": dict(sorted(self.receipts.items())),
            "ignored": self.ignored,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a persisted dict."""
        targeted = data["targeted"]
        receipts = data.get("receipts", {})
        if not isinstance(targeted, list) or not isinstance(receipts, dict):
            raise TypeError("targeted must be a list and receipts an object")
        delivery = cls(
            announcement=Announcement.from_dict(data["announcement"]),
            targeted=frozenset(_as_str(item) for item in targeted),
            receipts={_as_str(k): _as_float(v) for k, v in receipts.items()},
            ignored=_as_int(data.get("ignored", 0)),
        )
        if not delivery.receipts.keys() <= delivery.targeted:
            raise ValueError("a receipt from a household that was not targeted")
        return delivery


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What `AnnouncementBook.publish` did."""

    delivery: Delivery
    created: bool
    unknown_targets: frozenset[str]


def new_announcement_id() -> str:
    """Return a random announcement id (32 hex digits, like link message ids)."""
    return secrets.token_hex(16)


class AnnouncementBook:
    """Published announcements and their receipts."""

    def __init__(self) -> None:
        self._deliveries: dict[str, Delivery] = {}

    @property
    def deliveries(self) -> list[Delivery]:
        """Return every delivery, oldest announcement first."""
        return sorted(
            self._deliveries.values(),
            key=lambda d: (d.announcement.created_at, d.announcement.announcement_id),
        )

    def get(self, announcement_id: str) -> Delivery:
        """Return the delivery of that announcement."""
        try:
            return self._deliveries[announcement_id]
        except KeyError:
            raise AnnouncementNotFoundError(announcement_id) from None

    def active(self, now: float) -> list[Announcement]:
        """Return the announcements not expired at `now`, oldest first."""
        return [
            d.announcement for d in self.deliveries if not d.announcement.expired(now)
        ]

    def publish(
        self, announcement: Announcement, households: Mapping[str, str]
    ) -> PublishResult:
        """Publish to the targets resolved now; a known id returns the existing delivery."""
        existing = self._deliveries.get(announcement.announcement_id)
        if existing is not None:
            return PublishResult(existing, created=False, unknown_targets=frozenset())
        delivery = Delivery(announcement, announcement.target.resolve(households))
        self._deliveries[announcement.announcement_id] = delivery
        return PublishResult(
            delivery,
            created=True,
            unknown_targets=announcement.target.unknown(households),
        )

    def record_receipt(
        self, announcement_id: str, household_id: str, at: float
    ) -> ReceiptOutcome:
        """Record that a household got an announcement; repeats and strangers change nothing."""
        delivery = self.get(announcement_id)
        if household_id not in delivery.targeted:
            delivery.ignored += 1
            return ReceiptOutcome.NOT_TARGETED
        if household_id in delivery.receipts:
            return ReceiptOutcome.DUPLICATE
        delivery.receipts[household_id] = at
        return ReceiptOutcome.RECORDED

    def progress(self, announcement_id: str) -> DeliveryProgress:
        """Return delivered N of M for an announcement."""
        return self.get(announcement_id).progress

    def purge_older(self, cutoff: float) -> list[str]:
        """Forget announcements made before `cutoff` except the newest; return their ids.

        The history database keeps them for the retention period; the book only needs
        recent ones (the newest backs the "last announcement" sensor).
        """
        deliveries = self.deliveries
        gone = [
            delivery.announcement.announcement_id
            for delivery in deliveries[:-1]
            if delivery.announcement.created_at < cutoff
        ]
        for announcement_id in gone:
            del self._deliveries[announcement_id]
        return sorted(gone)

    def purge_expired(self, now: float, keep_for: float = 0.0) -> list[str]:
        """Forget announcements expired for longer than `keep_for` seconds; return their ids."""
        gone = [
            announcement_id
            for announcement_id, delivery in self._deliveries.items()
            if delivery.announcement.expires_at is not None
            and now >= delivery.announcement.expires_at + keep_for
        ]
        for announcement_id in gone:
            del self._deliveries[announcement_id]
        return sorted(gone)

    def as_dict(self) -> dict[str, Any]:
        """Return the book as JSON-ready data for storage."""
        return {
            "version": STORAGE_VERSION,
            "deliveries": [delivery.as_dict() for delivery in self.deliveries],
        }

    def load(self, data: Mapping[str, Any] | None) -> None:
        """Replace the book's deliveries with persisted ones."""
        self._deliveries = {}
        if not data:
            return
        try:
            deliveries = [Delivery.from_dict(item) for item in data["deliveries"]]
        except (
            AttributeError,
            KeyError,
            TypeError,
            ValueError,
            AnnouncementError,
        ) as err:
            raise CorruptStateError(str(err)) from err
        self._deliveries = {d.announcement.announcement_id: d for d in deliveries}


def _as_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _as_str(value)


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None else _as_float(value)


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError("expected a non-negative integer")
    return value
