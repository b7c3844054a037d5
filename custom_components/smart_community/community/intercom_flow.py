"""Subentry flow of the community's door stations (gates and unit doors)."""

import re
from typing import Any, Final

import probatio

from homeassistant.config_entries import SubentryFlowResult
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)

from ..const import CONF_BUILDING, CONF_UNIT
from ..intercom.access import DoorKind
from .flows import FormSubentryFlow
from .intercom_hub import (
    CONF_CAMERA,
    CONF_OPENER,
    CONF_STATION_ID,
    CONF_STATION_KIND,
    CONF_STATION_LABEL,
    CONF_STATION_SPEAKER,
    OPENER_DOMAINS,
)

STATION_ID_RE: Final = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")


class DoorStationSubentryFlow(FormSubentryFlow):
    """Add or change a door station."""

    async def _async_form(
        self, step_id: str, user_input: dict[str, Any] | None, subentry: Any
    ) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._validate(user_input, subentry)
            if not errors:
                title = data[CONF_STATION_LABEL] or data[CONF_STATION_ID]
                unique_id = f"door_station_{data[CONF_STATION_ID]}"
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
        schema: dict[Any, Any] = {
            probatio.Required(
                CONF_STATION_ID, default=defaults.get(CONF_STATION_ID, "")
            ): TextSelector(),
            probatio.Optional(
                CONF_STATION_LABEL, default=defaults.get(CONF_STATION_LABEL) or ""
            ): TextSelector(),
            probatio.Required(
                CONF_STATION_KIND,
                default=defaults.get(CONF_STATION_KIND, DoorKind.GATE.value),
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[kind.value for kind in DoorKind],
                    translation_key=CONF_STATION_KIND,
                    mode=SelectSelectorMode.LIST,
                )
            ),
            probatio.Optional(
                CONF_BUILDING, default=defaults.get(CONF_BUILDING) or ""
            ): TextSelector(),
            probatio.Optional(
                CONF_UNIT, default=defaults.get(CONF_UNIT) or ""
            ): TextSelector(),
            probatio.Required(
                CONF_OPENER, default=defaults.get(CONF_OPENER, "")
            ): EntitySelector(EntitySelectorConfig(domain=list(OPENER_DOMAINS))),
        }
        for key, domains in (
            (CONF_CAMERA, ["camera"]),
            (CONF_STATION_SPEAKER, ["assist_satellite", "media_player"]),
        ):
            optional = (
                probatio.Optional(key, default=defaults[key])
                if defaults.get(key)
                else probatio.Optional(key)
            )
            schema[optional] = EntitySelector(EntitySelectorConfig(domain=domains))
        return self.async_show_form(
            step_id=step_id, data_schema=probatio.Schema(schema), errors=errors
        )

    def _validate(
        self, user_input: dict[str, Any], subentry: Any
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Return the subentry data and the form's errors."""
        errors: dict[str, str] = {}
        station_id = str(user_input.get(CONF_STATION_ID, "")).strip().lower()
        kind = user_input.get(CONF_STATION_KIND, DoorKind.GATE.value)
        building = str(user_input.get(CONF_BUILDING) or "").strip()
        unit = str(user_input.get(CONF_UNIT) or "").strip()
        opener = str(user_input.get(CONF_OPENER) or "")
        if not STATION_ID_RE.match(station_id):
            errors[CONF_STATION_ID] = "bad_station_id"
        elif self._taken(f"door_station_{station_id}", subentry):
            errors[CONF_STATION_ID] = "station_exists"
        if kind == DoorKind.UNIT_DOOR.value and (not building or not unit):
            errors[CONF_BUILDING] = "unit_door_needs_location"
        if opener.split(".", 1)[0] not in OPENER_DOMAINS:
            errors[CONF_OPENER] = "bad_opener"
        data = {
            CONF_STATION_ID: station_id,
            CONF_STATION_LABEL: str(user_input.get(CONF_STATION_LABEL) or "").strip(),
            CONF_STATION_KIND: kind,
            CONF_BUILDING: building or None,
            CONF_UNIT: unit or None,
            CONF_OPENER: opener,
            CONF_CAMERA: user_input.get(CONF_CAMERA) or None,
            CONF_STATION_SPEAKER: user_input.get(CONF_STATION_SPEAKER) or None,
        }
        return data, errors
