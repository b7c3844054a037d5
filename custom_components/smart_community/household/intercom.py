"""The household's door intercom in Home Assistant: ring, ask on satellites, answer by phone."""

import asyncio
from collections.abc import Callable, Coroutine
import re
from typing import Any, Final

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    HomeAssistant,
    callback,
    split_entity_id,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ..community.intercom_hub import OWN_UNIT_DOOR
from ..const import DOMAIN, LOGGER
from ..core.alarm import CorruptStateError
from ..core.phrases import Language
from ..intercom.access import AccessSource
from ..intercom.calls import Answer
from ..intercom.household_side import (
    HouseholdIntercom,
    IncomingCall,
    IntercomError,
    OpenResult,
)
from ..intercom.sentences import (
    match_answer,
    question_answers,
    reason_text,
    ring_question,
    text,
)
from ..link.protocol import Envelope, MessageType
from .link import HouseholdLink
from .runtime import Household

EVENT_MOBILE_APP_NOTIFICATION_ACTION: Final = "mobile_app_notification_action"
NOTIFY_ACTION_DOOR_PREFIX: Final = "SMART_COMMUNITY_DOOR_"
STORAGE_VERSION: Final = 1
ASK_TIMEOUT: Final = 70.0
INTERCOMS: HassKey[dict[str, HouseholdIntercomLink]] = HassKey(f"{DOMAIN}_intercom")
_PUNCTUATION_RE: Final = re.compile(r"[,.!?;:，。！？；：、…'\"]")

type RingListener = Callable[[IncomingCall], None]


def intercoms(hass: HomeAssistant) -> dict[str, HouseholdIntercomLink]:
    """Return the running household intercoms by entry id."""
    return hass.data.setdefault(INTERCOMS, {})


