"""Announcements: texts, targets, receipts, expiry and persistence."""

import json

from hypothesis import given, strategies as st
import pytest

from custom_components.smart_community.community.announcements import (
    Announcement,
    AnnouncementBook,
    AnnouncementError,
    AnnouncementNotFoundError,
    ReceiptOutcome,
    Target,
    TargetKind,
    Urgency,
    new_announcement_id,
)
from custom_components.smart_community.core.alarm import CorruptStateError
from custom_components.smart_community.core.phrases import Language

HOUSEHOLDS = {"3-1-0101": "3", "3-2-1502": "3", "5-1-0302": "5"}


def test_texts_and_fallback() -> None:
    both = Announcement("a", 1.0, text_zh="明天停水", text_en="No water tomorrow")
    assert both.text(Language.ZH_HANS) == "明天停水"
    assert both.text(Language.EN) == "No water tomorrow"
    zh_only = Announcement("b", 1.0, text_zh="明天停水", text_en=" ")
    assert zh_only.text(Language.EN) == "明天停水"
    en_only = Announcement("c", 1.0, text_en="Lift service")
    assert en_only.text(Language.ZH_HANS) == "Lift service"
    assert len(new_announcement_id()) == 32


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({}, "announcement_text_required"),
        ({"text_zh": "  ", "text_en": ""}, "announcement_text_required"),
        ({"text_en": "x" * 4001}, "announcement_text_too_long"),
        ({"announcement_id": "", "text_en": "x"}, "announcement_bad_id"),
        ({"text_en": "x", "expires_at": 1.0}, "announcement_bad_expiry"),
        ({"text_en": "x", "target": Target.buildings([])}, "announcement_no_targets"),
    ],
)
def test_validation(kwargs: dict[str, object], key: str) -> None:
    args: dict[str, object] = {"announcement_id": "a", "created_at": 1.0}
    args.update(kwargs)
    with pytest.raises(AnnouncementError) as err:
        Announcement(**args)  # type: ignore[arg-type]
    assert err.value.key == key


def test_target_resolution() -> None:
    assert Target.everyone().resolve(HOUSEHOLDS) == set(HOUSEHOLDS)
    assert Target.everyone().unknown(HOUSEHOLDS) == set()
    buildings = Target.buildings(["3", "9"])
    assert buildings.resolve(HOUSEHOLDS) == {"3-1-0101", "3-2-1502"}
    assert buildings.unknown(HOUSEHOLDS) == {"9"}
    households = Target.households(["5-1-0302", "ghost"])
    assert households.resolve(HOUSEHOLDS) == {"5-1-0302"}
    assert households.unknown(HOUSEHOLDS) == {"ghost"}


def test_publish_and_receipts() -> None:
    book = AnnouncementBook()
    notice = Announcement(
        "n1",
        100.0,
        text_zh="3号楼明天停水",
        urgency=Urgency.URGENT,
        target=Target.buildings(["3", "9"]),
        created_by="manager",
    )
    published = book.publish(notice, HOUSEHOLDS)
    assert published.created
    assert published.unknown_targets == {"9"}
    assert book.progress("n1") == (progress := published.delivery.progress)
    assert (progress.delivered, progress.targeted, progress.ignored) == (0, 2, 0)
    assert not progress.complete
    assert book.record_receipt("n1", "3-2-1502", 101.0) is ReceiptOutcome.RECORDED
    assert book.record_receipt("n1", "3-2-1502", 102.0) is ReceiptOutcome.DUPLICATE
    assert book.record_receipt("n1", "5-1-0302", 103.0) is ReceiptOutcome.NOT_TARGETED
    assert book.record_receipt("n1", "5-1-0302", 104.0) is ReceiptOutcome.NOT_TARGETED
    delivery = book.get("n1")
    assert delivery.receipts == {"3-2-1502": 101.0}
    assert delivery.pending == {"3-1-0101"}
    assert (delivery.progress.delivered, delivery.progress.ignored) == (1, 2)
    book.record_receipt("n1", "3-1-0101", 105.0)
    assert book.progress("n1").complete
    # Publishing the same id again (a re-delivered message) changes nothing.
    households_later = {**HOUSEHOLDS, "3-3-0909": "3"}
    again = book.publish(notice, households_later)
    assert not again.created
    assert again.delivery is delivery
    assert delivery.targeted == {"3-1-0101", "3-2-1502"}
    with pytest.raises(AnnouncementNotFoundError) as err:
        book.record_receipt("nope", "3-2-1502", 1.0)
    assert err.value.key == "announcement_not_found"


