"""Subentry flows of the community's Frigate side: servers, gates, fire lanes, audio."""

import re
from typing import Any

import probatio
from yarl import URL

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
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
    TimeSelector,
)

from ..frigate.audio import ALARM_LABELS, LABEL_REPLACEMENTS, unsupported_labels
from ..frigate.client import FrigateClient
from ..frigate.errors import FrigateAuthenticationError, FrigateError
from ..frigate.gates import GateDirection, GateKind, Inward
from ..frigate.parsers import DEFAULT_PREFIX
from .flows import FormSubentryFlow
from .frigate_config import (
    CONF_BLACKLIST,
    CONF_CAMERA,
    CONF_DIRECTION,
    CONF_GATE_ID,
    CONF_GATE_KIND,
    CONF_GATE_NAME,
    CONF_INSIDE_ZONE,
    CONF_INWARD,
    CONF_LABELS,
    CONF_LANE_ID,
    CONF_LANE_NAME,
    CONF_MINUTES,
    CONF_OPENER,
    CONF_OUTSIDE_ZONE,
    CONF_PASSWORD,
    CONF_PLACE,
    CONF_SCHEDULE_END,
    CONF_SCHEDULE_START,
    CONF_SERVER,
    CONF_SERVER_ID,
    CONF_SERVER_NAME,
    CONF_TOPIC_PREFIX,
    CONF_URL,
    CONF_USERNAME,
    CONF_ZONE,
    DEFAULT_FIRE_LANE_MINUTES,
    INWARD_NONE,
    OPENER_DOMAINS,
    SUBENTRY_FRIGATE_SERVER,
    slug,
)


class _FrigateFlow(FormSubentryFlow):
    """Shared helpers of the Frigate subentry flows."""

    def _servers(self) -> dict[str, str]:
        return {
            s.data[CONF_SERVER_ID]: s.title
            for s in self._get_entry().subentries.values()
            if s.subentry_type == SUBENTRY_FRIGATE_SERVER
        }

    def _done(
        self, subentry: Any, title: str, unique_id: str, data: dict[str, Any]
    ) -> SubentryFlowResult:
        if subentry is None:
            return self.async_create_entry(title=title, data=data, unique_id=unique_id)
        return self.async_update_and_abort(
            self._get_entry(), subentry, title=title, data=data
        )

    @staticmethod
    def _server_selector(servers: dict[str, str]) -> SelectSelector:
        return SelectSelector(
            SelectSelectorConfig(
                options=[
                    SelectOptionDict(value=sid, label=title)
                    for sid, title in servers.items()
                ]
            )
        )


async def _check_server(
    flow: ConfigSubentryFlow, url: str, username: str | None, password: str | None
) -> str | None:
    """Return an error key, or None when the server answers with 0.16 or later."""
    try:
        parsed = URL(url)
    except ValueError:
        return "invalid_url"
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        return "invalid_url"
    client = FrigateClient(
        parsed, async_get_clientsession(flow.hass), username, password
    )
    try:
        version = await client.version()
    except FrigateAuthenticationError:
        return "invalid_auth"
    except FrigateError:
        return "cannot_connect"
    return None if version.supports_recognition else "frigate_too_old"


