"""Intercom voice sentences (hassil templates) and spoken/pushed texts in English and Chinese.

Three intents are registered by the integration, in ``en`` and ``zh-cn`` (the language codes of
home-assistant/intents): :data:`INTENT_OPEN_DOOR` answers the ringing call, :data:`INTENT_OPEN_UNIT_DOOR`
opens the household's own unit door, :data:`INTENT_WHO_CALLED` tells who rang. The
``assist_satellite.ask_question`` answers (ids ``open``/``deny``/``leave``) carry both languages
so a household can answer in either. Texts follow :mod:`..core.phrases`: identical keys and
placeholders in both languages (a test enforces it).
"""

from collections.abc import Iterable, Mapping, Sequence
import re
from typing import Any, Final

from hassil import Intents, recognize

from ..core.phrases import Language
from .access import AccessReason
from .calls import Answer
from .household_side import IncomingCall, Outcome

INTENT_OPEN_DOOR: Final = "SmartCommunityOpenDoor"
INTENT_OPEN_UNIT_DOOR: Final = "SmartCommunityOpenUnitDoor"
INTENT_WHO_CALLED: Final = "SmartCommunityWhoCalled"
INTENTS: Final = (INTENT_OPEN_DOOR, INTENT_OPEN_UNIT_DOOR, INTENT_WHO_CALLED)

INTENT_LANGUAGES: Final[Mapping[Language, str]] = {
    Language.EN: "en",
    Language.ZH_HANS: "zh-cn",
}

INTENT_SENTENCES: Final[Mapping[Language, Mapping[str, tuple[str, ...]]]] = {
    Language.EN: {
        INTENT_OPEN_DOOR: (
            "[please] (open|unlock) [the] [front] (door|gate) [for (them|him|her|the visitor)] [please]",
            "[please] let (them|him|her|the visitor) in [please]",
            "buzz (them|him|her|the visitor) in",
        ),
        INTENT_OPEN_UNIT_DOOR: (
            "[please] (open|unlock) [the] (building|unit|lobby|entrance|downstairs) door [please]",
            "[please] (open|unlock) the door (downstairs|of [the] building) [please]",
        ),
        INTENT_WHO_CALLED: (
            "who (called|rang|came by|was at the door) [me|us] [just now|earlier|recently|today]",
            "who was (calling|ringing) [me|us] [just now|earlier]",
            "did (anyone|anybody|someone) (call|ring|come by) [just now|earlier|recently|today]",
        ),
    },
    Language.ZH_HANS: {
        INTENT_OPEN_DOOR: (
            "[好[的][，]][请|帮我|给我]开[一下]门[吧]",
            "[请|帮我|给我]开[一下][小区]大门[吧]",
            "[请|帮我|给我]打开[小区][大]门[吧]",
            "让(他|她|他们|她们|对方|访客)进来[吧]",
        ),
        INTENT_OPEN_UNIT_DOOR: (
            "[请|帮我|给我]打开(单元门|楼门|楼下[的]门)[吧]",
            "[请|帮我|给我]开[一下](单元门|楼门|楼下[的]门)[吧]",
        ),
        INTENT_WHO_CALLED: (
            "[刚才|刚刚|今天]谁[来]找[过][我|我们][了]",
            "[刚才|刚刚|今天][是]谁[在]按[了][门铃]",
            "[刚才|刚刚|今天]有(人|谁)找[过][我|我们][吗]",
        ),
    },
}

INTENT_EXAMPLES: Final[Mapping[Language, Mapping[str, tuple[str, ...]]]] = {
    Language.EN: {
        INTENT_OPEN_DOOR: (
            "open the door",
            "Open the gate.",
            "let them in",
            "please open the front door",
        ),
        INTENT_OPEN_UNIT_DOOR: (
            "open the building door",
            "unlock the lobby door",
            "open the door downstairs",
        ),
        INTENT_WHO_CALLED: (
            "who called?",
            "Who was at the door earlier",
            "did anyone ring",
        ),
    },
    Language.ZH_HANS: {
        INTENT_OPEN_DOOR: ("开门", "好的，开门吧", "打开大门", "让他进来"),
        INTENT_OPEN_UNIT_DOOR: ("打开单元门", "开一下楼下的门", "帮我打开楼门"),
        INTENT_WHO_CALLED: ("刚才谁找我", "刚刚谁按门铃", "今天有人找过我吗？"),
    },
}

