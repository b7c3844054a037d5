"""The community's Frigate side: MQTT in, gate decisions, fire lanes and audio alarms out.

One hub per community entry. It subscribes through Home Assistant's `mqtt` integration
to `<prefix>/#` of every Frigate server subentry, parses with `frigate.parsers`, merges
objects with `ObservationTracker`, decides with `GateDecider`, opens gates through their
opener entities, records every decision in the `AccessLog` (kept in a Store), tells the
duty staff about visitors and raises community alarms for blacklisted identities,
blocked fire lanes and alarm sounds.
"""

import asyncio
from collections.abc import Callable
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
import time
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web
from yarl import URL

from homeassistant.components import mqtt
from homeassistant.components.http import KEY_HASS, HomeAssistantView
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER, STAFF_DUTY
from ..core.alarm import AlarmKind
from ..core.phrases import Language
from ..frigate.access_log import AccessLog, AccessRecord
from ..frigate.audio import AudioAlarmMapper
from ..frigate.client import FrigateClient, FrigateError
from ..frigate.errors import FrigatePayloadError
from ..frigate.firelane import FireLaneAlert, FireLaneMonitor, FireLaneState
from ..frigate.gates import (
    Decision,
    GateDecider,
    GateDecision,
    Observation,
    VisitorPass,
)
from ..frigate.models import (
    AudioMessage,
    Availability,
    AvailabilityMessage,
    EventMessage,
    EventType,
    FaceResult,
    PlateResult,
)
from ..frigate.observations import ObservationTracker
from ..frigate.parsers import parse_message
from ..frigate.plates import normalize_plate
from ..link.protocol import Envelope, MessageType
from .frigate_config import OPEN_ACTIONS, FrigateSetup, setup_from_entry

if TYPE_CHECKING:
    from .runtime import Community

STORAGE_VERSION: Final = 1
OPEN_TIMEOUT: Final = 10.0
BAD_PAYLOAD_LOG_INTERVAL: Final = 60.0
TICK_INTERVAL: Final = timedelta(seconds=15)
SNAPSHOT_URL: Final = (
    "/api/smart_community/frigate/{entry_id}/{server}/{event_id}/snapshot.jpg"
)
_VIEW_KEY: Final = f"{DOMAIN}_frigate_view"

_TEXTS: Final = {
    Language.EN: {
        "visitor_title": "Visitor at {gate}",
        "visitor_message": "{who} at {gate} ({direction}); not registered.",
        "blacklisted": "Blacklisted {who} at {gate}",
        "fire_lane": "Fire lane blocked: {lane} ({plate})",
        "audio": "{sound} heard at {place} ({label})",
    },
    Language.ZH_HANS: {
        "visitor_title": "{gate}有访客",
        "visitor_message": "{gate}（{direction}）：{who}，未登记。",
        "blacklisted": "{gate}发现黑名单：{who}",
        "fire_lane": "消防通道被占用：{lane}（{plate}）",
        "audio": "{place}听到{sound}（{label}）",
    },
}


def snapshot_path(entry_id: str, server: str, event_id: str) -> str:
    """Return the authenticated snapshot URL of an event."""
    return SNAPSHOT_URL.format(entry_id=entry_id, server=server, event_id=event_id)


@dataclass(frozen=True, slots=True)
class GateUpdate:
    """A recorded decision at a gate, sent to the entities."""

    decision: GateDecision
    record: AccessRecord
    snapshot: str


type GateListener = Callable[[GateUpdate | None], None]


def _pass_from(data: dict[str, Any]) -> VisitorPass | None:
    """Return the gate's pass for a stored or received pass, or None when unusable."""
    plate = (data.get("plate") or "").strip() or None
    name = (data.get("name") or "").strip() or None
    try:
        valid_from = dt_util.utc_from_timestamp(float(data["valid_from"]))
        valid_until = dt_util.utc_from_timestamp(float(data["valid_until"]))
    except KeyError, TypeError, ValueError, OverflowError, OSError:
        return None
    if (plate is None and name is None) or valid_until <= valid_from:
        return None
    return VisitorPass(
        pass_id=str(data["pass_id"]),
        household=str(data.get("household")),
        valid_from=valid_from,
        valid_until=valid_until,
        plate=normalize_plate(plate).text if plate else None,
        name=name,
    )


