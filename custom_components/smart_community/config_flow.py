"""Config flow: a household or a community, with the household's bindings as options."""

from collections.abc import Mapping
from typing import Any, override

import probatio

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    OptionsFlowWithReload,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    BooleanSelector,
    ConfigEntrySelector,
    ConfigEntrySelectorConfig,
    DeviceSelector,
    DeviceSelectorConfig,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.util import slugify

from .community.flows import (
    BuildingSubentryFlow,
    HouseholdSubentryFlow,
    ResidentSubentryFlow,
    StaffSubentryFlow,
)
from .community.frigate_config import (
    SUBENTRY_AUDIO_CAMERA,
    SUBENTRY_FIRE_LANE,
    SUBENTRY_FRIGATE_SERVER,
    SUBENTRY_GATE,
)
from .community.frigate_flows import (
    AudioCameraSubentryFlow,
    FireLaneSubentryFlow,
    FrigateServerSubentryFlow,
    GateSubentryFlow,
)
from .community.intercom_flow import DoorStationSubentryFlow
from .community.intercom_hub import SUBENTRY_DOOR_STATION
from .const import (
    CONF_BROADCAST_KEY,
    CONF_BUILDING,
    CONF_COMMUNITY_ID,
    CONF_COMMUNITY_NAME,
    CONF_CONTACTS_DELAY,
    CONF_DUTY_DELAY,
    CONF_EMERGENCY_CONTACTS,
    CONF_ESCALATION_DELAY,
    CONF_GAS_VALVES,
    CONF_HISTORY_URL,
    CONF_HOUSEHOLD_NAME,
    CONF_LANGUAGE,
    CONF_LINK_CODE,
    CONF_LINK_COMMUNITY,
    CONF_LINK_MODE,
    CONF_MQTT_CA,
    CONF_MQTT_HOST,
    CONF_MQTT_PASSWORD,
    CONF_MQTT_PORT,
    CONF_MQTT_TLS,
    CONF_MQTT_USERNAME,
    CONF_NOTIFY_TARGETS,
    CONF_RETENTION_DAYS,
    CONF_ROLE,
    CONF_ROOM,
    CONF_SAFETY_SENSORS,
    CONF_SIRENS,
    CONF_SOS_DEVICES,
    CONF_SOS_ENTITIES,
    CONF_SPEAKERS,
    CONF_TRANSPORT,
    CONF_TTS_ENGINE,
    CONF_UNIT,
    CONF_WATER_VALVES,
    DEFAULT_CONTACTS_DELAY,
    DEFAULT_DUTY_DELAY,
    DEFAULT_ESCALATION_DELAY,
    DEFAULT_RETENTION_DAYS,
    DOMAIN,
    LINK_NONE,
    ROLE_COMMUNITY,
    ROLE_HOUSEHOLD,
    SAFETY_DEVICE_CLASSES,
    SUBENTRY_BUILDING,
    SUBENTRY_HOUSEHOLD,
    SUBENTRY_RESIDENT,
    SUBENTRY_STAFF,
    TRANSPORT_IN_PROCESS,
    TRANSPORT_MQTT,
)
from .core.phrases import Language, language_for
from .household.discovery import async_discover
from .household.link import LinkNotReadyError, resolve_link_settings
from .household.settings import household_id, notify_service
from .link.broker import community_username, generate_key
from .link.mqtt import MqttSettings, check_connection

BROKER_ERRORS = {
    "auth": "invalid_auth",
    "refused": "cannot_connect",
    "unreachable": "cannot_connect",
}

NOT_NOTIFY_TARGETS = frozenset({"send_message", "persistent_notification"})


def _notify_targets(hass: HomeAssistant) -> list[str]:
    """Return the notify actions a household can send to (phones and groups)."""
    return sorted(
        name
        for name in hass.services.async_services_for_domain("notify")
        if name not in NOT_NOTIFY_TARGETS
    )


def _notify_selector(hass: HomeAssistant) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=_notify_targets(hass),
            multiple=True,
            custom_value=True,
            mode=SelectSelectorMode.DROPDOWN,
        )
    )