def test_expiry() -> None:
    book = AnnouncementBook()
    forever = Announcement("a", 10.0, text_en="Welcome")
    short = Announcement("b", 5.0, text_en="Lift stop", expires_at=50.0)
    book.publish(forever, HOUSEHOLDS)
    book.publish(short, HOUSEHOLDS)
    assert not short.expired(49.0)
    assert short.expired(50.0)
    assert not forever.expired(1e12)
    assert book.active(20.0) == [short, forever]
    assert book.active(60.0) == [forever]
    assert book.purge_expired(60.0, keep_for=100.0) == []
    assert book.purge_expired(150.0, keep_for=100.0) == ["b"]
    assert [d.announcement for d in book.deliveries] == [forever]
    assert book.purge_expired(1e12) == []


def test_round_trip_through_json() -> None:
    book = AnnouncementBook()
    book.publish(
        Announcement(
            "n1",
            1.0,
            text_zh="通知",
            text_en="Notice",
            urgency=Urgency.EMERGENCY,
            target=Target.households(["3-2-1502"]),
            expires_at=99.0,
        ),
        HOUSEHOLDS,
    )
    book.publish(Announcement("n2", 2.0, text_en="Hello"), HOUSEHOLDS)
    book.record_receipt("n1", "3-2-1502", 3.0)
    book.record_receipt("n1", "5-1-0302", 4.0)
    data = json.loads(json.dumps(book.as_dict()))
    loaded = AnnouncementBook()
    loaded.load(data)
    assert loaded.as_dict() == book.as_dict()
    assert loaded.progress("n1") == book.progress("n1")
    loaded.load(None)
    assert loaded.deliveries == []


GOOD = {
    "announcement": {"announcement_id": "n", "created_at": 1.0, "text_en": "x"},
    "targeted": ["h"],
    "receipts": {"h": 2.0},
}


@pytest.mark.parametrize(
    "data",
    [
        {"deliveries": [{**GOOD, "receipts": {"stranger": 2.0}}]},
        {"deliveries": [{**GOOD, "receipts": ["h"]}]},
        {"deliveries": [{**GOOD, "ignored": -1}]},
        {
            "deliveries": [
                {**GOOD, "announcement": {"announcement_id": "n", "created_at": 1.0}}
            ]
        },
        {
            "deliveries": [
                {
                    **GOOD,
                    "announcement": {
                        **GOOD["announcement"],  # type: ignore[dict-item]
                        "target": {"kind": "buildings", "ids": [3]},
                    },
                }
            ]
        },
        {
            "deliveries": [
                {**GOOD, "announcement": {**GOOD["announcement"], "urgency": "meh"}}
            ]
        },  # type: ignore[dict-item]
        {"deliveries": [{**GOOD, "targeted": [1]}]},
        {"deliveries": [{**GOOD, "receipts": {"h": "noon"}}]},
        {"deliveries": None},
        ["deliveries"],
    ],
)
def test_load_rejects_corrupt_data(data: object) -> None:
    book = AnnouncementBook()
    with pytest.raises(CorruptStateError):
        book.load(data)  # type: ignore[arg-type]
    assert book.deliveries == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=15,
)
DELIVERY = st.fixed_dictionaries(
    {},
    optional={key: st.one_of(st.just(value), JSON) for key, value in GOOD.items()}
    | {"ignored": st.one_of(st.integers(), JSON)},
)


@given(
    st.one_of(
        JSON, st.fixed_dictionaries({"deliveries": st.lists(DELIVERY, max_size=3)})
    )
)
def test_load_arbitrary_data_raises_only_corrupt_state(data: object) -> None:
    book = AnnouncementBook()
    try:
        book.load(data)  # type: ignore[arg-type]
    except CorruptStateError:
        return
    again = AnnouncementBook()
    again.load(book.as_dict())
    assert again.as_dict() == book.as_dict()


@given(
    st.dictionaries(st.sampled_from("abcdef"), st.sampled_from("xyz"), max_size=6),
    st.lists(st.sampled_from("abcdefg"), max_size=20),
)
def test_receipts_never_exceed_targets(
    households: dict[str, str], receipts: list[str]
) -> None:
    book = AnnouncementBook()
    book.publish(
        Announcement("n", 0.0, text_en="x", target=Target.buildings("x")), households
    )
    outcomes = [book.record_receipt("n", h, 1.0) for h in receipts]
    progress = book.progress("n")
    assert progress.targeted == sum(1 for b in households.values() if b == "x")
    assert progress.delivered <= progress.targeted
    assert progress.delivered == outcomes.count(ReceiptOutcome.RECORDED)
    assert progress.ignored == outcomes.count(ReceiptOutcome.NOT_TARGETED)
    assert progress.delivered == len({h for h in receipts if households.get(h) == "x"})


def test_target_kinds_are_strings() -> None:
    assert TargetKind.ALL == "all"
    assert Target.from_dict({"kind": "all"}) == Target.everyone()
