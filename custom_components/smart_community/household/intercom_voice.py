"""Voice control of the door intercom: open the door, open the unit door, who called."""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

from hassil.recognize import RecognizeResult

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import intent
from homeassistant.setup import async_when_setup
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from ..core.phrases import Language, language_for
from ..intercom.access import AccessSource
from ..intercom.calls import Answer
from ..intercom.household_side import IntercomError
from ..intercom.sentences import (
    INTENT_OPEN_DOOR,
    INTENT_OPEN_UNIT_DOOR,
    INTENT_SENTENCES,
    INTENT_WHO_CALLED,
    INTENTS,
    text,
    who_called_text,
)
from .intercom import HouseholdIntercomLink, intercoms

if TYPE_CHECKING:
    from homeassistant.components.conversation import ConversationInput

VOICE_REGISTERED: HassKey[bool] = HassKey(f"{DOMAIN}_intercom_voice")
_SENTENCE_PUNCTUATION: Final = str.maketrans("", "", "，。！？、")


def household_of_device(
    hass: HomeAssistant, device_id: str | None
) -> HouseholdIntercomLink | None:
    """Return the household intercom whose Assist satellite is that device."""
    if device_id is None:
        return None
    return next(
        (
            intercom
            for intercom in intercoms(hass).values()
            if device_id in intercom.satellite_devices()
        ),
        None,
    )


type IntercomAction = Callable[[HouseholdIntercomLink, Language], Awaitable[str]]


class IntercomIntentHandler(intent.IntentHandler):
    """An intercom intent, answered only for the household of the satellite that heard it."""

    def __init__(self, intent_type: str, description: str, act: IntercomAction) -> None:
        self.intent_type = intent_type
        self.description = description
        self._act = act

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Act for the satellite's household, or refuse any other device."""
        language = language_for(intent_obj.language)
        response = intent_obj.create_response()
        intercom = household_of_device(intent_obj.hass, intent_obj.device_id)
        if intercom is None:
            response.async_set_speech(text(language, "not_own_satellite"))
            return response
        response.async_set_speech(await self._act(intercom, language))
        return response


async def _async_open_door(intercom: HouseholdIntercomLink, language: Language) -> str:
    """Answer the newest ringing call with open."""
    try:
        await intercom.async_answer(Answer.OPEN, source=AccessSource.VOICE)
    except IntercomError:
        return text(language, "no_ringing_call")
    return text(language, "resident_opening")


async def _async_open_unit_door(
    intercom: HouseholdIntercomLink, language: Language
) -> str:
    """Ask the community to open the household's own unit door."""
    await intercom.async_open_unit_door(AccessSource.VOICE)
    return text(language, "resident_opening")


async def _async_who_called(intercom: HouseholdIntercomLink, language: Language) -> str:
    """Read the newest calls."""
    return who_called_text(
        language, intercom.who_called(), dt_util.utcnow().timestamp()
    )


def _trigger_sentences(intent_type: str) -> list[str]:
    """Return an intent's sentences in both languages, as punctuation-free templates."""
    return [
        sentence.replace("[，]", "").translate(_SENTENCE_PUNCTUATION)
        for language in Language
        for sentence in INTENT_SENTENCES[language][intent_type]
    ]


@callback
def async_setup_intercom_voice(hass: HomeAssistant) -> None:
    """Register the intercom intents, and their sentences once conversation is set up."""
    if hass.data.get(VOICE_REGISTERED):
        return
    hass.data[VOICE_REGISTERED] = True
    for intent_type, description, act in (
        (INTENT_OPEN_DOOR, "Opens the door for the visitor calling", _async_open_door),
        (
            INTENT_OPEN_UNIT_DOOR,
            "Opens the household's own unit door",
            _async_open_unit_door,
        ),
        (INTENT_WHO_CALLED, "Tells who called recently", _async_who_called),
    ):
        intent.async_register(
            hass, IntercomIntentHandler(intent_type, description, act)
        )

    async def _async_conversation_ready(hass: HomeAssistant, _component: str) -> None:
        from homeassistant.components.conversation.agent_manager import (
            get_agent_manager,
        )

        manager = get_agent_manager(hass)
        for intent_type in INTENTS:
            manager.register_trigger(
                _trigger_sentences(intent_type), _trigger_handler(hass, intent_type)
            )

    async_when_setup(hass, "conversation", _async_conversation_ready)


def _trigger_handler(
    hass: HomeAssistant, intent_type: str
) -> Callable[[ConversationInput, RecognizeResult], Awaitable[str | None]]:
    """Return a sentence trigger callback that runs the intent for the speaking device."""

    async def _async_triggered(
        user_input: ConversationInput, _result: RecognizeResult
    ) -> str | None:
        response = await intent.async_handle(
            hass,
            DOMAIN,
            intent_type,
            {},
            text_input=user_input.text,
            context=user_input.context,
            language=user_input.language,
            device_id=user_input.device_id,
            satellite_id=user_input.satellite_id,
        )
        speech = response.speech.get("plain", {}).get("speech")
        return speech if isinstance(speech, str) else None

    return _async_triggered
