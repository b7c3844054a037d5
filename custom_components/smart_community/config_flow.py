"""Config flow: a household or a community, with the household's bindings as options."""

from typing import Any, override

import probatio

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    DeviceSelector,
    DeviceSelectorConfig,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.util import slugify

from .const import (
    CONF_BUILDING,
    CONF_COMMUNITY_NAME,
    CONF_EMERGENCY_CONTACTS,
    CONF_ESCALATION_DELAY,
    CONF_GAS_VALVES,
    CONF_HOUSEHOLD_NAME,
    CONF_LANGUAGE,
    CONF_NOTIFY_TARGETS,
    CONF_ROLE,
    CONF_ROOM,
    CONF_SAFETY_SENSORS,
    CONF_SIRENS,
    CONF_SOS_DEVICES,
    CONF_SOS_ENTITIES,
    CONF_SPEAKERS,
    CONF_TTS_ENGINE,
    CONF_UNIT,
    CONF_WATER_VALVES,
    DEFAULT_ESCALATION_DELAY,
    DOMAIN,
    ROLE_COMMUNITY,
    ROLE_HOUSEHOLD,
    SAFETY_DEVICE_CLASSES,
)
from .core.phrases import Language, language_for
from .household.settings import household_id, notify_service

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

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlowWithReload:
        """Return the options flow that binds the household's devices."""
        return HouseholdOptionsFlow()

    @classmethod
    @callback
    @override
    def async_supports_options_flow(cls, config_entry: ConfigEntry) -> bool:
        """Offer options for households only."""
        return bool(config_entry.data.get(CONF_ROLE) == ROLE_HOUSEHOLD)

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
                return await self.async_step_bindings()
        return self.async_show_form(
            step_id="household",
            data_schema=_household_schema(self.hass, user_input or {}),
            errors=errors,
        )

    async def async_step_bindings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Bind the household's safety sensors, SOS buttons and responders."""
        errors: dict[str, str] = {}
        if user_input is not None:
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
                await self.async_set_unique_id(f"community_{slugify(name)}")
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=name,
                    data={CONF_ROLE: ROLE_COMMUNITY, CONF_COMMUNITY_NAME: name},
                )
        return self.async_show_form(
            step_id="community",
            data_schema=probatio.Schema(
                {probatio.Required(CONF_COMMUNITY_NAME): TextSelector()}
            ),
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
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=unique_id,
                    title=user_input[CONF_HOUSEHOLD_NAME].strip(),
                    data_updates=_clean_household(user_input),
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_household_schema(self.hass, user_input or dict(entry.data)),
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
    """Bind the household's sensors and responders."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the bindings form."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_bindings(self.hass, user_input)
            if not errors:
                return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id="init",
            data_schema=_bindings_schema(
                self.hass, user_input or dict(self.config_entry.options)
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