class FrigateServerSubentryFlow(_FrigateFlow):
    """Add or change a Frigate server (checked with its HTTP API)."""

    def _prefix_taken(self, prefix: str, subentry: Any) -> bool:
        """Return True when another server already uses this MQTT topic prefix."""
        exclude = None if subentry is None else subentry.subentry_id
        return any(
            s.subentry_type == SUBENTRY_FRIGATE_SERVER
            and s.subentry_id != exclude
            and (s.data.get(CONF_TOPIC_PREFIX) or DEFAULT_PREFIX) == prefix
            for s in self._get_entry().subentries.values()
        )

    async def _async_form(
        self, step_id: str, user_input: dict[str, Any] | None, subentry: Any
    ) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_SERVER_NAME].strip()
            server_id = (
                subentry.data[CONF_SERVER_ID] if subentry is not None else slug(name)
            )
            url = user_input[CONF_URL].strip().rstrip("/")
            username = user_input.get(CONF_USERNAME, "").strip() or None
            password = user_input.get(CONF_PASSWORD) or None
            prefix = user_input.get(CONF_TOPIC_PREFIX, "").strip().strip("/")
            if not server_id:
                errors[CONF_SERVER_NAME] = "name_required"
            elif self._taken(f"frigate_server_{server_id}", subentry):
                errors[CONF_SERVER_NAME] = "already_configured"
            elif self._prefix_taken(prefix or DEFAULT_PREFIX, subentry):
                errors[CONF_TOPIC_PREFIX] = "prefix_in_use"
            elif error := await _check_server(self, url, username, password):
                errors["base"] = error
            else:
                data = {
                    CONF_SERVER_ID: server_id,
                    CONF_SERVER_NAME: name,
                    CONF_URL: url,
                    CONF_USERNAME: username or "",
                    CONF_PASSWORD: password or "",
                    CONF_TOPIC_PREFIX: prefix or DEFAULT_PREFIX,
                }
                return self._done(subentry, name, f"frigate_server_{server_id}", data)
        defaults = user_input or (dict(subentry.data) if subentry else {})
        return self.async_show_form(
            step_id=step_id,
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_SERVER_NAME, default=defaults.get(CONF_SERVER_NAME, "")
                    ): TextSelector(),
                    probatio.Required(
                        CONF_URL, default=defaults.get(CONF_URL, "http://frigate:5000")
                    ): TextSelector(TextSelectorConfig(type=TextSelectorType.URL)),
                    probatio.Optional(
                        CONF_USERNAME, default=defaults.get(CONF_USERNAME, "")
                    ): TextSelector(),
                    probatio.Optional(CONF_PASSWORD, default=""): TextSelector(
                        TextSelectorConfig(type=TextSelectorType.PASSWORD)
                    ),
                    probatio.Optional(
                        CONF_TOPIC_PREFIX,
                        default=defaults.get(CONF_TOPIC_PREFIX, DEFAULT_PREFIX),
                    ): TextSelector(),
                }
            ),
            errors=errors,
        )


def _split(text: str) -> list[str]:
    """Split a comma, semicolon or newline separated list."""
    return [part.strip() for part in re.split(r"[,;，；\n]", text) if part.strip()]


def _joined(value: str | list[str] | None) -> str:
    """Return a list field as text for a form default."""
    return value if isinstance(value, str) else ", ".join(value or ())


def _required_text(user_input: dict[str, Any], *keys: str) -> dict[str, str]:
    """Return `required` errors of empty text fields."""
    return {key: "required" for key in keys if not str(user_input.get(key, "")).strip()}