def _unknown_targets(hass: HomeAssistant, targets: list[str]) -> list[str]:
    known = set(_notify_targets(hass))
    return [target for target in targets if notify_service(target) not in known]


def _language_selector() -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=[language.value for language in Language],
            translation_key=CONF_LANGUAGE,
        )
    )


def community_slug(name: str) -> str:
    """Return a link-safe community id from its name (pinyin for Chinese names)."""
    return slugify(name, separator="-")[:48].strip("-")


def _link_schema(defaults: dict[str, Any]) -> probatio.Schema:
    schema: dict[Any, Any] = {
        probatio.Required(
            CONF_LINK_MODE, default=defaults.get(CONF_LINK_MODE, LINK_NONE)
        ): SelectSelector(
            SelectSelectorConfig(
                options=[LINK_NONE, TRANSPORT_IN_PROCESS, TRANSPORT_MQTT],
                translation_key=CONF_LINK_MODE,
            )
        ),
    }
    community_key = (
        probatio.Optional(CONF_LINK_COMMUNITY, default=defaults[CONF_LINK_COMMUNITY])
        if defaults.get(CONF_LINK_COMMUNITY)
        else probatio.Optional(CONF_LINK_COMMUNITY)
    )
    schema[community_key] = ConfigEntrySelector(
        ConfigEntrySelectorConfig(integration=DOMAIN)
    )
    code_key = (
        probatio.Optional(CONF_LINK_CODE, default=defaults[CONF_LINK_CODE])
        if defaults.get(CONF_LINK_CODE)
        else probatio.Optional(CONF_LINK_CODE)
    )
    schema[code_key] = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
    return probatio.Schema(schema)


def _clean_link(user_input: dict[str, Any]) -> dict[str, Any]:
    mode = user_input[CONF_LINK_MODE]
    data: dict[str, Any] = {CONF_LINK_MODE: mode}
    if mode == TRANSPORT_IN_PROCESS:
        data[CONF_LINK_COMMUNITY] = user_input[CONF_LINK_COMMUNITY]
    elif mode == TRANSPORT_MQTT:
        data[CONF_LINK_CODE] = "".join(user_input[CONF_LINK_CODE].split())
    return data


async def _validate_link(
    hass: HomeAssistant, household: dict[str, Any], user_input: dict[str, Any]
) -> dict[str, str]:
    mode = user_input[CONF_LINK_MODE]
    if mode == TRANSPORT_IN_PROCESS and not user_input.get(CONF_LINK_COMMUNITY):
        return {CONF_LINK_COMMUNITY: "community_missing"}
    if mode == TRANSPORT_MQTT and not user_input.get(CONF_LINK_CODE, "").strip():
        return {CONF_LINK_CODE: "invalid_link_code"}
    own_id = household_id(
        household[CONF_BUILDING], household[CONF_UNIT], household[CONF_ROOM]
    )
    try:
        settings = resolve_link_settings(hass, _clean_link(user_input), own_id)
    except LinkNotReadyError as err:
        field = CONF_LINK_CODE if mode == TRANSPORT_MQTT else CONF_LINK_COMMUNITY
        return {field: err.key}
    if settings is not None and settings.mqtt is not None:
        error = await check_connection(settings.mqtt)
        if error is not None:
            return {"base": BROKER_ERRORS[error]}
    return {}


def _broker_schema() -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Required(CONF_MQTT_HOST): TextSelector(),
            probatio.Required(CONF_MQTT_PORT, default=1883): NumberSelector(
                NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)
            ),
            probatio.Optional(CONF_MQTT_USERNAME): TextSelector(),
            probatio.Required(CONF_MQTT_PASSWORD): TextSelector(
                TextSelectorConfig(type=TextSelectorType.PASSWORD)
            ),
            probatio.Required(CONF_MQTT_TLS, default=False): BooleanSelector(),
            probatio.Optional(CONF_MQTT_CA): TextSelector(),
        }
    )