QUESTION_ANSWERS: Final[Mapping[Language, Mapping[Answer, tuple[str, ...]]]] = {
    Language.EN: {
        Answer.OPEN: (
            "open",
            "[yes] [please] open [it|up|the door|the gate] [please]",
            "let (them|him|her) in",
            "yes [please]",
            "sure",
        ),
        Answer.DENY: (
            "no [thanks|thank you]",
            "(don't|do not) open [it|the door|the gate]",
            "deny",
            "(keep|leave) it (closed|shut)",
            "ignore [it]",
        ),
        Answer.LEAVE: (
            "leave it at the door",
            "[please] (leave|put|drop) (it|the package|the parcel) (at|by|outside) the door [please]",
            "[just] leave it (there|outside)",
        ),
    },
    Language.ZH_HANS: {
        Answer.OPEN: (
            "开门",
            "打开",
            "[好[的]|可以|行|是[的]|对][，][请]开[一下][门][吧]",
            "让(他|她|他们|她们|对方)进来[吧]",
            "(好[的]|可以|行)",
            "进来吧",
        ),
        Answer.DENY: (
            "不[要|用]开[门][了]",
            "别开[门]",
            "不[用|要][了]",
            "拒绝",
            "不认识",
        ),
        Answer.LEAVE: (
            "放门口",
            "[请|让(他|她)]放[在]门口[就行|就好][了][吧]",
            "(放|搁)[在]门外[吧]",
        ),
    },
}

ANSWER_EXAMPLES: Final[Mapping[Language, Mapping[Answer, tuple[str, ...]]]] = {
    Language.EN: {
        Answer.OPEN: ("open", "open the door", "let them in", "yes"),
        Answer.DENY: ("no", "don't open", "deny"),
        Answer.LEAVE: (
            "leave it at the door",
            "put the parcel outside the door",
            "just leave it there",
        ),
    },
    Language.ZH_HANS: {
        Answer.OPEN: ("开门", "打开", "让他进来", "好的，开门吧"),
        Answer.DENY: ("不开", "不用了", "拒绝"),
        Answer.LEAVE: ("放门口", "放在门口吧", "让他放门口就行"),
    },
}

TEXTS: Final[Mapping[Language, Mapping[str, str]]] = {
    Language.EN: {
        "ring_question": "Someone is at {station} for you. Open the door?",
        "ring_question_visitor": "{visitor} is at {station} for you. Open the door?",
        "ring_title": "Visitor at {station}",
        "ring_message": "Someone is at {station} for you ({time}).",
        "action_open": "Open",
        "action_deny": "Deny",
        "action_leave": "Leave at the door",
        "resident_opening": "Opening the door.",
        "resident_denied": "OK, the door stays closed.",
        "resident_leave": "OK, I asked them to leave it at the door.",
        "no_ringing_call": "Nobody is calling right now.",
        "not_own_satellite": "Only a speaker in your own home can open your building door.",
        "visitor_calling": "Calling {room}, please wait.",
        "visitor_bad_room": "That room was not found. Please try again, for example 3-2-1502.",
        "visitor_door_open": "The door is open.",
        "visitor_leave": "Please leave it at the door.",
        "visitor_denied": "Sorry, the resident cannot let you in.",
        "visitor_no_answer": "Nobody answered. Please try again later.",
        "who_called_none": "Nobody has called recently.",
        "who_called_intro": "Recent callers:",
        "who_called_item": "{station}, {ago}, {outcome}.",
        "just_now": "just now",
        "minutes_ago": "{minutes} minutes ago",
        "hours_ago": "{hours} hours ago",
    },
    Language.ZH_HANS: {
        "ring_question": "{station}有人找您，要开门吗？",
        "ring_question_visitor": "{visitor}在{station}找您，要开门吗？",
        "ring_title": "{station}有访客",
        "ring_message": "{time}，{station}有人找您。",
        "action_open": "开门",
        "action_deny": "拒绝",
        "action_leave": "放门口",
        "resident_opening": "正在开门。",
        "resident_denied": "好的，不开门。",
        "resident_leave": "好的，已请对方放在门口。",
        "no_ringing_call": "现在没有人找您。",
        "not_own_satellite": "只有您家中的音箱可以打开本单元的门。",
        "visitor_calling": "正在呼叫{room}，请稍候。",
        "visitor_bad_room": "未找到该房间，请重新输入，例如 3-2-1502。",
        "visitor_door_open": "门已打开。",
        "visitor_leave": "请放在门口。",
        "visitor_denied": "抱歉，住户暂时不便开门。",
        "visitor_no_answer": "无人应答，请稍后再试。",
        "who_called_none": "最近没有人找过您。",
        "who_called_intro": "最近的来访：",
        "who_called_item": "{ago}，{station}，{outcome}。",
        "just_now": "刚刚",
        "minutes_ago": "{minutes}分钟前",
        "hours_ago": "{hours}小时前",
    },
}

