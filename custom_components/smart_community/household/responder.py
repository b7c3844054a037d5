"""Drive a household's sirens, valves, speakers and phones when an alarm is raised."""

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.core import Context, HomeAssistant, split_entity_id
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from ..community.workorders import WorkOrder
from ..const import LOGGER, NOTIFY_ACTION_ACK_PREFIX
from ..core.alarm import Alarm, AlarmKind
from ..core.phrases import kind_name, spoken_warning, text
from ..core.response import Response, response_plan
from .settings import HouseholdSettings

SERVICE_TIMEOUT: Final = 15.0


@dataclass(frozen=True, slots=True)
class ResponseOutcome:
    """How one response step went."""

    response: Response
    target: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Return True when the step succeeded."""
        return self.error is None


class Responder:
    """Run the local response plan of an alarm against Home Assistant services."""

    def __init__(self, hass: HomeAssistant, settings: HouseholdSettings) -> None:
        self._hass = hass
        self._settings = settings

    async def async_respond(self, alarm: Alarm) -> list[ResponseOutcome]:
        """Run every response for the alarm's kind concurrently; never raise."""
        context = Context()
        steps: list[tuple[Response, str, Awaitable[None]]] = []
        for response in response_plan(alarm.kind):
            steps.extend(self._steps(response, alarm, context))
        results = await asyncio.gather(
            *(self._guard(awaitable) for _, _, awaitable in steps)
        )
        return [
            ResponseOutcome(response, target, error)
            for (response, target, _), error in zip(steps, results, strict=True)
        ]

    async def async_announcement(
        self, title: str, message: str, *, urgent: bool
    ) -> None:
        """Speak a community announcement and push it to the family; never raise."""
        context = Context()
        language = self._settings.language
        heading = text(language, "announcement_title", community=title)
        coros: list[Awaitable[None]] = [
            self._announce(entity_id, f"{heading}: {message}", context)
            for entity_id in self._settings.speakers
        ]
        data: dict[str, Any] = {"tag": "smart_community_announcement"}
        if urgent:
            data |= {"ttl": 0, "priority": "high"}
        coros.extend(
            self._call(
                "notify",
                target,
                {"title": heading, "message": message, "data": data},
                context,
            )
            for target in self._settings.notify_targets
        )
        for error in await asyncio.gather(*(self._guard(coro) for coro in coros)):
            if error is not None:
                LOGGER.warning(
                    "Announcement could not be delivered everywhere: %s", error
                )

    async def async_message(self, title: str, message: str) -> None:
        """Push a plain (non-alarm) message to the family; never raise."""
        context = Context()
        for target in self._settings.notify_targets:
            error = await self._guard(
                self._call(
                    "notify", target, {"title": title, "message": message}, context
                )
            )
            if error is not None:
                LOGGER.warning("Could not notify %s: %s", target, error)

    async def async_work_order_update(self, order: WorkOrder) -> None:
        """Tell the family how one of its work orders moved on; never raise."""
        language = self._settings.language
        placeholders = {
            "summary": order.text.splitlines()[0][:80] if order.text else "",
            "status": text(language, f"work_order_{order.status.value}"),
            "assignee": order.assignee or text(language, "someone"),
        }
        context = Context()
        for target in self._settings.notify_targets:
            error = await self._guard(
                self._call(
                    "notify",
                    target,
                    {
                        "title": text(language, "work_order_title", **placeholders),
                        "message": text(language, "work_order_message", **placeholders),
                        "data": {"tag": f"smart_community_order_{order.order_id}"},
                    },
                    context,
                )
            )
            if error is not None:
                LOGGER.warning(
                    "Could not tell %s about work order %s: %s",
                    target,
                    order.order_id,
                    error,
                )

    async def async_notify(
        self,
        targets: tuple[str, ...],
        alarm: Alarm,
        title_key: str,
        message_key: str,
        *,
        actionable: bool,
        by: str | None = None,
    ) -> list[ResponseOutcome]:
        """Send a notification about the alarm to notify targets; never raise."""
        context = Context()
        coros = [
            self._notify(target, alarm, title_key, message_key, actionable, by, context)
            for target in targets
        ]
        results = await asyncio.gather(*(self._guard(coro) for coro in coros))
        return [
            ResponseOutcome(Response.NOTIFY_FAMILY, target, error)
            for target, error in zip(targets, results, strict=True)
        ]

    def _steps(
        self, response: Response, alarm: Alarm, context: Context
    ) -> list[tuple[Response, str, Awaitable[None]]]:
        settings = self._settings
        match response:
            case Response.SIRENS_ON:
                return [
                    (
                        response,
                        entity_id,
                        self._turn_on_siren(entity_id, alarm, context),
                    )
                    for entity_id in settings.sirens
                ]
            case Response.CLOSE_GAS_VALVE:
                return [
                    (response, entity_id, self._close_valve(entity_id, context))
                    for entity_id in settings.gas_valves
                ]
            case Response.CLOSE_WATER_VALVE:
                return [
                    (response, entity_id, self._close_valve(entity_id, context))
                    for entity_id in settings.water_valves
                ]
            case Response.ANNOUNCE:
                message = spoken_warning(settings.language, alarm.kind, alarm.message)
                return [
                    (response, entity_id, self._announce(entity_id, message, context))
                    for entity_id in settings.speakers
                ]
            case Response.NOTIFY_FAMILY:
                return [
                    (
                        response,
                        target,
                        self._notify(
                            target,
                            alarm,
                            "notify_title",
                            "notify_message",
                            True,
                            None,
                            context,
                        ),
                    )
                    for target in settings.notify_targets
                ]

    async def _guard(self, awaitable: Awaitable[None]) -> str | None:
        try:
            async with asyncio.timeout(SERVICE_TIMEOUT):
                await awaitable
        except TimeoutError:
            return "timeout"
        except (HomeAssistantError, ValueError, KeyError) as err:
            return str(err) or type(err).__name__
        return None

    async def _call(
        self, domain: str, service: str, data: dict[str, Any], context: Context
    ) -> None:
        await self._hass.services.async_call(
            domain, service, data, blocking=True, context=context
        )

    async def _turn_on_siren(
        self, entity_id: str, alarm: Alarm, context: Context
    ) -> None:
        domain = split_entity_id(entity_id)[0]
        data: dict[str, Any] = {"entity_id": entity_id}
        if domain == "siren":
            state = self._hass.states.get(entity_id)
            tone = siren_tone(
                _SIREN_TONES.get(alarm.kind),
                state.attributes.get("available_tones") if state else None,
            )
            if tone is not None:
                data["tone"] = tone
        await self._call(domain, "turn_on", data, context)

    async def _close_valve(self, entity_id: str, context: Context) -> None:
        domain = split_entity_id(entity_id)[0]
        if domain == "valve":
            await self._call("valve", "close_valve", {"entity_id": entity_id}, context)
        else:
            # A relay driving a valve: off closes it (documented in docs/household.md).
            await self._call(domain, "turn_off", {"entity_id": entity_id}, context)

    async def _announce(self, entity_id: str, message: str, context: Context) -> None:
        domain = split_entity_id(entity_id)[0]
        if domain == "assist_satellite":
            await self._call(
                "assist_satellite",
                "announce",
                {"entity_id": entity_id, "message": message},
                context,
            )
            return
        engine = self._settings.tts_engine or self._first_tts_engine()
        if engine is None:
            raise HomeAssistantError("no text-to-speech engine to speak with")
        await self._call(
            "tts",
            "speak",
            {
                "entity_id": engine,
                "media_player_entity_id": entity_id,
                "message": message,
                "language": _TTS_LANGUAGE[self._settings.language],
                "cache": True,
            },
            context,
        )

    def _first_tts_engine(self) -> str | None:
        engines = sorted(self._hass.states.async_entity_ids("tts"))
        return engines[0] if engines else None

    async def _notify(
        self,
        target: str,
        alarm: Alarm,
        title_key: str,
        message_key: str,
        actionable: bool,
        by: str | None,
        context: Context,
    ) -> None:
        settings = self._settings
        language = settings.language
        placeholders = {
            "kind": kind_name(language, alarm.kind),
            "household": settings.name,
            "address": settings.address,
            "time": _local_time(alarm.raised_at),
            "source": alarm.source,
            "by": by or text(language, "someone"),
        }
        data: dict[str, Any] = {"tag": f"smart_community_{alarm.alarm_id}"}
        if actionable:
            data |= {
                "actions": [
                    {
                        "action": f"{NOTIFY_ACTION_ACK_PREFIX}{alarm.alarm_id}",
                        "title": text(language, "action_acknowledge"),
                    }
                ],
                # Android: bypass do-not-disturb; iOS: critical alert.
                "ttl": 0,
                "priority": "high",
                "channel": "alarm_stream",
                "push": {
                    "interruption-level": "critical",
                    "sound": {"name": "default", "critical": 1, "volume": 1.0},
                },
            }
        await self._call(
            "notify",
            target,
            {
                "title": text(language, title_key, **placeholders),
                "message": " ".join(
                    part
                    for part in (
                        text(language, message_key, **placeholders),
                        alarm.message,
                    )
                    if part
                ),
                "data": data,
            },
            context,
        )


_SIREN_TONES: Final = {
    AlarmKind.SMOKE: "fire",
    AlarmKind.GAS: "emergency",
    AlarmKind.CO: "emergency",
    AlarmKind.SOS: "emergency",
}
_TTS_LANGUAGE: Final = {"en": "en", "zh-Hans": "zh-cn"}


def siren_tone(wanted: str | None, available: Any) -> Any:
    """Return the siren's own id of a tone by name: ZHA's IAS WD sirens list {2: "Fire"}."""
    if wanted is None or not available:
        return None
    if isinstance(available, dict):
        for key, name in available.items():
            if str(name).lower() == wanted or str(key).lower() == wanted:
                return key
        return None
    return next((tone for tone in available if str(tone).lower() == wanted), None)


def _local_time(timestamp: float) -> str:
    local: datetime = dt_util.as_local(dt_util.utc_from_timestamp(timestamp))
    return local.strftime("%H:%M:%S")