def _broker_settings(community_id: str, user_input: dict[str, Any]) -> MqttSettings:
    return MqttSettings(
        host=user_input[CONF_MQTT_HOST],
        port=int(user_input[CONF_MQTT_PORT]),
        community=community_id,
        username=user_input.get(CONF_MQTT_USERNAME) or community_username(community_id),
        password=user_input[CONF_MQTT_PASSWORD],
        tls=bool(user_input.get(CONF_MQTT_TLS)),
        ca_certs=user_input.get(CONF_MQTT_CA) or None,
        timeout=5.0,
    )


def _household_schema(hass: HomeAssistant, defaults: dict[str, Any]) -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Required(
                CONF_HOUSEHOLD_NAME, default=defaults.get(CONF_HOUSEHOLD_NAME, "")
            ): TextSelector(),
            probatio.Required(
                CONF_BUILDING, default=defaults.get(CONF_BUILDING, "")
            ): TextSelector(),
            probatio.Required(
                CONF_UNIT, default=defaults.get(CONF_UNIT, "")
            ): TextSelector(),
            probatio.Required(
                CONF_ROOM, default=defaults.get(CONF_ROOM, "")
            ): TextSelector(),
            probatio.Required(
                CONF_LANGUAGE,
                default=defaults.get(
                    CONF_LANGUAGE, language_for(hass.config.language).value
                ),
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[language.value for language in Language],
                    translation_key=CONF_LANGUAGE,
                )
            ),
            probatio.Optional(
                CONF_NOTIFY_TARGETS, default=defaults.get(CONF_NOTIFY_TARGETS, [])
            ): _notify_selector(hass),
        }
    )