class GateSubentryFlow(_FrigateFlow):
    """Add or change a gate watched by a Frigate camera."""

    async def _async_form(
        self, step_id: str, user_input: dict[str, Any] | None, subentry: Any
    ) -> SubentryFlowResult:
        servers = self._servers()
        if not servers:
            return self.async_abort(reason="no_frigate_servers")
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _required_text(user_input, CONF_GATE_NAME, CONF_CAMERA)
            name = user_input[CONF_GATE_NAME].strip()
            gate_id = (
                subentry.data[CONF_GATE_ID] if subentry is not None else slug(name)
            )
            start = user_input.get(CONF_SCHEDULE_START) or ""
            end = user_input.get(CONF_SCHEDULE_END) or ""
            if errors:
                pass
            elif bool(start) != bool(end):
                errors[CONF_SCHEDULE_END] = "schedule_incomplete"
            elif self._taken(f"gate_{gate_id}", subentry):
                errors[CONF_GATE_NAME] = "already_configured"
            else:
                data = {
                    CONF_GATE_ID: gate_id,
                    CONF_GATE_NAME: name,
                    CONF_SERVER: user_input[CONF_SERVER],
                    CONF_CAMERA: user_input[CONF_CAMERA].strip(),
                    CONF_ZONE: user_input.get(CONF_ZONE, "").strip(),
                    CONF_OUTSIDE_ZONE: user_input.get(CONF_OUTSIDE_ZONE, "").strip(),
                    CONF_INSIDE_ZONE: user_input.get(CONF_INSIDE_ZONE, "").strip(),
                    CONF_INWARD: user_input.get(CONF_INWARD, INWARD_NONE),
                    CONF_GATE_KIND: user_input[CONF_GATE_KIND],
                    CONF_DIRECTION: user_input[CONF_DIRECTION],
                    CONF_SCHEDULE_START: start,
                    CONF_SCHEDULE_END: end,
                    CONF_OPENER: user_input[CONF_OPENER],
                    CONF_BLACKLIST: _split(user_input.get(CONF_BLACKLIST, "")),
                }
                return self._done(subentry, name, f"gate_{gate_id}", data)
        defaults = user_input or (dict(subentry.data) if subentry else {})
        schema: dict[Any, Any] = {
            probatio.Required(
                CONF_GATE_NAME, default=defaults.get(CONF_GATE_NAME, "")
            ): TextSelector(),
            probatio.Required(
                CONF_SERVER, default=defaults.get(CONF_SERVER, next(iter(servers)))
            ): self._server_selector(servers),
            probatio.Required(
                CONF_CAMERA, default=defaults.get(CONF_CAMERA, "")
            ): TextSelector(),
            probatio.Optional(
                CONF_ZONE, default=defaults.get(CONF_ZONE, "")
            ): TextSelector(),
            probatio.Optional(
                CONF_OUTSIDE_ZONE, default=defaults.get(CONF_OUTSIDE_ZONE, "")
            ): TextSelector(),
            probatio.Optional(
                CONF_INSIDE_ZONE, default=defaults.get(CONF_INSIDE_ZONE, "")
            ): TextSelector(),
            probatio.Optional(
                CONF_INWARD, default=defaults.get(CONF_INWARD, INWARD_NONE)
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[INWARD_NONE, *(inward.value for inward in Inward)],
                    translation_key="gate_inward",
                )
            ),
            probatio.Required(
                CONF_GATE_KIND,
                default=defaults.get(CONF_GATE_KIND, GateKind.VEHICLE.value),
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[kind.value for kind in GateKind],
                    translation_key=CONF_GATE_KIND,
                )
            ),
            probatio.Required(
                CONF_DIRECTION,
                default=defaults.get(CONF_DIRECTION, GateDirection.BOTH.value),
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[direction.value for direction in GateDirection],
                    translation_key="gate_direction",
                )
            ),
        }
        for key in (CONF_SCHEDULE_START, CONF_SCHEDULE_END):
            schema[
                probatio.Optional(
                    key, description={"suggested_value": defaults.get(key) or None}
                )
            ] = TimeSelector()
        schema[probatio.Required(CONF_OPENER, default=defaults.get(CONF_OPENER))] = (
            EntitySelector(EntitySelectorConfig(domain=list(OPENER_DOMAINS)))
        )
        schema[
            probatio.Optional(
                CONF_BLACKLIST, default=_joined(defaults.get(CONF_BLACKLIST))
            )
        ] = TextSelector(TextSelectorConfig(multiline=True))
        return self.async_show_form(
            step_id=step_id, data_schema=probatio.Schema(schema), errors=errors
        )


