"""Maintenance of safety devices: tamper, low battery, trouble, offline. Not alarms.

Pure Python. A device's problem is raised once and cleared once, however often its entity
chatters; a low battery of a smoke or gas detector becomes a work order ("replace battery").
"""

from dataclasses import dataclass
from enum import StrEnum
import hashlib

BATTERY_LOW_PERCENT = 15.0
OFFLINE_GRACE_SECONDS = 300.0


class MaintenanceKind(StrEnum):
    """What is wrong with a device."""

    TAMPER = "tamper"
    BATTERY_LOW = "battery_low"
    TROUBLE = "trouble"
    OFFLINE = "offline"


WORK_ORDER_KINDS = frozenset({MaintenanceKind.BATTERY_LOW, MaintenanceKind.TROUBLE})


@dataclass(frozen=True, slots=True)
class MaintenanceIssue:
    """One open problem of one device."""

    device: str
    device_name: str
    kind: MaintenanceKind
    since: float

    def work_order_id(self) -> str:
        """Return a stable order id: the same problem since the same time files one order."""
        digest = hashlib.sha256(f"{self.device}:{self.kind}:{int(self.since)}".encode())
        return digest.hexdigest()[:32]


def kind_of(
    device_class: str | None, state: str, *, numeric: bool
) -> tuple[MaintenanceKind, bool] | None:
    """Map an entity's device class and state to a problem and whether it is present."""
    if numeric:
        if device_class != "battery":
            return None
        try:
            return MaintenanceKind.BATTERY_LOW, float(state) < BATTERY_LOW_PERCENT
        except ValueError:
            return None
    kinds = {
        "tamper": MaintenanceKind.TAMPER,
        "battery": MaintenanceKind.BATTERY_LOW,
        "problem": MaintenanceKind.TROUBLE,
    }
    if device_class not in kinds:
        return None
    return kinds[device_class], state == "on"


class MaintenanceBook:
    """The open maintenance issues of a household, keyed by device and kind."""

    def __init__(self) -> None:
        self._issues: dict[tuple[str, MaintenanceKind], MaintenanceIssue] = {}

    @property
    def issues(self) -> list[MaintenanceIssue]:
        """Return the open issues, oldest first."""
        return sorted(self._issues.values(), key=lambda issue: issue.since)

    def set(
        self,
        device: str,
        device_name: str,
        kind: MaintenanceKind,
        present: bool,
        now: float,
    ) -> MaintenanceIssue | None:
        """Record a problem as present or gone; return the issue only when it is new."""
        key = (device, kind)
        if not present:
            self._issues.pop(key, None)
            return None
        if key in self._issues:
            return None
        issue = MaintenanceIssue(device, device_name, kind, now)
        self._issues[key] = issue
        return issue