def _validate_household(
    hass: HomeAssistant, user_input: dict[str, Any]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not user_input[CONF_HOUSEHOLD_NAME].strip():
        errors[CONF_HOUSEHOLD_NAME] = "name_required"
    for key in (CONF_BUILDING, CONF_UNIT, CONF_ROOM):
        if not household_id(user_input[key], "x", "x").split("-")[0]:
            errors[key] = "invalid_address"
    if _unknown_targets(hass, user_input.get(CONF_NOTIFY_TARGETS, [])):
        errors[CONF_NOTIFY_TARGETS] = "unknown_notify_target"
    return errors


def _entities(
    domains: list[str], device_classes: list[str] | None = None
) -> EntitySelector:
    config = EntitySelectorConfig(domain=domains, multiple=True)
    if device_classes is not None:
        config["device_class"] = device_classes
    return EntitySelector(config)


def _bindings_schema(hass: HomeAssistant, defaults: dict[str, Any]) -> probatio.Schema:
    def default(key: str) -> Any:
        return defaults.get(key, [])

    schema: dict[Any, Any] = {
        probatio.Optional(
            CONF_SAFETY_SENSORS, default=default(CONF_SAFETY_SENSORS)
        ): _entities(["binary_sensor"], list(SAFETY_DEVICE_CLASSES)),
        probatio.Optional(
            CONF_SOS_ENTITIES, default=default(CONF_SOS_ENTITIES)
        ): _entities(["binary_sensor", "event"]),
        probatio.Optional(
            CONF_SOS_DEVICES, default=default(CONF_SOS_DEVICES)
        ): DeviceSelector(DeviceSelectorConfig(multiple=True)),
        probatio.Optional(CONF_SIRENS, default=default(CONF_SIRENS)): _entities(
            ["siren", "switch"]
        ),
        probatio.Optional(CONF_GAS_VALVES, default=default(CONF_GAS_VALVES)): _entities(
            ["valve", "switch"]
        ),
        probatio.Optional(
            CONF_WATER_VALVES, default=default(CONF_WATER_VALVES)
        ): _entities(["valve", "switch"]),
        probatio.Optional(CONF_SPEAKERS, default=default(CONF_SPEAKERS)): _entities(
            ["assist_satellite", "media_player"]
        ),
    }
    tts_key = (
        probatio.Optional(CONF_TTS_ENGINE, default=defaults[CONF_TTS_ENGINE])
        if defaults.get(CONF_TTS_ENGINE)
        else probatio.Optional(CONF_TTS_ENGINE)
    )
    schema[tts_key] = EntitySelector(EntitySelectorConfig(domain="tts"))
    schema[
        probatio.Optional(
            CONF_EMERGENCY_CONTACTS, default=default(CONF_EMERGENCY_CONTACTS)
        )
    ] = _notify_selector(hass)
    schema[
        probatio.Optional(
            CONF_ESCALATION_DELAY,
            default=defaults.get(CONF_ESCALATION_DELAY, DEFAULT_ESCALATION_DELAY),
        )
    ] = NumberSelector(
        NumberSelectorConfig(
            min=15,
            max=3600,
            step=15,
            unit_of_measurement="s",
            mode=NumberSelectorMode.BOX,
        )
    )
    return probatio.Schema(schema)


def _validate_bindings(
    hass: HomeAssistant, user_input: dict[str, Any]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    registry = er.async_get(hass)
    for entity_id in user_input.get(CONF_SAFETY_SENSORS, []):
        state = hass.states.get(entity_id)
        device_class = state.attributes.get("device_class") if state else None
        if device_class is None and (entry := registry.async_get(entity_id)):
            device_class = entry.device_class or entry.original_device_class
        if device_class not in SAFETY_DEVICE_CLASSES:
            errors[CONF_SAFETY_SENSORS] = "unsupported_device_class"
    if set(user_input.get(CONF_GAS_VALVES, [])) & set(
        user_input.get(CONF_WATER_VALVES, [])
    ):
        errors[CONF_WATER_VALVES] = "valve_in_both"
    needs_tts = any(
        entity_id.startswith("media_player.")
        for entity_id in user_input.get(CONF_SPEAKERS, [])
    )
    if (
        needs_tts
        and not user_input.get(CONF_TTS_ENGINE)
        and not hass.states.async_entity_ids("tts")
    ):
        errors[CONF_SPEAKERS] = "no_tts_engine"
    if _unknown_targets(hass, user_input.get(CONF_EMERGENCY_CONTACTS, [])):
        errors[CONF_EMERGENCY_CONTACTS] = "unknown_notify_target"
    return errors


class SmartCommunityConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a household or a community."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        self._household: dict[str, Any] = {}
        self._community: dict[str, Any] = {}
        self._found: dict[str, Any] = {}

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the household's bindings or the community's duty-room options."""
        if config_entry.data.get(CONF_ROLE) == ROLE_COMMUNITY:
            return CommunityOptionsFlow()
        return HouseholdOptionsFlow()

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Return the community's registry: buildings, households, residents, staff."""
        if config_entry.data.get(CONF_ROLE) != ROLE_COMMUNITY:
            return {}
        return {
            SUBENTRY_BUILDING: BuildingSubentryFlow,
            SUBENTRY_HOUSEHOLD: HouseholdSubentryFlow,
            SUBENTRY_RESIDENT: ResidentSubentryFlow,
            SUBENTRY_STAFF: StaffSubentryFlow,
            SUBENTRY_DOOR_STATION: DoorStationSubentryFlow,
            SUBENTRY_FRIGATE_SERVER: FrigateServerSubentryFlow,
            SUBENTRY_GATE: GateSubentryFlow,
            SUBENTRY_FIRE_LANE: FireLaneSubentryFlow,
            SUBENTRY_AUDIO_CAMERA: AudioCameraSubentryFlow,
        }

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask which role this Home Assistant plays."""
        return self.async_show_menu(
            step_id="user", menu_options=[ROLE_HOUSEHOLD, ROLE_COMMUNITY]
        )

    async def async_step_household(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the household and give its address and family phones."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_household(self.hass, user_input)
            if not errors:
                await self.async_set_unique_id(
                    f"household_{household_id(user_input[CONF_BUILDING], user_input[CONF_UNIT], user_input[CONF_ROOM])}"
                )
                self._abort_if_unique_id_configured()
                self._household = {
                    CONF_ROLE: ROLE_HOUSEHOLD,
                    **_clean_household(user_input),
                }
                return await self.async_step_link()
        return self.async_show_form(
            step_id="household",
            data_schema=_household_schema(self.hass, user_input or {}),
            errors=errors,
        )

    async def async_step_link(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Link the household to its community (or not yet)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = await _validate_link(self.hass, self._household, user_input)
            if not errors:
                self._household.update(_clean_link(user_input))
                return await self.async_step_discover()
        return self.async_show_form(
            step_id="link", data_schema=_link_schema(user_input or {}), errors=errors
        )

    async def async_step_discover(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Find my safety devices: choose among the sensors and SOS buttons found."""
        if user_input is not None:
            self._found = user_input
            return await self.async_step_bindings()
        return await _discover_form(self, set(), set())

    async def async_step_bindings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Bind the household's safety sensors, SOS buttons and responders."""
        errors: dict[str, str] = {}
        if user_input is None:
            defaults = {
                CONF_SAFETY_SENSORS: self._found.get(CONF_SAFETY_SENSORS, []),
                CONF_SOS_DEVICES: self._found.get(CONF_SOS_DEVICES, []),
            }
            return self.async_show_form(
                step_id="bindings", data_schema=_bindings_schema(self.hass, defaults)
            )
        errors = _validate_bindings(self.hass, user_input)
        if not errors:
            return self.async_create_entry(
                title=self._household[CONF_HOUSEHOLD_NAME],
                data=self._household,
                options=user_input,
            )
        return self.async_show_form(
            step_id="bindings",
            data_schema=_bindings_schema(self.hass, user_input or {}),
            errors=errors,
        )

    async def async_step_community(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the community this Home Assistant runs for the property."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_COMMUNITY_NAME].strip()
            if not _has_word(name):
                errors[CONF_COMMUNITY_NAME] = "name_required"
            else:
                community_id = community_slug(name)
                await self.async_set_unique_id(f"community_{community_id}")
                self._abort_if_unique_id_configured()
                self._community = {
                    CONF_ROLE: ROLE_COMMUNITY,
                    CONF_COMMUNITY_NAME: name,
                    CONF_COMMUNITY_ID: community_id,
                    CONF_LANGUAGE: user_input[CONF_LANGUAGE],
                    CONF_BROADCAST_KEY: generate_key(),
                    CONF_TRANSPORT: user_input[CONF_TRANSPORT],
                }
                if user_input[CONF_TRANSPORT] == TRANSPORT_MQTT:
                    return await self.async_step_broker()
                return self.async_create_entry(title=name, data=self._community)
        return self.async_show_form(
            step_id="community",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_COMMUNITY_NAME): TextSelector(),
                    probatio.Required(
                        CONF_LANGUAGE,
                        default=language_for(self.hass.config.language).value,
                    ): _language_selector(),
                    probatio.Required(
                        CONF_TRANSPORT, default=TRANSPORT_IN_PROCESS
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=[TRANSPORT_IN_PROCESS, TRANSPORT_MQTT],
                            translation_key=CONF_TRANSPORT,
                        )
                    ),
                }
            ),
            errors=errors,
        )

    async def async_step_broker(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Give the MQTT broker the community's link runs through; it is tested."""
        errors: dict[str, str] = {}
        if user_input is not None:
            error = await check_connection(
                _broker_settings(self._community[CONF_COMMUNITY_ID], user_input)
            )
            if error is None:
                return self.async_create_entry(
                    title=self._community[CONF_COMMUNITY_NAME],
                    data={**self._community, **user_input},
                )
            errors["base"] = BROKER_ERRORS[error]
        return self.async_show_form(
            step_id="broker",
            data_schema=self.add_suggested_values_to_schema(
                _broker_schema(), user_input or {}
            ),
            description_placeholders={
                "username": community_username(self._community[CONF_COMMUNITY_ID])
            },
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """The broker refused the community's password."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the broker password again and test it."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            error = await check_connection(
                _broker_settings(data[CONF_COMMUNITY_ID], data)
            )
            if error is None:
                return self.async_update_reload_and_abort(
                    entry, data_updates=user_input
                )
            errors["base"] = BROKER_ERRORS[error]
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_MQTT_PASSWORD): TextSelector(
                        TextSelectorConfig(type=TextSelectorType.PASSWORD)
                    )
                }
            ),
            description_placeholders={
                "host": str(entry.data.get(CONF_MQTT_HOST)),
                "username": entry.data.get(CONF_MQTT_USERNAME)
                or community_username(entry.data[CONF_COMMUNITY_ID]),
            },
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change a household's name, address, language or phones, or a community's name."""
        entry = self._get_reconfigure_entry()
        if entry.data[CONF_ROLE] == ROLE_COMMUNITY:
            return await self.async_step_reconfigure_community(user_input)
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_household(self.hass, user_input)
            if not errors:
                unique_id = f"household_{household_id(user_input[CONF_BUILDING], user_input[CONF_UNIT], user_input[CONF_ROOM])}"
                if unique_id != entry.unique_id:
                    await self.async_set_unique_id(unique_id)
                    self._abort_if_unique_id_configured()
                self._household = {**entry.data, **_clean_household(user_input)}
                self._household["unique_id"] = unique_id
                return await self.async_step_reconfigure_link()
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_household_schema(self.hass, user_input or dict(entry.data)),
            errors=errors,
        )

    async def async_step_reconfigure_link(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how the household is linked to its community."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = await _validate_link(self.hass, self._household, user_input)
            if not errors:
                unique_id = self._household.pop("unique_id")
                data = {
                    key: value
                    for key, value in self._household.items()
                    if key not in (CONF_LINK_COMMUNITY, CONF_LINK_CODE)
                }
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=unique_id,
                    title=self._household[CONF_HOUSEHOLD_NAME],
                    data={**data, **_clean_link(user_input)},
                )
        defaults = user_input or {
            key: entry.data[key]
            for key in (CONF_LINK_MODE, CONF_LINK_COMMUNITY, CONF_LINK_CODE)
            if key in entry.data
        }
        return self.async_show_form(
            step_id="reconfigure_link",
            data_schema=_link_schema(defaults),
            errors=errors,
        )

    async def async_step_reconfigure_community(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Rename a community."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_COMMUNITY_NAME].strip()
            if not _has_word(name):
                errors[CONF_COMMUNITY_NAME] = "name_required"
            else:
                return self.async_update_reload_and_abort(
                    entry, title=name, data_updates={CONF_COMMUNITY_NAME: name}
                )
        return self.async_show_form(
            step_id="reconfigure_community",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_COMMUNITY_NAME, default=entry.data[CONF_COMMUNITY_NAME]
                    ): TextSelector()
                }
            ),
            errors=errors,
        )


