"""Constants for the Smart Community integration."""

import logging
from typing import Final

DOMAIN: Final = "smart_community"
LOGGER = logging.getLogger(__package__)

# Config entry data keys
CONF_ROLE: Final = "role"
ROLE_HOUSEHOLD: Final = "household"
ROLE_COMMUNITY: Final = "community"
CONF_HOUSEHOLD_NAME: Final = "household_name"
CONF_COMMUNITY_NAME: Final = "community_name"
CONF_BUILDING: Final = "building"
CONF_UNIT: Final = "unit"
CONF_ROOM: Final = "room"
CONF_NOTIFY_TARGETS: Final = "notify_targets"
CONF_LANGUAGE: Final = "language"

# Options: what the household binds and drives
CONF_SAFETY_SENSORS: Final = "safety_sensors"
CONF_SOS_ENTITIES: Final = "sos_entities"
CONF_SOS_DEVICES: Final = "sos_devices"
CONF_SIRENS: Final = "sirens"
CONF_GAS_VALVES: Final = "gas_valves"
CONF_WATER_VALVES: Final = "water_valves"
CONF_SPEAKERS: Final = "speakers"
CONF_TTS_ENGINE: Final = "tts_engine"
CONF_EMERGENCY_CONTACTS: Final = "emergency_contacts"
CONF_ESCALATION_DELAY: Final = "escalation_delay"

DEFAULT_ESCALATION_DELAY: Final = 120

SAFETY_DEVICE_CLASSES: Final = ("smoke", "gas", "carbon_monoxide", "moisture", "safety")

# mobile_app sends a tapped notification action back as this event
NOTIFY_ACTION_ACK_PREFIX: Final = "SMART_COMMUNITY_ACK_"
EVENT_MOBILE_APP_NOTIFICATION_ACTION: Final = "mobile_app_notification_action"

# Action names and fields
SERVICE_RAISE_ALARM: Final = "raise_alarm"
SERVICE_ACKNOWLEDGE_ALARM: Final = "acknowledge_alarm"
SERVICE_RESOLVE_ALARM: Final = "resolve_alarm"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_KIND: Final = "kind"
ATTR_MESSAGE: Final = "message"
ATTR_SOURCE: Final = "source"
ATTR_ALARM_ID: Final = "alarm_id"

# Storage layout version
STORAGE_VERSION: Final = 1