class HouseholdIntercomLink:
    """One household's intercom: visitor calls from the community and the family's answers."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        household: Household,
        link: HouseholdLink,
    ) -> None:
        self.hass = hass
        self.entry_id = entry_id
        self.household = household
        self.link = link
        self.core = HouseholdIntercom(household.settings.household_id)
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.intercom"
        )
        self._listeners: list[RingListener] = []
        self._unsubs: list[CALLBACK_TYPE] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._ring_timer: CALLBACK_TYPE | None = None

    @property
    def language(self) -> Language:
        """Return the household's language."""
        return self.household.settings.language

    async def async_start(self) -> None:
        """Load the history and handle visitor calls and open-door results."""
        try:
            self.core.load(await self._store.async_load())
        except CorruptStateError:
            LOGGER.exception("Stored intercom history could not be read")
        handlers = self.link.message_handlers
        handlers[MessageType.VISITOR_CALL] = self._async_visitor_call
        handlers[MessageType.OPEN_DOOR_RESULT] = self._async_open_result
        self._unsubs.append(
            self.hass.bus.async_listen(
                EVENT_MOBILE_APP_NOTIFICATION_ACTION, self._on_notification_action
            )
        )
        intercoms(self.hass)[self.entry_id] = self

    async def async_stop(self) -> None:
        """Stop handling messages, cancel open questions and save the history."""
        intercoms(self.hass).pop(self.entry_id, None)
        for message_type in (MessageType.VISITOR_CALL, MessageType.OPEN_DOOR_RESULT):
            self.link.message_handlers.pop(message_type, None)
        while self._unsubs:
            self._unsubs.pop()()
        if self._ring_timer is not None:
            self._ring_timer()
            self._ring_timer = None
        for task in list(self._tasks):
            task.cancel()
        await self._store.async_save(self.core.as_dict())

    @callback
    def async_add_ring_listener(self, listener: RingListener) -> CALLBACK_TYPE:
        """Call listener with every new visitor call."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def satellite_devices(self) -> set[str]:
        """Return the device ids of the household's Assist satellites."""
        registry = er.async_get(self.hass)
        devices: set[str] = set()
        for entity_id in self.household.settings.speakers:
            if split_entity_id(entity_id)[0] != "assist_satellite":
                continue
            entry = registry.async_get(entity_id)
            if entry is not None and entry.device_id is not None:
                devices.add(entry.device_id)
        return devices

    # -- answers ------------------------------------------------------------------

    async def async_answer(
        self,
        answer: Answer | str,
        *,
        call_id: str | None = None,
        source: AccessSource = AccessSource.VOICE,
    ) -> IncomingCall | None:
        """Answer a ringing call (the newest unless named); raise IntercomError if none."""
        outgoing = self.core.answer(
            answer, dt_util.utcnow().timestamp(), call_id=call_id, source=source
        )
        await self.link.endpoint.send(outgoing.type, outgoing.body)
        self._save()
        answered = outgoing.body.get("call_id")
        return self.core.find(answered) if isinstance(answered, str) else None

    async def async_open_unit_door(self, source: AccessSource) -> None:
        """Ask the community to open the household's own unit door."""
        outgoing = self.core.open_door(
            OWN_UNIT_DOOR, dt_util.utcnow().timestamp(), source=source
        )
        await self.link.endpoint.send(outgoing.type, outgoing.body)

    def who_called(self) -> list[IncomingCall]:
        """Return the kept calls, newest first, with missed ones marked."""
        self.core.expire(dt_util.utcnow().timestamp())
        return self.core.history()

    # -- messages -------------------------------------------------------------------

    async def _async_visitor_call(self, envelope: Envelope) -> None:
        """Ring: fire the doorbell, ask on satellites, push to phones."""
        now = dt_util.utcnow().timestamp()
        label = envelope.body.get("station_label")
        try:
            result = self.core.ring(
                envelope.body,
                now,
                station_label=label if isinstance(label, str) else None,
            )
        except (KeyError, TypeError) as err:
            LOGGER.warning("Malformed visitor call: %s", err)
            return
        if not result.created:
            return
        call = result.call
        for listener in list(self._listeners):
            listener(call)
        question = ring_question(self.language, call.station_label, call.visitor_label)
        context = Context()
        for entity_id in self.household.settings.speakers:
            if split_entity_id(entity_id)[0] == "assist_satellite":
                self._spawn(self._async_ask(entity_id, call, question, context))
            else:
                self._spawn(
                    self.household.responder._guard(
                        self.household.responder._announce(entity_id, question, context)
                    )
                )
        self._spawn(self._async_push(call, context))
        if self._ring_timer is not None:
            self._ring_timer()
        self._ring_timer = async_call_later(
            self.hass, self.core.ttl, self._on_ring_timeout
        )
        self._save()

    async def _async_open_result(self, envelope: Envelope) -> None:
        """Record the community's decision and tell the family when it was refused."""
        result = self.core.apply_result(envelope.body, dt_util.utcnow().timestamp())
        if result is None:
            return
        self._save()
        if not result.allowed:
            self._spawn(self._async_tell_refusal(result))

    async def _async_tell_refusal(self, result: OpenResult) -> None:
        """Say why the door stayed shut on the household's speakers."""
        message = reason_text(self.language, result.reason)
        context = Context()
        responder = self.household.responder
        await asyncio.gather(
            *(
                responder._guard(responder._announce(entity_id, message, context))
                for entity_id in self.household.settings.speakers
            )
        )

    # -- satellites and phones ------------------------------------------------------

    async def _async_ask(
        self, entity_id: str, call: IncomingCall, question: str, context: Context
    ) -> None:
        """Ask a satellite whether to open and send the answer to the community."""
        answers = [
            {
                "id": answer["id"],
                "sentences": [
                    _PUNCTUATION_RE.sub("", sentence.replace("[，]", ""))
                    for sentence in answer["sentences"]
                ],
            }
            for answer in question_answers(self.language)
        ]
        try:
            async with asyncio.timeout(ASK_TIMEOUT):
                response = await self.hass.services.async_call(
                    "assist_satellite",
                    "ask_question",
                    {
                        ATTR_ENTITY_ID: entity_id,
                        "question": question,
                        "answers": answers,
                    },
                    blocking=True,
                    context=context,
                    return_response=True,
                )
        except (HomeAssistantError, TimeoutError, ValueError) as err:
            LOGGER.info("No answer from %s: %s", entity_id, err)
            return
        answer = _answer_of(response, self.language)
        if answer is None:
            return
        try:
            await self.async_answer(answer, call_id=call.call_id)
        except IntercomError as err:
            LOGGER.debug("Answer on %s not used: %s", entity_id, err.key)

    async def _async_push(self, call: IncomingCall, context: Context) -> None:
        """Send an actionable Open / Deny / Leave notification to the family's phones."""
        language = self.language
        placeholders = {
            "station": call.station_label,
            "time": dt_util.as_local(
                dt_util.utc_from_timestamp(call.received_at)
            ).strftime("%H:%M:%S"),
        }
        actions = [
            {
                "action": f"{NOTIFY_ACTION_DOOR_PREFIX}{answer.value}_{call.call_id}",
                "title": text(language, f"action_{answer.value}"),
            }
            for answer in Answer
        ]
        responder = self.household.responder
        await asyncio.gather(
            *(
                responder._guard(
                    responder._call(
                        "notify",
                        target,
                        {
                            "title": text(language, "ring_title", **placeholders),
                            "message": text(language, "ring_message", **placeholders),
                            "data": {
                                "tag": f"smart_community_door_{call.call_id}",
                                "actions": actions,
                                "ttl": 0,
                                "priority": "high",
                            },
                        },
                        context,
                    )
                )
                for target in self.household.settings.notify_targets
            )
        )

    @callback
    def _on_notification_action(self, event: Event[dict[str, Any]]) -> None:
        """Answer a call from a phone notification's Open / Deny / Leave button."""
        action = str(event.data.get("action", ""))
        if not action.startswith(NOTIFY_ACTION_DOOR_PREFIX):
            return
        answer_id, _, call_id = action.removeprefix(
            NOTIFY_ACTION_DOOR_PREFIX
        ).partition("_")
        if self.core.find(call_id) is None:
            return
        self._spawn(self._async_answer_from_phone(answer_id, call_id))

    async def _async_answer_from_phone(self, answer_id: str, call_id: str) -> None:
        """Send a phone's answer, ignoring calls already answered or expired."""
        try:
            await self.async_answer(
                answer_id, call_id=call_id, source=AccessSource.PHONE
            )
        except IntercomError as err:
            LOGGER.info("Phone answer for %s not used: %s", call_id, err.key)

    # -- housekeeping ---------------------------------------------------------------

    @callback
    def _on_ring_timeout(self, _now: Any) -> None:
        """Mark calls nobody answered as missed (the newest call's TTL covers older ones)."""
        self._ring_timer = None
        if self.core.expire(dt_util.utcnow().timestamp()):
            self._save()

    def _spawn(self, coro: Any) -> None:
        """Run a coroutine in the background, cancelled when the intercom stops."""
        task = self.hass.async_create_background_task(
            coro, f"{DOMAIN} intercom {self.entry_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _save(self) -> None:
        """Save the history soon."""
        self._store.async_delay_save(self.core.as_dict, 1.0)


def _answer_of(response: Any, language: Language) -> Answer | None:
    """Return the answer in an ask_question response (by id, else by its sentence)."""
    if not isinstance(response, dict):
        return None
    answer_id = response.get("id")
    if isinstance(answer_id, str):
        try:
            return Answer(answer_id)
        except ValueError:
            return None
    sentence = response.get("sentence")
    return match_answer(sentence, language) if isinstance(sentence, str) else None


async def async_start_intercom(
    hass: HomeAssistant, entry_id: str, household: Household, link: HouseholdLink
) -> Callable[[], Coroutine[Any, Any, None]]:
    """Start a household's intercom on its link and return its stop coroutine function."""
    intercom = HouseholdIntercomLink(hass, entry_id, household, link)
    await intercom.async_start()
    return intercom.async_stop
