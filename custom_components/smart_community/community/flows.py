"""Subentry flows of the community registry: buildings, households, residents, staff."""

from abc import abstractmethod
import re
from typing import Any

import probatio

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)

from ..const import (
    CONF_BUILDING,
    CONF_BUILDING_NAME,
    CONF_CONTACTS,
    CONF_FACE_NAME,
    CONF_FLOORS,
    CONF_HOUSEHOLD_ID,
    CONF_HOUSEHOLD_NAME,
    CONF_LINK_KEY,
    CONF_MQTT_PASSWORD,
    CONF_NOTIFY_TARGET,
    CONF_PHONE,
    CONF_PLATES,
    CONF_RESIDENT_NAME,
    CONF_RESIDENT_ROLE,
    CONF_ROOM,
    CONF_STAFF_NAME,
    CONF_STAFF_ROLE,
    CONF_UNIT,
    CONF_UNITS,
    CONF_USER_ID,
    STAFF_DUTY,
    STAFF_MANAGER,
    STAFF_STAFF,
    SUBENTRY_BUILDING,
    SUBENTRY_HOUSEHOLD,
)
from ..frigate.plates import PlateKind, normalize_plate
from ..household.settings import household_id, notify_service
from ..link.broker import generate_key, generate_password

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,19}$")
RESIDENT_ROLES = ["owner", "tenant", "elderly", "child"]
CONF_REGENERATE = "regenerate_credentials"


def _split(text: str) -> list[str]:
    """Split a comma, semicolon or newline separated list."""
    return [part.strip() for part in re.split(r"[,;，；\n]", text) if part.strip()]


def _text(default: Any) -> Any:
    return default if isinstance(default, str) else ", ".join(default or [])


class _RegistryFlow(ConfigSubentryFlow):
    """Shared helpers of the community's subentry flows."""

    def _subentries(self, subentry_type: str) -> list[Any]:
        return [
            subentry
            for subentry in self._get_entry().subentries.values()
            if subentry.subentry_type == subentry_type
        ]

    def _taken(self, unique_id: str, subentry: Any = None) -> bool:
        """Return True when another subentry (not `subentry`) has that unique id."""
        exclude = None if subentry is None else subentry.subentry_id
        return any(
            other.unique_id == unique_id and other.subentry_id != exclude
            for other in self._get_entry().subentries.values()
        )


