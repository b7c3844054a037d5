"""Spoken and pushed texts exist in both languages with the same placeholders."""

import string

from hypothesis import given, strategies as st
import pytest

from custom_components.smart_community.core.alarm import AlarmKind
from custom_components.smart_community.core.phrases import (
    KIND_NAMES,
    SPOKEN,
    TEXTS,
    Language,
    kind_name,
    language_for,
    spoken_warning,
    text,
)
from custom_components.smart_community.core.response import Response, response_plan


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_phrase() -> None:
    """Both languages cover every kind and every text, with equal placeholders."""
    for catalogue in (KIND_NAMES, SPOKEN):
        for language in Language:
            assert set(catalogue[language]) == set(AlarmKind)
    assert set(TEXTS[Language.EN]) == set(TEXTS[Language.ZH_HANS])
    for key, template in TEXTS[Language.EN].items():
        assert _fields(template) == _fields(TEXTS[Language.ZH_HANS][key]), key


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("zh-Hans", Language.ZH_HANS),
        ("zh-cn", Language.ZH_HANS),
        ("en", Language.EN),
        ("de", Language.EN),
        (None, Language.EN),
    ],
)
def test_language_for(code: str | None, language: Language) -> None:
    """Any Chinese variant speaks Simplified Chinese; everything else English."""
    assert language_for(code) is language


def test_spoken_warning_and_text() -> None:
    """Warnings append the alarm's own message; texts fill their placeholders."""
    assert (
        spoken_warning(Language.EN, AlarmKind.SOS) == SPOKEN[Language.EN][AlarmKind.SOS]
    )
    assert spoken_warning(Language.ZH_HANS, AlarmKind.SOS, "厨房").endswith(" 厨房")
    assert kind_name(Language.ZH_HANS, AlarmKind.LEAK) == "漏水"
    assert text(
        Language.EN, "acknowledged_message", by="Mum", kind="SOS", household="Wang"
    ) == ("Mum acknowledged the SOS alarm at Wang.")


@given(st.sampled_from(AlarmKind))
def test_every_kind_notifies_the_family(kind: AlarmKind) -> None:
    """No alarm kind stays silent towards the family."""
    assert Response.NOTIFY_FAMILY in response_plan(kind)


def test_plans_match_the_issue() -> None:
    """Smoke: sirens; gas/CO: gas valve first; leak: water valve."""
    assert response_plan(AlarmKind.SMOKE)[0] is Response.SIRENS_ON
    for kind in (AlarmKind.GAS, AlarmKind.CO):
        assert response_plan(kind)[0] is Response.CLOSE_GAS_VALVE
    assert response_plan(AlarmKind.LEAK)[0] is Response.CLOSE_WATER_VALVE
    assert Response.SIRENS_ON in response_plan(AlarmKind.SOS)
    assert Response.SIRENS_ON not in response_plan(AlarmKind.INACTIVITY)
