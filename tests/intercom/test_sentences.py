"""Intercom sentences: both languages complete, and hassil itself matches the examples."""

import string
from typing import Any

from hassil import Intents, parse_sentence, recognize, recognize_all
import pytest

from custom_components.smart_community.core.phrases import Language
from custom_components.smart_community.intercom.access import AccessReason
from custom_components.smart_community.intercom.calls import Answer
from custom_components.smart_community.intercom.household_side import (
    HouseholdIntercom,
    Outcome,
)
from custom_components.smart_community.intercom.sentences import (
    ANSWER_EXAMPLES,
    INTENT_EXAMPLES,
    INTENT_OPEN_DOOR,
    INTENT_SENTENCES,
    INTENTS,
    OUTCOMES,
    QUESTION_ANSWERS,
    REASONS,
    TEXTS,
    ago,
    intent_language,
    intents_dict,
    match_answer,
    question_answers,
    reason_text,
    recognize_intent,
    ring_question,
    text,
    who_called_text,
)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_catalogues_have_both_languages() -> None:
    """Every catalogue covers both languages with the same keys and placeholders."""
    assert set(TEXTS[Language.EN]) == set(TEXTS[Language.ZH_HANS])
    for key, template in TEXTS[Language.EN].items():
        assert _fields(template) == _fields(TEXTS[Language.ZH_HANS][key]), key
    for language in Language:
        assert set(OUTCOMES[language]) == set(Outcome)
        assert set(REASONS[language]) == set(AccessReason)
        assert set(QUESTION_ANSWERS[language]) == set(Answer)
        assert set(ANSWER_EXAMPLES[language]) == set(Answer)
        assert set(INTENT_SENTENCES[language]) == set(INTENTS)
        assert set(INTENT_EXAMPLES[language]) == set(INTENTS)


def test_templates_parse() -> None:
    """Every template is valid hassil syntax."""
    templates = [
        template
        for language in Language
        for group in (
            *INTENT_SENTENCES[language].values(),
            *QUESTION_ANSWERS[language].values(),
        )
        for template in group
    ]
    for template in templates:
        assert parse_sentence(template, keep_text=True).text == template


@pytest.mark.parametrize("language", list(Language))
def test_intent_examples_match_only_their_intent(language: Language) -> None:
    """hassil recognises each example as its own intent and no other."""
    intents = Intents.from_dict(intents_dict(language))
    assert intents.language == intent_language(language)
    for name, examples in INTENT_EXAMPLES[language].items():
        for example in examples:
            matched = {result.intent.name for result in recognize_all(example, intents)}
            assert matched == {name}, example
            assert recognize_intent(example, language) == name


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("turn on the kitchen light", Language.EN),
        ("open the garage door", Language.EN),
        ("what time is it", Language.EN),
        ("打开客厅的灯", Language.ZH_HANS),
        ("开窗", Language.ZH_HANS),
        ("现在几点", Language.ZH_HANS),
    ],
)
def test_other_sentences_do_not_match(sentence: str, language: Language) -> None:
    """Ordinary home commands are not taken for door commands."""
    assert recognize_intent(sentence, language) is None


def test_chinese_intents_ignore_spaces() -> None:
    """Chinese speech-to-text spacing does not matter."""
    assert intents_dict(Language.ZH_HANS)["settings"] == {"ignore_whitespace": True}
    assert "settings" not in intents_dict(Language.EN)
    assert recognize_intent("开 门", Language.ZH_HANS) == INTENT_OPEN_DOOR


def _ask_question_intents(answers: list[dict[str, Any]], language: str) -> Intents:
    """Build the intents the way assist_satellite.ask_question does."""
    return Intents.from_dict(
        {
            "language": language,
            "intents": {
                "QuestionIntent": {
                    "data": [
                        {
                            "sentences": a["sentences"],
                            "metadata": {"answer_id": a["id"]},
                        }
                        for a in answers
                    ]
                }
            },
        }
    )


@pytest.mark.parametrize("household_language", list(Language))
def test_question_answers_as_ask_question_matches_them(
    household_language: Language,
) -> None:
    """Each example reply, in either language, gives exactly its answer id."""
    answers = question_answers(household_language)
    assert [a["id"] for a in answers] == ["open", "deny", "leave"]
    assert (
        answers[0]["sentences"][0]
        == QUESTION_ANSWERS[household_language][Answer.OPEN][0]
    )
    intents = _ask_question_intents(
        answers, "zh-Hans" if household_language is Language.ZH_HANS else "en"
    )
    for language in Language:
        for answer, examples in ANSWER_EXAMPLES[language].items():
            for example in examples:
                ids = {
                    r.intent_metadata["answer_id"]
                    for r in recognize_all(example, intents)
                    if r.intent_metadata
                }
                assert ids == {answer.value}, example
                result = recognize(example, intents)
                assert result is not None and result.intent_metadata is not None
                assert result.intent_metadata["answer_id"] == answer.value


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("好的，开门吧！", Answer.OPEN),
        ("好的 开门", Answer.OPEN),
        ("放 在 门 口 吧。", Answer.LEAVE),
        ("No!", Answer.DENY),
        ("Yes, open the door.", Answer.OPEN),
        ("Leave it at the door, please", Answer.LEAVE),
        ("不用了。", Answer.DENY),
        ("what?", None),
        ("，。", None),
        ("", None),
    ],
)
def test_match_answer(reply: str, answer: Answer | None) -> None:
    """Typed phone replies match regardless of punctuation and spacing."""
    assert match_answer(reply) is answer
    assert match_answer(reply, Language.EN) is answer


def test_texts() -> None:
    """Texts fill placeholders; reasons and durations read in both languages."""
    assert ring_question(Language.EN, "the east gate") == (
        "Someone is at the east gate for you. Open the door?"
    )
    assert ring_question(Language.ZH_HANS, "东门") == "东门有人找您，要开门吗？"
    assert (
        ring_question(Language.ZH_HANS, "东门", "快递员")
        == "快递员在东门找您，要开门吗？"
    )
    assert (
        text(Language.EN, "visitor_calling", room="3-2-1502")
        == "Calling 3-2-1502, please wait."
    )
    assert reason_text(Language.ZH_HANS, AccessReason.OPENED_FOR_CALL) == "门已打开。"
    assert reason_text(Language.EN, "wrong_pin") == "Wrong PIN, the door stays closed."
    assert reason_text(Language.EN, "mystery") == TEXTS[Language.EN]["visitor_denied"]
    assert reason_text(Language.ZH_HANS, None) == "抱歉，住户暂时不便开门。"
    assert ago(Language.EN, 59.0) == "just now"
    assert ago(Language.ZH_HANS, 180.0) == "3分钟前"
    assert ago(Language.EN, 7300.0) == "2 hours ago"


def test_who_called_text() -> None:
    """The answer names the newest calls with how long ago and what became of them."""
    home = HouseholdIntercom("3-2-1502")
    assert (
        who_called_text(Language.EN, home.history(), 0.0)
        == "Nobody has called recently."
    )
    home.ring({"call_id": "c1", "gate": "g"}, 0.0, station_label="East gate")
    home.answer("leave", 5.0)
    home.ring({"call_id": "c2", "gate": "d"}, 100.0, station_label="单元门")
    assert who_called_text(Language.ZH_HANS, home.history(), 130.0) == (
        "最近的来访： 刚刚，单元门，正在呼叫。 2分钟前，East gate，放门口。"
    )
    assert who_called_text(Language.EN, home.history(), 130.0, limit=1) == (
        "Recent callers: 单元门, just now, still ringing."
    )
