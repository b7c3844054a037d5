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
ATTR_HOUSEHOLD: Final = "household"
ATTR_BROKER_HOST: Final = "broker_host"
ATTR_BROKER_PORT: Final = "broker_port"
ATTR_DIRECTORY: Final = "directory"
SERVICE_MARK_ARRIVED: Final = "mark_arrived"
SERVICE_GET_LINK_CODE: Final = "get_link_code"
SERVICE_EXPORT_BROKER_CONFIG: Final = "export_broker_config"
SERVICE_BROADCAST: Final = "broadcast"
SERVICE_REGISTER_VISITOR_PASS: Final = "register_visitor_pass"  # noqa: S105
ATTR_PLATE: Final = "plate"
ATTR_NAME: Final = "name"
ATTR_VALID_FROM: Final = "valid_from"
ATTR_VALID_UNTIL: Final = "valid_until"
SERVICE_FILE_WORK_ORDER: Final = "file_work_order"
SERVICE_UPDATE_WORK_ORDER: Final = "update_work_order"
ATTR_MESSAGE_ZH: Final = "message_zh"
ATTR_MESSAGE_EN: Final = "message_en"
ATTR_URGENCY: Final = "urgency"
ATTR_BUILDINGS: Final = "buildings"
ATTR_HOUSEHOLDS: Final = "households"
ATTR_CATEGORY: Final = "category"
ATTR_TEXT: Final = "text"
ATTR_PHOTO: Final = "photo"
ATTR_WORK_ORDER_ID: Final = "work_order_id"
ATTR_STATUS: Final = "status"
ATTR_ASSIGNEE: Final = "assignee"
ATTR_NOTE: Final = "note"

# Storage layout version
STORAGE_VERSION: Final = 1

# The community and the link
CONF_COMMUNITY_ID: Final = "community_id"
CONF_BROADCAST_KEY: Final = "broadcast_key"
CONF_TRANSPORT: Final = "transport"
TRANSPORT_IN_PROCESS: Final = "in_process"
TRANSPORT_MQTT: Final = "mqtt"
CONF_MQTT_HOST: Final = "mqtt_host"
CONF_MQTT_PORT: Final = "mqtt_port"
CONF_MQTT_USERNAME: Final = "mqtt_username"
CONF_MQTT_PASSWORD: Final = "mqtt_password"  # noqa: S105
CONF_MQTT_TLS: Final = "mqtt_tls"
CONF_MQTT_CA: Final = "mqtt_ca_certs"
CONF_LINK_MODE: Final = "link_mode"
LINK_NONE: Final = "none"
CONF_LINK_COMMUNITY: Final = "link_community"
CONF_LINK_CODE: Final = "link_code"
CONF_DUTY_DELAY: Final = "duty_delay"
CONF_CONTACTS_DELAY: Final = "contacts_delay"
CONF_HISTORY_URL: Final = "history_url"
CONF_RETENTION_DAYS: Final = "retention_days"
DEFAULT_RETENTION_DAYS: Final = 365
DEFAULT_DUTY_DELAY: Final = 60
DEFAULT_CONTACTS_DELAY: Final = 300

# Community subentries
SUBENTRY_BUILDING: Final = "building"
SUBENTRY_HOUSEHOLD: Final = "household"
SUBENTRY_RESIDENT: Final = "resident"
SUBENTRY_STAFF: Final = "staff"
CONF_HOUSEHOLD_ID: Final = "household_id"
CONF_CONTACTS: Final = "contacts"
CONF_LINK_KEY: Final = "link_key"
CONF_BUILDING_NAME: Final = "building_name"
CONF_FLOORS: Final = "floors"
CONF_UNITS: Final = "units"
CONF_RESIDENT_NAME: Final = "resident_name"
CONF_RESIDENT_ROLE: Final = "resident_role"
CONF_PHONE: Final = "phone"
CONF_FACE_NAME: Final = "face_name"
CONF_PLATES: Final = "plates"
CONF_USER_ID: Final = "user_id"
CONF_STAFF_NAME: Final = "staff_name"
CONF_STAFF_ROLE: Final = "staff_role"
CONF_NOTIFY_TARGET: Final = "notify_target"
STAFF_DUTY: Final = "duty"
STAFF_STAFF: Final = "staff"
STAFF_MANAGER: Final = "manager"
NOTIFY_ACTION_COMMUNITY_ACK_PREFIX: Final = "SMART_COMMUNITY_CACK_"

DATA_HUBS: Final = "smart_community_link_hubs"