OUTCOMES: Final[Mapping[Language, Mapping[Outcome, str]]] = {
    Language.EN: {
        Outcome.RINGING: "still ringing",
        Outcome.OPEN_REQUESTED: "opening",
        Outcome.OPENED: "door opened",
        Outcome.REFUSED: "door not opened",
        Outcome.DENIED: "declined",
        Outcome.LEAVE_AT_DOOR: "left at the door",
        Outcome.MISSED: "missed",
    },
    Language.ZH_HANS: {
        Outcome.RINGING: "正在呼叫",
        Outcome.OPEN_REQUESTED: "正在开门",
        Outcome.OPENED: "已开门",
        Outcome.REFUSED: "未能开门",
        Outcome.DENIED: "已拒绝",
        Outcome.LEAVE_AT_DOOR: "放门口",
        Outcome.MISSED: "未接",
    },
}

REASONS: Final[Mapping[Language, Mapping[AccessReason, str]]] = {
    Language.EN: {
        AccessReason.OPENED_FOR_CALL: "The door is open.",
        AccessReason.OPENED_OWN_UNIT_DOOR: "The building door is open.",
        AccessReason.OPENED_WITH_PIN: "The gate is open.",
        AccessReason.BAD_REQUEST: "The request was incomplete, so the door stays closed.",
        AccessReason.REPLAYED: "That request was already used, so the door stays closed.",
        AccessReason.STALE_REQUEST: "The request arrived too late, so the door stays closed.",
        AccessReason.UNKNOWN_DOOR: "That door is not known to the property.",
        AccessReason.UNKNOWN_HOUSEHOLD: "Your home is not registered with the property.",
        AccessReason.NO_PENDING_CALL: "Nobody is calling you, so the door stays closed.",
        AccessReason.CALL_EXPIRED: "The call has timed out, so the door stays closed.",
        AccessReason.CALL_CLOSED: "That call was already answered.",
        AccessReason.WRONG_HOUSEHOLD: "That call is for another home.",
        AccessReason.WRONG_DOOR: "That call came from another door.",
        AccessReason.NOT_OWN_DOOR: "You can only open your own building door.",
        AccessReason.PIN_REQUIRED: "Opening without a call needs your PIN.",
        AccessReason.PIN_DISABLED: "Opening with a PIN is switched off by the property.",
        AccessReason.PIN_NOT_SET: "Your home has no door PIN yet.",
        AccessReason.WRONG_PIN: "Wrong PIN, the door stays closed.",
        AccessReason.PIN_LOCKED: "Too many wrong PINs. Try again later.",
        AccessReason.RATE_LIMITED: "The door was opened too often. Try again in a few minutes.",
        AccessReason.OPENER_FAILED: "The door could not be opened: its opener did not respond.",
    },
    Language.ZH_HANS: {
        AccessReason.OPENED_FOR_CALL: "门已打开。",
        AccessReason.OPENED_OWN_UNIT_DOOR: "单元门已打开。",
        AccessReason.OPENED_WITH_PIN: "大门已打开。",
        AccessReason.BAD_REQUEST: "请求不完整，门未打开。",
        AccessReason.REPLAYED: "该请求已使用过，门未打开。",
        AccessReason.STALE_REQUEST: "请求送达太晚，门未打开。",
        AccessReason.UNKNOWN_DOOR: "物业没有登记这扇门。",
        AccessReason.UNKNOWN_HOUSEHOLD: "您家尚未在物业登记。",
        AccessReason.NO_PENDING_CALL: "现在没有人找您，门未打开。",
        AccessReason.CALL_EXPIRED: "呼叫已超时，门未打开。",
        AccessReason.CALL_CLOSED: "这次呼叫已经处理过了。",
        AccessReason.WRONG_HOUSEHOLD: "这次呼叫是找别的住户的。",
        AccessReason.WRONG_DOOR: "这次呼叫来自另一扇门。",
        AccessReason.NOT_OWN_DOOR: "只能打开您所在单元的门。",
        AccessReason.PIN_REQUIRED: "没有呼叫时开门需要输入密码。",
        AccessReason.PIN_DISABLED: "物业已关闭密码开门。",
        AccessReason.PIN_NOT_SET: "您家还没有设置开门密码。",
        AccessReason.WRONG_PIN: "密码错误，门未打开。",
        AccessReason.PIN_LOCKED: "密码错误次数过多，请稍后再试。",
        AccessReason.RATE_LIMITED: "开门过于频繁，请几分钟后再试。",
        AccessReason.OPENER_FAILED: "门未能打开：开门器没有响应。",
    },
}

