"""What a household does locally when an alarm is raised: pure decision table."""

from enum import StrEnum
from typing import Final

from .alarm import AlarmKind


class Response(StrEnum):
    """One local response step."""

    SIRENS_ON = "sirens_on"
    CLOSE_GAS_VALVE = "close_gas_valve"
    CLOSE_WATER_VALVE = "close_water_valve"
    ANNOUNCE = "announce"
    NOTIFY_FAMILY = "notify_family"


RESPONSES: Final[dict[AlarmKind, tuple[Response, ...]]] = {
    AlarmKind.SMOKE: (Response.SIRENS_ON, Response.ANNOUNCE, Response.NOTIFY_FAMILY),
    AlarmKind.GAS: (
        Response.CLOSE_GAS_VALVE,
        Response.SIRENS_ON,
        Response.ANNOUNCE,
        Response.NOTIFY_FAMILY,
    ),
    AlarmKind.CO: (
        Response.CLOSE_GAS_VALVE,
        Response.SIRENS_ON,
        Response.ANNOUNCE,
        Response.NOTIFY_FAMILY,
    ),
    AlarmKind.LEAK: (
        Response.CLOSE_WATER_VALVE,
        Response.ANNOUNCE,
        Response.NOTIFY_FAMILY,
    ),
    # An SOS sounds the sirens in emergency mode so neighbours and the family hear it.
    AlarmKind.SOS: (Response.SIRENS_ON, Response.ANNOUNCE, Response.NOTIFY_FAMILY),
    AlarmKind.FALL: (Response.ANNOUNCE, Response.NOTIFY_FAMILY),
    AlarmKind.INACTIVITY: (Response.NOTIFY_FAMILY,),
    AlarmKind.CUSTOM: (Response.ANNOUNCE, Response.NOTIFY_FAMILY),
}


def response_plan(kind: AlarmKind) -> tuple[Response, ...]:
    """Return the local responses for an alarm kind, in the order to run them."""
    return RESPONSES[kind]
