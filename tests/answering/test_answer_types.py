"""The expected answer type of a question, and whether a sentence holds one it doesn't state."""

from __future__ import annotations

import pytest

from rag.answering.answer_types import answer_type, lacking, unit_present


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How much did Nscale raise?", "quantity"),
        ("What annual revenue is OpenAI targeting for 2030?", "quantity"),
        ("What did Amazon pay for the campus?", "quantity"),
        ("When do Europe's AI rules become fully binding?", "date"),
        ("On what exact date will Skyroot launch Vikram-1?", "date"),
        ("In what year did the Huguenots arrive?", "date"),
        ("Who announced the Terafab chip plant?", "entity"),
        ("In which state or country is Tesla building the plant?", "entity"),
        ("Which research firm made the projection?", "entity"),
        ("What benefits are claimed for data centers in space?", None),
    ],
)
def test_answer_type_of_a_question(question: str, kind: str | None) -> None:
    assert answer_type(question).kind == kind


def test_a_type_counts_only_when_the_question_does_not_state_it() -> None:
    asked = answer_type("How many megawatts will the 2026 campus provide?")
    assert not asked.present("The campus opens in 2026.")
    assert asked.present("The campus opens in 2026 with 300 MW.")
    assert asked.present("It will draw three hundred megawatts.")
    when = answer_type("When did the Huguenots arrive in the Cape?")
    assert not when.present("Huguenots settled in the Cape.")
    assert when.present("The first Huguenots arrived in 1688.")
    # A month is a name: the modal "may" and the verb "march" give no date.
    adopted = answer_type("When was the moratorium adopted?")
    assert not adopted.present("The board may adopt a new moratorium after a hearing.")
    assert not adopted.present("Workers march on the county office.")
    assert adopted.present("The board adopted it in May.")
    who = answer_type("Who announced Tesla's Terafab plant?")
    assert not who.present("The plant was announced by Tesla.")
    assert who.present("The plant was announced by Elon Musk.")


def test_the_unit_of_a_count_must_be_in_the_sentence() -> None:
    assert answer_type("How many megawatts will it provide?").unit == "megawatts"
    assert answer_type("How many did they sell?").unit is None
    assert answer_type("How much money did it raise?").unit is None
    assert unit_present("megawatts", "It will provide 300 megawatts.")
    assert unit_present("megawatts", "A 300-megawatt campus.")
    assert not unit_present("megawatts", "Adani will invest $100 billion.")
    assert unit_present(None, "Anything at all.")


@pytest.mark.parametrize(
    ("question", "quote", "note"),
    [
        # A sum asked is not given by the deal's size in gigawatts.
        (
            "How much did Meta pay for the solar power?",
            "Meta agreed to buy the output of a 1-gigawatt solar farm.",
            "The quote gives no sum of money: the articles may not say how much.",
        ),
        ("How much did Meta pay for the solar power?", "Meta paid $40 million for it.", None),
        # So is what is offered, awarded or received: a year is no sum.
        (
            "How much did Granite Peak offer for the fire station?",
            "In 2024 it also offered to pay for a new fire station.",
            "The quote gives no sum of money: the articles may not say how much.",
        ),
        ("How much did Oncor receive?", "Oncor received $120 million in 2026.", None),
        ("How much is the deal worth?", "It is valued at 1.2 billion euros.", None),
        ("How much money did Nscale raise?", "Nscale raised €40m from Aker.", None),
        # A number, not money, is asked: any new number gives it.
        ("How much power will Hyperion draw?", "It will draw up to 5 gigawatts.", None),
        (
            "How much power will Hyperion draw?",
            "It will draw power from the grid.",
            "The quote gives no number: the articles may not say how much.",
        ),
    ],
)
def test_a_sum_of_money_asked_needs_a_sum_in_the_quote(
    question: str, quote: str, note: str | None
) -> None:
    assert lacking(answer_type(question), question, [quote]) == note
