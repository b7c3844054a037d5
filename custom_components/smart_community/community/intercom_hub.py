"""The community's door intercom: door stations, visitor calls and open-door decisions."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.homeassistant.const import DATA_EXPOSED_ENTITIES
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
    async_should_expose,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    HomeAssistant,
    callback,
    split_entity_id,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..core.alarm import CorruptStateError
from ..core.phrases import Language
from ..intercom.access import (
    AccessDecision,
    DoorAccessPolicy,
    DoorKind,
    DoorStation,
    OpenDoorRequest,
)
from ..intercom.calls import Answer, CallBook, CallError, VisitorCall, parse_answer
from ..intercom.sentences import reason_text, text
from ..link.protocol import Envelope, MessageType

if TYPE_CHECKING:
    from .runtime import Community

SUBENTRY_DOOR_STATION: Final = "door_station"
CONF_STATION_ID: Final = "station_id"
CONF_STATION_LABEL: Final = "station_label"
CONF_STATION_KIND: Final = "station_kind"
CONF_OPENER: Final = "opener"
CONF_CAMERA: Final = "camera"
CONF_STATION_SPEAKER: Final = "station_speaker"
OWN_UNIT_DOOR: Final = "own_unit_door"
OPENER_DOMAINS: Final = ("switch", "button", "lock", "cover", "script")
STORAGE_VERSION: Final = 1
OPEN_TIMEOUT: Final = 10.0
SPEAK_TIMEOUT: Final = 15.0
_OPEN_ACTIONS: Final = {
    "switch": "turn_on",
    "button": "press",
    "lock": "unlock",
    "cover": "open_cover",
    "script": "turn_on",
}
_TTS_LANGUAGE: Final = {Language.EN: "en", Language.ZH_HANS: "zh-cn"}


class IntercomHubError(HomeAssistantError):
    """An intercom action the hub refuses; ``key`` is a stable translation key."""

    def __init__(self, key: str, **placeholders: str) -> None:
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders,
        )
        self.key = key


@dataclass(frozen=True, slots=True)
class StationConfig:
    """A door station subentry: the door and the entities that serve it."""

    station: DoorStation
    opener: str
    camera: str | None
    speaker: str | None

    @property
    def label(self) -> str:
        """Return the station's spoken name."""
        return self.station.label or self.station.station_id


def stations_from_entry(entry: ConfigEntry) -> dict[str, StationConfig]:
    """Read the door station subentries of a community entry, skipping invalid ones."""
    stations: dict[str, StationConfig] = {}
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_DOOR_STATION:
            continue
        data = subentry.data
        try:
            station = DoorStation(
                station_id=data[CONF_STATION_ID],
                kind=DoorKind(data[CONF_STATION_KIND]),
                label=data.get(CONF_STATION_LABEL) or "",
                building=data.get("building") or None,
                unit=data.get("unit") or None,
            )
        except (KeyError, ValueError) as err:
            LOGGER.warning("Door station %s is invalid: %s", subentry.title, err)
            continue
        stations[station.station_id] = StationConfig(
            station,
            data[CONF_OPENER],
            data.get(CONF_CAMERA) or None,
            data.get(CONF_STATION_SPEAKER) or None,
        )
    return stations