class FrigateHub:
    """Frigate servers, gates, fire lanes and audio cameras of one community."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, community: Community
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.community = community
        self.setup: FrigateSetup = setup_from_entry(entry)
        self.decider = GateDecider(
            (config.gate for config in self.setup.gates.values()),
            self.setup.registry,
        )
        self.tracker = ObservationTracker()
        self.fire_lanes = FireLaneMonitor(lane for lane, _ in self.setup.lanes.values())
        self.audio = AudioAlarmMapper(self.setup.audio)
        self.access_log = AccessLog()
        self.available: dict[str, bool] = dict.fromkeys(self.setup.servers, True)
        self._clients: dict[str, FrigateClient] = {}
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.frigate_access"
        )
        self._unsubs: list[CALLBACK_TYPE] = []
        self._listeners: list[GateListener] = []
        self._passes: dict[str, dict[str, Any]] = {}
        self._passes_store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.frigate_passes"
        )
        self._last_bad_log = -BAD_PAYLOAD_LOG_INTERVAL
        self.dropped = 0

    @property
    def enabled(self) -> bool:
        """Return True when at least one Frigate server is configured."""
        return bool(self.setup.servers)

    # -- lifecycle ------------------------------------------------------------------

    async def async_start(self) -> None:
        """Load the access log and passes and subscribe to every server's topics."""
        self.community.message_handlers[MessageType.VISITOR_PASS] = (
            self._async_visitor_pass
        )
        stored_passes = await self._passes_store.async_load() or {}
        self._passes = {
            key: value
            for key, value in stored_passes.items()
            if isinstance(value, dict) and _pass_from(value) is not None
        }
        self._apply_passes()
        if not self.enabled:
            return
        try:
            stored = await self._store.async_load()
            if stored is not None:
                self.access_log = AccessLog.from_dict(stored)
        except FrigatePayloadError:
            LOGGER.exception("Stored gate access log could not be read")
        if self.hass.http is not None and _VIEW_KEY not in self.hass.data:
            self.hass.data[_VIEW_KEY] = True
            self.hass.http.register_view(FrigateSnapshotView())
            self.hass.http.register_view(FrigateClipView())
        if self.setup.lanes:
            self._unsubs.append(
                async_track_time_interval(self.hass, self._on_tick, TICK_INTERVAL)
            )
        if not await mqtt.async_wait_for_mqtt_client(self.hass):
            LOGGER.error("Frigate needs the MQTT integration; it is not set up")
            return
        for server in self.setup.servers.values():
            self._unsubs.append(
                await mqtt.async_subscribe(
                    self.hass,
                    f"{server.prefix}/#",
                    self._receiver(server.server_id, server.prefix),
                    qos=0,
                    encoding=None,
                )
            )

    async def async_stop(self) -> None:
        """Unsubscribe and save the access log."""
        while self._unsubs:
            self._unsubs.pop()()
        # Frigate's `available` is retained: a restart hears it again and re-raises.
        for server_id in self.setup.servers:
            ir.async_delete_issue(
                self.hass, DOMAIN, f"frigate_offline_{self.entry.entry_id}_{server_id}"
            )
        if self.enabled:
            await self._store.async_save(self.access_log.as_dict())

    async def _async_visitor_pass(self, envelope: Envelope) -> None:
        """A resident registered a visitor: the gates let that plate or face in, in time."""
        body = {**envelope.body, "household": envelope.household}
        if _pass_from(body) is None:
            LOGGER.warning(
                "Refused a malformed visitor pass from %s", envelope.household
            )
            return
        self._passes[body["pass_id"]] = {
            key: body.get(key)
            for key in (
                "pass_id",
                "household",
                "valid_from",
                "valid_until",
                "plate",
                "name",
            )
        }
        await self._passes_store.async_save(self._passes)
        self._apply_passes()

    @callback
    def _apply_passes(self) -> None:
        now = dt_util.utcnow().timestamp()
        self._passes = {
            key: value
            for key, value in self._passes.items()
            if value["valid_until"] > now
        }
        passes = tuple(
            visitor_pass
            for value in self._passes.values()
            if (visitor_pass := _pass_from(value)) is not None
        )
        self.decider.registry = dataclasses.replace(
            self.decider.registry, passes=passes
        )

    @callback
    def async_add_listener(self, listener: GateListener) -> CALLBACK_TYPE:
        """Call `listener` with every recorded decision (None: availability changed)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self, update: GateUpdate | None) -> None:
        for listener in list(self._listeners):
            listener(update)

    def client(self, server_id: str) -> FrigateClient | None:
        """Return (and create once) the HTTP client of a server."""
        if server_id not in self._clients:
            server = self.setup.servers.get(server_id)
            if server is None:
                return None
            self._clients[server_id] = FrigateClient(
                URL(server.url),
                async_get_clientsession(self.hass),
                server.username,
                server.password,
            )
        return self._clients[server_id]

    # -- MQTT -----------------------------------------------------------------------

    def _receiver(
        self, server_id: str, prefix: str
    ) -> Callable[[mqtt.ReceiveMessage], None]:
        @callback
        def _on_message(msg: mqtt.ReceiveMessage) -> None:
            payload = msg.payload
            if isinstance(payload, bytearray):  # pragma: no cover - encoding=None
                payload = bytes(payload)
            self.handle_message(server_id, prefix, msg.topic, payload)

        return _on_message

    @callback
    def handle_message(
        self, server_id: str, prefix: str, topic: str, payload: bytes | str
    ) -> None:
        """Parse and dispatch one MQTT message of a server; bad payloads are dropped."""
        try:
            message = parse_message(topic, payload, prefix)
        except FrigatePayloadError as err:
            self.dropped += 1
            now = time.monotonic()
            if now - self._last_bad_log >= BAD_PAYLOAD_LOG_INTERVAL:
                self._last_bad_log = now
                LOGGER.warning(
                    "Dropped a bad Frigate payload on %s (%d so far): %s",
                    topic,
                    self.dropped,
                    err,
                )
            return
        now_local = dt_util.now()
        match message:
            case AvailabilityMessage():
                self._on_availability(server_id, message, now_local)
            case EventMessage():
                if not self.available.get(server_id, True):
                    self._set_available(server_id, True)
                self._on_fire_lane(
                    self.fire_lanes.on_event(server_id, message, now_local)
                )
                if message.after.false_positive:
                    return
                obs = self.tracker.on_event(server_id, message)
                self._decide(obs, now_local)
                if message.type is EventType.END:
                    self.decider.forget(message.after.id)
            case FaceResult() | PlateResult():
                self._decide(self.tracker.on_update(server_id, message), now_local)
            case AudioMessage():
                self._on_audio(server_id, message, now_local)
            case _:
                return

    def _on_availability(
        self, server_id: str, message: AvailabilityMessage, now: datetime
    ) -> None:
        online = message.state is Availability.ONLINE
        if not online:
            self.tracker.clear_server(server_id)
            self._on_fire_lane(self.fire_lanes.clear_server(server_id, now))
        self._set_available(server_id, online)

    def _set_available(self, server_id: str, online: bool) -> None:
        if self.available.get(server_id) == online:
            return
        self.available[server_id] = online
        issue_id = f"frigate_offline_{self.entry.entry_id}_{server_id}"
        server = self.setup.servers.get(server_id)
        if online:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            LOGGER.info("Frigate server %s is back online", server_id)
        else:
            LOGGER.warning("Frigate server %s went offline", server_id)
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="frigate_offline",
                translation_placeholders={
                    "server": server.name if server else server_id
                },
            )
        self._changed(None)

    # -- gates ----------------------------------------------------------------------

    def _decide(self, obs: Observation, now: datetime) -> None:
        decision = self.decider.decide(obs, now)
        if decision.decision is Decision.IGNORE:
            return
        record = self.access_log.record(decision)
        if record is None:  # pragma: no cover - IGNORE is never recorded
            return
        self._store.async_delay_save(self.access_log.as_dict, 5.0)
        update = GateUpdate(
            decision,
            record,
            snapshot_path(self.entry.entry_id, decision.server, decision.event_id),
        )
        if decision.decision is Decision.OPEN:
            self.hass.async_create_task(
                self._async_open(decision), f"{DOMAIN} gate open {decision.gate_id}"
            )
        elif decision.decision is Decision.VISITOR:
            self.hass.async_create_task(
                self._async_tell_visitor(decision),
                f"{DOMAIN} gate visitor {decision.gate_id}",
            )
        elif decision.decision is Decision.ALERT:
            self.hass.async_create_task(
                self.community.async_raise_community_alarm(
                    AlarmKind.CUSTOM,
                    f"gate:{decision.gate_id}",
                    self._text(
                        "blacklisted",
                        who=_who(decision),
                        gate=self._gate_name(decision.gate_id),
                    ),
                ),
                f"{DOMAIN} gate alert {decision.gate_id}",
            )
        self._changed(update)

    def _gate_name(self, gate_id: str | None) -> str:
        config = self.setup.gates.get(gate_id or "")
        return config.name if config else str(gate_id)

    def _text(self, key: str, **placeholders: str) -> str:
        return _TEXTS[self.community.settings.language][key].format(**placeholders)

    async def _async_open(self, decision: GateDecision) -> None:
        """Run the gate's opener entity's open action; failures are logged."""
        entity_id = decision.opener_entity_id
        if entity_id is None:  # pragma: no cover - a gate always has an opener
            return
        domain = entity_id.split(".", 1)[0]
        try:
            async with asyncio.timeout(OPEN_TIMEOUT):
                await self.hass.services.async_call(
                    domain,
                    OPEN_ACTIONS[domain],
                    {"entity_id": entity_id},
                    blocking=True,
                    context=Context(),
                )
        except (HomeAssistantError, TimeoutError, KeyError, ValueError) as err:
            LOGGER.error("Could not open gate %s: %s", decision.gate_id, err)

    def _staff_targets(self) -> tuple[str, ...]:
        staff = self.community.settings.staff
        duty = tuple(
            s.notify_target for s in staff if s.role == STAFF_DUTY and s.notify_target
        )
        return duty or tuple(s.notify_target for s in staff if s.notify_target)

    async def _async_tell_visitor(self, decision: GateDecision) -> None:
        """Tell the duty staff that an unregistered visitor is at a gate."""
        gate = self._gate_name(decision.gate_id)
        title = self._text("visitor_title", gate=gate)
        message = self._text(
            "visitor_message",
            gate=gate,
            who=_who(decision),
            direction=decision.direction.value,
        )
        snapshot = snapshot_path(
            self.entry.entry_id, decision.server, decision.event_id
        )
        for target in self._staff_targets():
            try:
                await self.hass.services.async_call(
                    "notify",
                    target,
                    {
                        "title": title,
                        "message": message,
                        "data": {
                            "tag": f"smart_community_gate_{decision.event_id}",
                            "image": snapshot,
                        },
                    },
                    blocking=True,
                )
            except (HomeAssistantError, KeyError, ValueError) as err:
                LOGGER.error("Could not notify %s of a visitor: %s", target, err)

    # -- fire lanes and audio ---------------------------------------------------------

    @callback
    def _on_tick(self, now: datetime) -> None:
        self._on_fire_lane(self.fire_lanes.tick(dt_util.as_local(now)))

    def _on_fire_lane(self, alerts: list[FireLaneAlert]) -> None:
        for alert in alerts:
            self.hass.async_create_task(
                self._async_fire_lane(alert), f"{DOMAIN} fire lane {alert.lane_id}"
            )

    async def _async_fire_lane(self, alert: FireLaneAlert) -> None:
        """Raise the lane's alarm, or resolve it once the lane is free."""
        source = f"fire_lane:{alert.lane_id}"
        if alert.state is FireLaneState.RAISED:
            _, name = self.setup.lanes[alert.lane_id]
            await self.community.async_raise_community_alarm(
                AlarmKind.CUSTOM,
                source,
                self._text("fire_lane", lane=name, plate=alert.plate or alert.label),
            )
            return
        if self.fire_lanes.blocked(alert.lane_id):
            return
        board = self.community.board
        alarm = board.active_for(AlarmKind.CUSTOM, source)
        if alarm is None:
            return
        from .runtime import BoardEventType

        board.resolve(alarm.alarm_id, dt_util.utcnow().timestamp(), "frigate")
        await self.community._async_changed(BoardEventType.RESOLVED, alarm.alarm_id)

    def _on_audio(self, server_id: str, message: AudioMessage, now: datetime) -> None:
        alarm = self.audio.on_audio(server_id, message, now)
        if alarm is None or not alarm.active:
            return
        self.hass.async_create_task(
            self.community.async_raise_community_alarm(
                AlarmKind.CUSTOM,
                f"audio:{server_id}:{alarm.camera}:{alarm.alarm.value}",
                self._text(
                    "audio",
                    sound=alarm.alarm.value.replace("_", " "),
                    place=alarm.place,
                    label=alarm.label,
                ),
            ),
            f"{DOMAIN} audio alarm {alarm.camera}",
        )


