"""Diagnostics: the entry's settings and alarm book, with personal data redacted."""

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import (
    CONF_BUILDING,
    CONF_COMMUNITY_NAME,
    CONF_EMERGENCY_CONTACTS,
    CONF_HOUSEHOLD_NAME,
    CONF_NOTIFY_TARGETS,
    CONF_ROOM,
    CONF_UNIT,
)
from .models import SmartCommunityConfigEntry

TO_REDACT = {
    CONF_HOUSEHOLD_NAME,
    CONF_COMMUNITY_NAME,
    CONF_BUILDING,
    CONF_UNIT,
    CONF_ROOM,
    CONF_NOTIFY_TARGETS,
    CONF_EMERGENCY_CONTACTS,
    "message",
    "raised_by",
    "acknowledged_by",
    "resolved_by",
    "by",
    "detail",
    "title",
    "unique_id",
    "broadcast_key",
    "mqtt_password",
    "mqtt_username",
    "mqtt_host",
    "link_code",
    "link_key",
    "history_url",
    "contacts",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SmartCommunityConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    data: dict[str, Any] = {
        "entry": {
            "title": entry.title,
            "unique_id": entry.unique_id,
            "data": dict(entry.data),
            "options": dict(entry.options),
        }
    }
    household = entry.runtime_data.household
    if household is not None:
        data["household"] = {
            "language": household.settings.language.value,
            "missing_entities": household.missing_entities,
            "next_escalation": household.book.next_deadline(),
            "alarms": household.book.as_dict()["alarms"],
        }
    return async_redact_data(data, TO_REDACT)