class IntercomHub:
    """Visitor calls and the door access policy of one community."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, community: Community
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.community = community
        self.language: Language = community.settings.language
        self.stations = stations_from_entry(entry)
        self.calls = CallBook()
        self.policy = DoorAccessPolicy(
            self.calls,
            self._locate,
            (config.station for config in self.stations.values()),
        )
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.intercom"
        )
        self._expiry: CALLBACK_TYPE | None = None
        self._listeners: list[Callable[[], None]] = []

    def _locate(self, household_id: str) -> tuple[str, str] | None:
        """Return a registered household's building and unit."""
        record = self.community.household(household_id)
        return (record.building, record.unit) if record else None

    async def async_start(self) -> None:
        """Load the policy state and handle the household's intercom messages."""
        try:
            self.policy.load(await self._store.async_load())
        except CorruptStateError:
            LOGGER.exception("Stored intercom state could not be read")
        self._hide_openers_from_assist()
        handlers = self.community.message_handlers
        handlers[MessageType.OPEN_DOOR_REQUEST] = self._async_open_request
        handlers[MessageType.VISITOR_ANSWER] = self._async_visitor_answer

    def _hide_openers_from_assist(self) -> None:
        """Keep door openers out of Assist: doors open only through the access policy."""
        if DATA_EXPOSED_ENTITIES not in self.hass.data:
            return
        for config in self.stations.values():
            if async_should_expose(self.hass, "conversation", config.opener):
                async_expose_entity(self.hass, "conversation", config.opener, False)

    async def async_stop(self) -> None:
        """Stop handling messages and save the policy state."""
        for message_type in (MessageType.OPEN_DOOR_REQUEST, MessageType.VISITOR_ANSWER):
            self.community.message_handlers.pop(message_type, None)
        if self._expiry is not None:
            self._expiry()
            self._expiry = None
        await self._store.async_save(self.policy.as_dict())

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call listener whenever a call or decision changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()
        self._store.async_delay_save(self.policy.as_dict, 1.0)

    # -- actions ------------------------------------------------------------------

    async def async_call_household(
        self, station_id: str, household_id: str, visitor: str | None
    ) -> VisitorCall:
        """Start a visitor call and ring the household."""
        config = self.stations.get(station_id)
        if config is None:
            raise IntercomHubError("unknown_station", station=station_id)
        if self.community.household(household_id) is None:
            raise IntercomHubError("unknown_room", room=household_id)
        now = dt_util.utcnow().timestamp()
        snapshot = f"camera:{config.camera}" if config.camera else None
        result = self.calls.start(
            station_id,
            household_id,
            now,
            visitor_label=visitor,
            snapshot_ref=snapshot,
        )
        call = result.call
        body = call.call_body() | {"station_label": config.label}
        await self.community.endpoint.send(MessageType.VISITOR_CALL, body, household_id)
        self._schedule_expiry()
        self._speak(config, text(self.language, "visitor_calling", room=household_id))
        self._changed()
        return call

    async def async_set_pin(self, household_id: str, pin: str | None) -> None:
        """Set (or clear, with no pin) a household's door PIN."""
        if self.community.household(household_id) is None:
            raise IntercomHubError("unknown_room", room=household_id)
        if pin:
            self.policy.pins.set_pin(household_id, pin)
        else:
            self.policy.pins.clear_pin(household_id)
        await self._store.async_save(self.policy.as_dict())

    # -- messages -------------------------------------------------------------------

    async def _async_open_request(self, envelope: Envelope) -> None:
        """Decide an open-door request, open the door, answer the household."""
        now = dt_util.utcnow().timestamp()
        request = OpenDoorRequest.from_body(
            envelope.household, self._resolve_door(envelope.household, envelope.body)
        )
        decision = self.policy.decide(request, now)
        config = self.stations.get(request.door_id)
        if decision.allowed and config is not None:
            try:
                await self._async_open(config)
            except (HomeAssistantError, TimeoutError, ValueError) as err:
                LOGGER.error("Could not open %s: %s", config.opener, err)
                decision = self.policy.opener_failed(
                    decision, dt_util.utcnow().timestamp()
                )
        await self.community.endpoint.send(
            MessageType.OPEN_DOOR_RESULT, decision.result_body(), envelope.household
        )
        self._tell_visitor(decision, config, allowed=decision.allowed)
        self._changed()

    def _resolve_door(self, household_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Replace the own-unit-door alias with the household's unit door station."""
        if body.get("door") != OWN_UNIT_DOOR:
            return body
        location = self._locate(household_id)
        door = next(
            (
                config.station.station_id
                for config in self.stations.values()
                if config.station.kind is DoorKind.UNIT_DOOR
                and location is not None
                and config.station.location == location
            ),
            OWN_UNIT_DOOR,
        )
        return body | {"door": door}

    async def _async_visitor_answer(self, envelope: Envelope) -> None:
        """Record a deny or leave-at-door answer and tell the visitor."""
        now = dt_util.utcnow().timestamp()
        try:
            answer = parse_answer(envelope.body["answer"])
            call = self.calls.answer(
                envelope.body["call_id"], envelope.household, answer, now
            )
        except CallError as err:
            LOGGER.info("Visitor answer from %s refused: %s", envelope.household, err)
            return
        if (config := self.stations.get(call.station_id)) is not None:
            key = "visitor_leave" if answer is Answer.LEAVE else "visitor_denied"
            self._speak(config, text(self.language, key))
        self._changed()

    # -- doors and speakers --------------------------------------------------------

    async def _async_open(self, config: StationConfig) -> None:
        """Run the opener entity's open action."""
        domain = split_entity_id(config.opener)[0]
        async with asyncio.timeout(OPEN_TIMEOUT):
            await self.hass.services.async_call(
                domain,
                _OPEN_ACTIONS[domain],
                {"entity_id": config.opener},
                blocking=True,
                context=Context(),
            )

    def _tell_visitor(
        self, decision: AccessDecision, config: StationConfig | None, *, allowed: bool
    ) -> None:
        """Say on the station's speaker whether the door opened (calls only)."""
        if config is None or decision.call is None:
            return
        message = (
            text(self.language, "visitor_door_open")
            if allowed
            else reason_text(self.language, None)
        )
        self._speak(config, message)

    def _speak(self, config: StationConfig, message: str) -> None:
        """Speak to the visitor in the background, if the station has a speaker."""
        if config.speaker is None:
            return
        self.hass.async_create_background_task(
            self._async_speak(config.speaker, message),
            f"{DOMAIN} intercom speak {config.station.station_id}",
        )

    async def _async_speak(self, entity_id: str, message: str) -> None:
        """Announce on a satellite or speak with TTS on a media player; never raise."""
        domain = split_entity_id(entity_id)[0]
        data: dict[str, Any]
        if domain == "assist_satellite":
            service, data = "announce", {"entity_id": entity_id, "message": message}
        else:
            engines = sorted(self.hass.states.async_entity_ids("tts"))
            if not engines:
                LOGGER.warning("No text-to-speech engine to tell the visitor")
                return
            domain, service = "tts", "speak"
            data = {
                "entity_id": engines[0],
                "media_player_entity_id": entity_id,
                "message": message,
                "language": _TTS_LANGUAGE[self.language],
                "cache": True,
            }
        try:
            async with asyncio.timeout(SPEAK_TIMEOUT):
                await self.hass.services.async_call(
                    domain, service, data, blocking=True
                )
        except (HomeAssistantError, TimeoutError, ValueError) as err:
            LOGGER.warning("Could not tell the visitor on %s: %s", entity_id, err)

    # -- expiry ---------------------------------------------------------------------

    def _schedule_expiry(self) -> None:
        """Expire pending calls when the next one reaches the TTL."""
        if self._expiry is not None:
            self._expiry()
            self._expiry = None
        deadline = self.calls.next_deadline()
        if deadline is None:
            return
        delay = max(0.0, deadline - dt_util.utcnow().timestamp())
        self._expiry = async_call_later(self.hass, delay, self._on_expiry)

    @callback
    def _on_expiry(self, _now: Any) -> None:
        """Tell visitors nobody answered and schedule the next expiry."""
        self._expiry = None
        for call in self.calls.expire(dt_util.utcnow().timestamp()):
            if (config := self.stations.get(call.station_id)) is not None:
                self._speak(config, text(self.language, "visitor_no_answer"))
        self._schedule_expiry()
        self._changed()


def hub_of(community: Community) -> IntercomHub | None:
    """Return the intercom hub among a community's extensions."""
    return next((e for e in community.extensions if isinstance(e, IntercomHub)), None)