_PUNCTUATION_RE: Final = re.compile(r"[\s,.!?;:，。！？；：、…]+")


def intent_language(language: Language) -> str:
    """Return the home-assistant/intents code (``en``/``zh-cn``) for a message language."""
    return INTENT_LANGUAGES[language]


def intents_dict(language: Language) -> dict[str, Any]:
    """Return the intents of one language as a hassil/custom-sentences dict."""
    data: dict[str, Any] = {
        "language": intent_language(language),
        "intents": {
            name: {"data": [{"sentences": list(sentences)}]}
            for name, sentences in INTENT_SENTENCES[language].items()
        },
    }
    if language is Language.ZH_HANS:
        data["settings"] = {"ignore_whitespace": True}
    return data


def recognize_intent(text: str, language: Language) -> str | None:
    """Return the intercom intent a sentence matches in that language, or None."""
    result = recognize(text, Intents.from_dict(intents_dict(language)))
    return None if result is None else result.intent.name


def question_answers(language: Language) -> list[dict[str, Any]]:
    """Return ``ask_question`` answers: the household's language first, then the other."""
    order = [language, *(other for other in Language if other is not language)]
    return [
        {
            "id": answer.value,
            "sentences": [s for lang in order for s in QUESTION_ANSWERS[lang][answer]],
        }
        for answer in Answer
    ]


def match_answer(text: str, language: Language = Language.ZH_HANS) -> Answer | None:
    """Match a typed or spoken reply to an answer id as ask_question does (punctuation-blind)."""
    cleaned = _PUNCTUATION_RE.sub(" ", text).strip()
    if not cleaned:
        return None
    intents = Intents.from_dict(
        {
            "language": intent_language(language),
            "intents": {
                "QuestionIntent": {
                    "data": [
                        {
                            "sentences": answer["sentences"],
                            "metadata": {"answer_id": answer["id"]},
                        }
                        for answer in question_answers(language)
                    ]
                }
            },
        }
    )
    for candidate in (cleaned, cleaned.replace(" ", "")):
        result = recognize(candidate, intents)
        if result is not None and result.intent_metadata:
            return Answer(result.intent_metadata["answer_id"])
    return None


def text(language: Language, key: str, **placeholders: str) -> str:
    """Return an intercom text with its placeholders filled."""
    return TEXTS[language][key].format(**placeholders)


def reason_text(language: Language, reason: AccessReason | str | None) -> str:
    """Return what to say about an access decision (an unknown reason reads as refused)."""
    if reason is None or reason not in AccessReason.__members__.values():
        return TEXTS[language]["visitor_denied"]
    return REASONS[language][AccessReason(reason)]


def ring_question(language: Language, station: str, visitor: str | None = None) -> str:
    """Return the question to ask on the household's speakers."""
    if visitor:
        return text(language, "ring_question_visitor", station=station, visitor=visitor)
    return text(language, "ring_question", station=station)


def ago(language: Language, seconds: float) -> str:
    """Return how long ago something happened, in words."""
    if seconds < 60:
        return text(language, "just_now")
    if seconds < 3600:
        return text(language, "minutes_ago", minutes=str(int(seconds // 60)))
    return text(language, "hours_ago", hours=str(int(seconds // 3600)))


def who_called_text(
    language: Language, calls: Iterable[IncomingCall], now: float, limit: int = 3
) -> str:
    """Return the spoken answer to "who called?" for the newest calls."""
    items: Sequence[IncomingCall] = list(calls)[:limit]
    if not items:
        return text(language, "who_called_none")
    lines = [
        text(
            language,
            "who_called_item",
            station=call.station_label,
            ago=ago(language, now - call.received_at),
            outcome=OUTCOMES[language][call.outcome],
        )
        for call in items
    ]
    return " ".join([text(language, "who_called_intro"), *lines])