class FormSubentryFlow(_RegistryFlow):
    """A subentry added and reconfigured through one form (`_async_form`)."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add one."""
        return await self._async_form("user", user_input, None)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change one."""
        return await self._async_form(
            "reconfigure", user_input, self._get_reconfigure_subentry()
        )

    @abstractmethod
    async def _async_form(
        self, step_id: str, user_input: dict[str, Any] | None, subentry: Any
    ) -> SubentryFlowResult:
        """Show or handle the form; `subentry` is None when adding."""


class BuildingSubentryFlow(FormSubentryFlow):
    """Add or change a building."""

    async def _async_form(
        self, step_id: str, user_input: dict[str, Any] | None, subentry: Any
    ) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            building = household_id(user_input[CONF_BUILDING], "x", "x").split("-")[0]
            unique_id = f"building_{building}"
            if not building:
                errors[CONF_BUILDING] = "invalid_address"
            elif self._taken(unique_id, subentry):
                return self.async_abort(reason="already_configured")
            else:
                data = {**user_input, CONF_BUILDING: user_input[CONF_BUILDING].strip()}
                title = user_input.get(CONF_BUILDING_NAME) or data[CONF_BUILDING]
                if subentry is None:
                    return self.async_create_entry(
                        title=title, data=data, unique_id=unique_id
                    )
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    title=title,
                    data=data,
                    unique_id=unique_id,
                )
        defaults = user_input or (dict(subentry.data) if subentry else {})
        return self.async_show_form(
            step_id=step_id,
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_BUILDING, default=defaults.get(CONF_BUILDING, "")
                    ): TextSelector(),
                    probatio.Optional(
                        CONF_BUILDING_NAME, default=defaults.get(CONF_BUILDING_NAME, "")
                    ): TextSelector(),
                    probatio.Required(
                        CONF_FLOORS, default=defaults.get(CONF_FLOORS, 18)
                    ): NumberSelector(
                        NumberSelectorConfig(
                            min=1, max=200, mode=NumberSelectorMode.BOX
                        )
                    ),
                    probatio.Required(
                        CONF_UNITS, default=defaults.get(CONF_UNITS, 2)
                    ): NumberSelector(
                        NumberSelectorConfig(min=1, max=50, mode=NumberSelectorMode.BOX)
                    ),
                }
            ),
            errors=errors,
        )


class HouseholdSubentryFlow(_RegistryFlow):
    """Register a household; its link credentials are generated here."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Register a household."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _household_errors(user_input)
            if not errors:
                hid = household_id(
                    user_input[CONF_BUILDING],
                    user_input[CONF_UNIT],
                    user_input[CONF_ROOM],
                )
                if self._taken(f"household_{hid}"):
                    return self.async_abort(reason="already_configured")
                return self.async_create_entry(
                    title=f"{hid} {user_input[CONF_HOUSEHOLD_NAME].strip()}",
                    unique_id=f"household_{hid}",
                    data={
                        CONF_HOUSEHOLD_ID: hid,
                        CONF_HOUSEHOLD_NAME: user_input[CONF_HOUSEHOLD_NAME].strip(),
                        CONF_BUILDING: user_input[CONF_BUILDING].strip(),
                        CONF_UNIT: user_input[CONF_UNIT].strip(),
                        CONF_ROOM: user_input[CONF_ROOM].strip(),
                        CONF_CONTACTS: _split(user_input.get(CONF_CONTACTS, "")),
                        CONF_LINK_KEY: generate_key(),
                        CONF_MQTT_PASSWORD: generate_password(),
                    },
                )
        defaults = user_input or {}
        return self.async_show_form(
            step_id="user",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_HOUSEHOLD_NAME,
                        default=defaults.get(CONF_HOUSEHOLD_NAME, ""),
                    ): TextSelector(),
                    probatio.Required(
                        CONF_BUILDING, default=defaults.get(CONF_BUILDING, "")
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=[
                                s.data[CONF_BUILDING]
                                for s in self._subentries(SUBENTRY_BUILDING)
                            ],
                            custom_value=True,
                            mode=SelectSelectorMode.DROPDOWN,
                        )
                    ),
                    probatio.Required(
                        CONF_UNIT, default=defaults.get(CONF_UNIT, "")
                    ): TextSelector(),
                    probatio.Required(
                        CONF_ROOM, default=defaults.get(CONF_ROOM, "")
                    ): TextSelector(),
                    probatio.Optional(
                        CONF_CONTACTS, default=defaults.get(CONF_CONTACTS, "")
                    ): TextSelector(),
                }
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a household's name or contacts, or issue new link credentials."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            contacts = _split(user_input.get(CONF_CONTACTS, ""))
            if not user_input[CONF_HOUSEHOLD_NAME].strip():
                errors[CONF_HOUSEHOLD_NAME] = "name_required"
            elif any(not PHONE.match(phone) for phone in contacts):
                errors[CONF_CONTACTS] = "invalid_phone"
            else:
                updates: dict[str, Any] = {
                    CONF_HOUSEHOLD_NAME: user_input[CONF_HOUSEHOLD_NAME].strip(),
                    CONF_CONTACTS: contacts,
                }
                if user_input.get(CONF_REGENERATE):
                    updates |= {
                        CONF_LINK_KEY: generate_key(),
                        CONF_MQTT_PASSWORD: generate_password(),
                    }
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    title=f"{subentry.data[CONF_HOUSEHOLD_ID]} {updates[CONF_HOUSEHOLD_NAME]}",
                    data_updates=updates,
                )
        defaults = user_input or dict(subentry.data)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_HOUSEHOLD_NAME, default=defaults[CONF_HOUSEHOLD_NAME]
                    ): TextSelector(),
                    probatio.Optional(
                        CONF_CONTACTS, default=_text(defaults.get(CONF_CONTACTS))
                    ): TextSelector(),
                    probatio.Optional(
                        CONF_REGENERATE, default=False
                    ): BooleanSelector(),
                }
            ),
            description_placeholders={"household": subentry.data[CONF_HOUSEHOLD_ID]},
            errors=errors,
        )