def _who(decision: GateDecision) -> str:
    return decision.plate or decision.face or decision.event_id


def hub_of(community: Community) -> FrigateHub | None:
    """Return the Frigate hub among a community's extensions."""
    return next((e for e in community.extensions if isinstance(e, FrigateHub)), None)


class FrigateSnapshotView(HomeAssistantView):
    """An event's snapshot from its Frigate server, for signed-in users only."""

    url = "/api/smart_community/frigate/{entry_id}/{server}/{event_id}/snapshot.jpg"
    name = "api:smart_community:frigate:snapshot"
    requires_auth = True

    async def get(
        self, request: web.Request, entry_id: str, server: str, event_id: str
    ) -> web.Response:
        """Proxy the snapshot."""
        hass = request.app[KEY_HASS]
        entry = hass.config_entries.async_get_entry(entry_id)
        data = getattr(entry, "runtime_data", None) if entry else None
        community = getattr(data, "community", None)
        hub = hub_of(community) if community is not None else None
        client = hub.client(server) if hub is not None else None
        if client is None:
            return web.Response(status=404)
        try:
            body = await client.snapshot(event_id)
        except FrigateError as err:
            LOGGER.warning("Snapshot %s from %s failed: %s", event_id, server, err)
            return web.Response(status=502)
        return web.Response(body=body, content_type="image/jpeg")