class HouseholdOptionsFlow(OptionsFlowWithReload):
    """Bind the household's sensors and responders; find devices added since."""

    _defaults: dict[str, Any] | None = None

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose: change the bindings, or find new safety devices first."""
        return self.async_show_menu(
            step_id="init", menu_options=["bindings", "discover"]
        )

    async def async_step_discover(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """List safety devices found since, not bound yet."""
        options = self.config_entry.options
        if user_input is not None:
            self._defaults = {
                **options,
                CONF_SAFETY_SENSORS: [
                    *options.get(CONF_SAFETY_SENSORS, []),
                    *user_input.get(CONF_SAFETY_SENSORS, []),
                ],
                CONF_SOS_DEVICES: [
                    *options.get(CONF_SOS_DEVICES, []),
                    *user_input.get(CONF_SOS_DEVICES, []),
                ],
            }
            return await self.async_step_bindings()
        return await _discover_form(
            self,
            set(options.get(CONF_SAFETY_SENSORS, [])),
            set(options.get(CONF_SOS_DEVICES, [])),
        )

    async def async_step_bindings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the bindings form."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_bindings(self.hass, user_input)
            if not errors:
                return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id="bindings",
            data_schema=_bindings_schema(
                self.hass,
                user_input or self._defaults or dict(self.config_entry.options),
            ),
            errors=errors,
        )


async def _discover_form(
    flow: ConfigFlow | OptionsFlow, bound_sensors: set[str], bound_devices: set[str]
) -> ConfigFlowResult:
    """Show what discovery found (minus what is bound), everything preselected."""
    found = await async_discover(flow.hass)
    sensors = [(key, label) for key, label in found.sensors if key not in bound_sensors]
    devices = [
        (key, label) for key, label in found.sos_devices if key not in bound_devices
    ]

    def chooser(items: list[tuple[str, str]]) -> SelectSelector:
        return SelectSelector(
            SelectSelectorConfig(
                options=[
                    SelectOptionDict(value=key, label=label) for key, label in items
                ],
                multiple=True,
                mode=SelectSelectorMode.LIST,
            )
        )

    return flow.async_show_form(
        step_id="discover",
        data_schema=probatio.Schema(
            {
                probatio.Optional(
                    CONF_SAFETY_SENSORS, default=[key for key, _ in sensors]
                ): chooser(sensors),
                probatio.Optional(
                    CONF_SOS_DEVICES, default=[key for key, _ in devices]
                ): chooser(devices),
            }
        ),
        description_placeholders={
            "sensors": str(len(sensors)),
            "devices": str(len(devices)),
        },
    )


class CommunityOptionsFlow(OptionsFlow):
    """The duty room's escalation ladder."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Start with the duty-room form."""
        return await self.async_step_duty()

    async def async_step_duty(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the escalation form."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if _unknown_targets(self.hass, user_input.get(CONF_EMERGENCY_CONTACTS, [])):
                errors[CONF_EMERGENCY_CONTACTS] = "unknown_notify_target"
            elif user_input[CONF_CONTACTS_DELAY] <= user_input[CONF_DUTY_DELAY]:
                errors[CONF_CONTACTS_DELAY] = "contacts_before_staff"
            elif (
                url := user_input.get(CONF_HISTORY_URL, "").strip()
            ) and not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
                errors[CONF_HISTORY_URL] = "unsupported_history_url"
            else:
                # Keep options this form does not show (added by later versions).
                return self.async_create_entry(
                    data={
                        **self.config_entry.options,
                        **user_input,
                        CONF_HISTORY_URL: url,
                    }
                )
        options = user_input or dict(self.config_entry.options)
        delay = NumberSelectorConfig(
            min=15,
            max=3600,
            step=15,
            unit_of_measurement="s",
            mode=NumberSelectorMode.BOX,
        )
        return self.async_show_form(
            step_id="duty",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_DUTY_DELAY,
                        default=options.get(CONF_DUTY_DELAY, DEFAULT_DUTY_DELAY),
                    ): NumberSelector(delay),
                    probatio.Required(
                        CONF_CONTACTS_DELAY,
                        default=options.get(
                            CONF_CONTACTS_DELAY, DEFAULT_CONTACTS_DELAY
                        ),
                    ): NumberSelector(delay),
                    probatio.Optional(
                        CONF_EMERGENCY_CONTACTS,
                        default=options.get(CONF_EMERGENCY_CONTACTS, []),
                    ): _notify_selector(self.hass),
                    probatio.Optional(
                        CONF_HISTORY_URL, default=options.get(CONF_HISTORY_URL, "")
                    ): TextSelector(TextSelectorConfig(type=TextSelectorType.URL)),
                    probatio.Required(
                        CONF_RETENTION_DAYS,
                        default=options.get(
                            CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS
                        ),
                    ): NumberSelector(
                        NumberSelectorConfig(
                            min=30,
                            max=3650,
                            unit_of_measurement="d",
                            mode=NumberSelectorMode.BOX,
                        )
                    ),
                }
            ),
            errors=errors,
        )


def _has_word(name: str) -> bool:
    """Return True when a name has at least one letter or digit (any script)."""
    return any(char.isalnum() for char in name)


def _clean_household(user_input: dict[str, Any]) -> dict[str, Any]:
    return {
        CONF_HOUSEHOLD_NAME: user_input[CONF_HOUSEHOLD_NAME].strip(),
        CONF_BUILDING: user_input[CONF_BUILDING].strip(),
        CONF_UNIT: user_input[CONF_UNIT].strip(),
        CONF_ROOM: user_input[CONF_ROOM].strip(),
        CONF_LANGUAGE: user_input[CONF_LANGUAGE],
        CONF_NOTIFY_TARGETS: [
            notify_service(target) for target in user_input.get(CONF_NOTIFY_TARGETS, [])
        ],
    }