class FireLaneSubentryFlow(_FrigateFlow):
    """Add or change a fire lane (a Frigate zone where vehicles may not stay)."""

    async def _async_form(
        self, step_id: str, user_input: dict[str, Any] | None, subentry: Any
    ) -> SubentryFlowResult:
        servers = self._servers()
        if not servers:
            return self.async_abort(reason="no_frigate_servers")
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _required_text(user_input, CONF_LANE_NAME, CONF_CAMERA, CONF_ZONE)
            name = user_input[CONF_LANE_NAME].strip()
            lane_id = (
                subentry.data[CONF_LANE_ID] if subentry is not None else slug(name)
            )
            if not errors and self._taken(f"fire_lane_{lane_id}", subentry):
                errors[CONF_LANE_NAME] = "already_configured"
            if not errors:
                data = {
                    CONF_LANE_ID: lane_id,
                    CONF_LANE_NAME: name,
                    CONF_SERVER: user_input[CONF_SERVER],
                    CONF_CAMERA: user_input[CONF_CAMERA].strip(),
                    CONF_ZONE: user_input[CONF_ZONE].strip(),
                    CONF_MINUTES: float(user_input[CONF_MINUTES]),
                }
                return self._done(subentry, name, f"fire_lane_{lane_id}", data)
        defaults = user_input or (dict(subentry.data) if subentry else {})
        return self.async_show_form(
            step_id=step_id,
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_LANE_NAME, default=defaults.get(CONF_LANE_NAME, "")
                    ): TextSelector(),
                    probatio.Required(
                        CONF_SERVER,
                        default=defaults.get(CONF_SERVER, next(iter(servers))),
                    ): self._server_selector(servers),
                    probatio.Required(
                        CONF_CAMERA, default=defaults.get(CONF_CAMERA, "")
                    ): TextSelector(),
                    probatio.Required(
                        CONF_ZONE, default=defaults.get(CONF_ZONE, "")
                    ): TextSelector(),
                    probatio.Required(
                        CONF_MINUTES,
                        default=defaults.get(CONF_MINUTES, DEFAULT_FIRE_LANE_MINUTES),
                    ): NumberSelector(
                        NumberSelectorConfig(
                            min=1,
                            max=240,
                            step=1,
                            mode=NumberSelectorMode.BOX,
                            unit_of_measurement="min",
                        )
                    ),
                }
            ),
            errors=errors,
        )


AUDIO_LABEL_OPTIONS = [*ALARM_LABELS, *LABEL_REPLACEMENTS]


class AudioCameraSubentryFlow(_FrigateFlow):
    """Add or change a camera whose sounds (glass, alarms, shots) raise alarms."""

    async def _async_form(
        self, step_id: str, user_input: dict[str, Any] | None, subentry: Any
    ) -> SubentryFlowResult:
        servers = self._servers()
        if not servers:
            return self.async_abort(reason="no_frigate_servers")
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _required_text(user_input, CONF_CAMERA, CONF_PLACE)
            labels = list(dict.fromkeys(user_input.get(CONF_LABELS) or ()))
            unsupported = unsupported_labels(labels)
            camera = user_input[CONF_CAMERA].strip()
            unique_id = f"audio_{user_input[CONF_SERVER]}_{camera}"
            if errors:
                pass
            elif not labels:
                errors[CONF_LABELS] = "labels_required"
            elif unsupported & set(LABEL_REPLACEMENTS):
                errors[CONF_LABELS] = "scream_never_fires"
            elif unsupported:
                errors[CONF_LABELS] = "unsupported_label"
            elif self._taken(unique_id, subentry):
                errors[CONF_CAMERA] = "already_configured"
            else:
                data = {
                    CONF_SERVER: user_input[CONF_SERVER],
                    CONF_CAMERA: camera,
                    CONF_PLACE: user_input[CONF_PLACE].strip(),
                    CONF_LABELS: labels,
                }
                title = f"{data[CONF_PLACE]} ({camera})"
                return self._done(subentry, title, unique_id, data)
        defaults = user_input or (dict(subentry.data) if subentry else {})
        return self.async_show_form(
            step_id=step_id,
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_SERVER,
                        default=defaults.get(CONF_SERVER, next(iter(servers))),
                    ): self._server_selector(servers),
                    probatio.Required(
                        CONF_CAMERA, default=defaults.get(CONF_CAMERA, "")
                    ): TextSelector(),
                    probatio.Required(
                        CONF_PLACE, default=defaults.get(CONF_PLACE, "")
                    ): TextSelector(),
                    probatio.Required(
                        CONF_LABELS,
                        default=defaults.get(CONF_LABELS, list(ALARM_LABELS)),
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=AUDIO_LABEL_OPTIONS,
                            multiple=True,
                            custom_value=True,
                            mode=SelectSelectorMode.DROPDOWN,
                            translation_key="audio_labels",
                        )
                    ),
                }
            ),
            errors=errors,
        )