def _household_errors(user_input: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not user_input[CONF_HOUSEHOLD_NAME].strip():
        errors[CONF_HOUSEHOLD_NAME] = "name_required"
    for key in (CONF_BUILDING, CONF_UNIT, CONF_ROOM):
        if not household_id(user_input[key], "x", "x").split("-")[0]:
            errors[key] = "invalid_address"
    if any(
        not PHONE.match(phone) for phone in _split(user_input.get(CONF_CONTACTS, ""))
    ):
        errors[CONF_CONTACTS] = "invalid_phone"
    return errors


class ResidentSubentryFlow(FormSubentryFlow):
    """Add or change a resident of a registered household."""

    async def _async_form(
        self, step_id: str, user_input: dict[str, Any] | None, subentry: Any
    ) -> SubentryFlowResult:
        households = {
            s.data[CONF_HOUSEHOLD_ID]: s.title
            for s in self._subentries(SUBENTRY_HOUSEHOLD)
        }
        if not households:
            return self.async_abort(reason="no_households")
        errors: dict[str, str] = {}
        if user_input is not None:
            plates = [
                normalize_plate(plate)
                for plate in _split(user_input.get(CONF_PLATES, ""))
            ]
            phone = user_input.get(CONF_PHONE, "").strip()
            if not user_input[CONF_RESIDENT_NAME].strip():
                errors[CONF_RESIDENT_NAME] = "name_required"
            elif phone and not PHONE.match(phone):
                errors[CONF_PHONE] = "invalid_phone"
            elif any(
                plate.kind is PlateKind.OTHER or len(plate.text) < 5 for plate in plates
            ):
                errors[CONF_PLATES] = "invalid_plate"
            else:
                data = {
                    CONF_RESIDENT_NAME: user_input[CONF_RESIDENT_NAME].strip(),
                    CONF_HOUSEHOLD_ID: user_input[CONF_HOUSEHOLD_ID],
                    CONF_RESIDENT_ROLE: user_input[CONF_RESIDENT_ROLE],
                    CONF_PHONE: phone,
                    CONF_FACE_NAME: user_input.get(CONF_FACE_NAME, "").strip(),
                    CONF_PLATES: [plate.text for plate in plates],
                }
                title = f"{data[CONF_RESIDENT_NAME]} ({data[CONF_HOUSEHOLD_ID]})"
                if subentry is None:
                    return self.async_create_entry(title=title, data=data)
                return self.async_update_and_abort(
                    self._get_entry(), subentry, title=title, data=data
                )
        defaults = user_input or (dict(subentry.data) if subentry else {})
        return self.async_show_form(
            step_id=step_id,
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_RESIDENT_NAME, default=defaults.get(CONF_RESIDENT_NAME, "")
                    ): TextSelector(),
                    probatio.Required(
                        CONF_HOUSEHOLD_ID,
                        default=defaults.get(CONF_HOUSEHOLD_ID, next(iter(households))),
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=[
                                SelectOptionDict(value=hid, label=title)
                                for hid, title in households.items()
                            ]
                        )
                    ),
                    probatio.Required(
                        CONF_RESIDENT_ROLE,
                        default=defaults.get(CONF_RESIDENT_ROLE, "owner"),
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=RESIDENT_ROLES, translation_key=CONF_RESIDENT_ROLE
                        )
                    ),
                    probatio.Optional(
                        CONF_PHONE, default=defaults.get(CONF_PHONE, "")
                    ): TextSelector(),
                    probatio.Optional(
                        CONF_FACE_NAME, default=defaults.get(CONF_FACE_NAME, "")
                    ): TextSelector(),
                    probatio.Optional(
                        CONF_PLATES, default=_text(defaults.get(CONF_PLATES))
                    ): TextSelector(),
                }
            ),
            errors=errors,
        )


class StaffSubentryFlow(FormSubentryFlow):
    """Add or change a member of the duty staff."""

    async def _async_form(
        self, step_id: str, user_input: dict[str, Any] | None, subentry: Any
    ) -> SubentryFlowResult:
        users = {
            user.id: user.name or user.id
            for user in await self.hass.auth.async_get_users()
            if not user.system_generated and user.is_active
        }
        notify = sorted(
            name
            for name in self.hass.services.async_services_for_domain("notify")
            if name not in ("send_message", "persistent_notification")
        )
        errors: dict[str, str] = {}
        if user_input is not None:
            target = user_input.get(CONF_NOTIFY_TARGET)
            if not user_input[CONF_STAFF_NAME].strip():
                errors[CONF_STAFF_NAME] = "name_required"
            elif target and notify_service(target) not in notify:
                errors[CONF_NOTIFY_TARGET] = "unknown_notify_target"
            else:
                data = {
                    CONF_STAFF_NAME: user_input[CONF_STAFF_NAME].strip(),
                    CONF_USER_ID: user_input.get(CONF_USER_ID) or None,
                    CONF_STAFF_ROLE: user_input[CONF_STAFF_ROLE],
                    CONF_NOTIFY_TARGET: notify_service(target) if target else None,
                }
                if subentry is None:
                    return self.async_create_entry(
                        title=data[CONF_STAFF_NAME], data=data
                    )
                return self.async_update_and_abort(
                    self._get_entry(), subentry, title=data[CONF_STAFF_NAME], data=data
                )
        defaults = user_input or (dict(subentry.data) if subentry else {})
        schema: dict[Any, Any] = {
            probatio.Required(
                CONF_STAFF_NAME, default=defaults.get(CONF_STAFF_NAME, "")
            ): TextSelector(),
            probatio.Required(
                CONF_STAFF_ROLE, default=defaults.get(CONF_STAFF_ROLE, STAFF_DUTY)
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[STAFF_DUTY, STAFF_STAFF, STAFF_MANAGER],
                    translation_key=CONF_STAFF_ROLE,
                )
            ),
        }
        user_key = (
            probatio.Optional(CONF_USER_ID, default=defaults[CONF_USER_ID])
            if defaults.get(CONF_USER_ID)
            else probatio.Optional(CONF_USER_ID)
        )
        schema[user_key] = SelectSelector(
            SelectSelectorConfig(
                options=[
                    SelectOptionDict(value=uid, label=name)
                    for uid, name in users.items()
                ]
            )
        )
        target_key = (
            probatio.Optional(CONF_NOTIFY_TARGET, default=defaults[CONF_NOTIFY_TARGET])
            if defaults.get(CONF_NOTIFY_TARGET)
            else probatio.Optional(CONF_NOTIFY_TARGET)
        )
        schema[target_key] = SelectSelector(
            SelectSelectorConfig(
                options=notify, custom_value=True, mode=SelectSelectorMode.DROPDOWN
            )
        )
        return self.async_show_form(
            step_id=step_id, data_schema=probatio.Schema(schema), errors=errors
        )