class FrigateClipView(HomeAssistantView):
    """An event's clip, streamed from its Frigate server, for signed-in users only."""

    url = "/api/smart_community/frigate/{entry_id}/{server}/{event_id}/clip.mp4"
    name = "api:smart_community:frigate:clip"
    requires_auth = True

    async def get(
        self, request: web.Request, entry_id: str, server: str, event_id: str
    ) -> web.StreamResponse:
        """Stream the clip without holding it in memory; Frigate is never exposed."""
        hass = request.app[KEY_HASS]
        entry = hass.config_entries.async_get_entry(entry_id)
        data = getattr(entry, "runtime_data", None) if entry else None
        community = getattr(data, "community", None)
        hub = hub_of(community) if community is not None else None
        client = hub.client(server) if hub is not None else None
        if client is None:
            return web.Response(status=404)
        try:
            async with client.stream_clip(event_id) as upstream:
                response = web.StreamResponse(
                    headers={"Content-Type": "video/mp4", "Cache-Control": "no-store"}
                )
                await response.prepare(request)
                async for chunk in upstream.content.iter_chunked(64 * 1024):
                    await response.write(chunk)
                await response.write_eof()
                return response
        except FrigateError as err:
            LOGGER.warning("Clip %s from %s failed: %s", event_id, server, err)
            return web.Response(status=502)
