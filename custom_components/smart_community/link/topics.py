"""MQTT topic scheme and client ids of the link (see :mod:`.mqtt` for the table)."""

from typing import Final

TOPIC_ROOT: Final = "sc"


def household_out_topic(community: str, household: str) -> str:
    """Return the topic a household publishes on."""
    return f"{TOPIC_ROOT}/{community}/hh/{household}/out"


def household_inbox_topic(community: str, household: str) -> str:
    """Return the topic the community publishes on for one household."""
    return f"{TOPIC_ROOT}/{community}/hh/{household}/inbox"


def broadcast_topic(community: str) -> str:
    """Return the community's broadcast topic."""
    return f"{TOPIC_ROOT}/{community}/broadcast"


def client_id(community: str, household: str | None) -> str:
    """Return the stable MQTT client id of an endpoint."""
    return f"sc-{community}-{household}" if household else f"sc-{community}-community"
