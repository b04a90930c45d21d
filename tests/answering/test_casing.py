"""A question typed in lower case gets its names' capitals from the passages it finds."""

from __future__ import annotations

import pytest

from rag.answering.casing import cased, searched_name, uncased
from rag.engine import Engine
from rag.session import ChatSession
from rag.types import Passage
from tests.fixtures import NSCALE

TEXT = (
    "AI Infrastructure Growth And Funding Outlook\n"
    "Recent deals have propelled OpenAI’s valuation past $730 billion, and OpenAI plans more.\n"
    "Forecasts from ARK Invest’s Cathie Wood predict a boom, as investors invest in chips.\n"
    "The company plans a vault in Norway by 2028, chief executive Mara Quinn said.\n"
    "Tesla announced its “Terafab” plant. Growth in funding continues as each hyperscaler builds.\n"
)


def passages() -> list[Passage]:
    return [Passage(1, "id", "a.txt", "A", TEXT, 0, len(TEXT), 1.0)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # Written with a capital mid-sentence twice, never without.
        ("what is openai's valuation?", "what is OpenAI's valuation?"),
        # Two words written as one name, once.
        ("who is mara quinn?", "who is Mara Quinn?"),
        ("what did ark invest predict?", "what did ARK Invest predict?"),
        # "Invest" alone is written with a capital once and without once: an English word.
        ("how much did they invest?", "how much did they invest?"),
        # No English word, written with a capital once.
        ("where is the terafab plant?", "where is the Terafab plant?"),
        # A name's possessive typed without its apostrophe; an English plural is left.
        ("what is openais valuation?", "what is OpenAI's valuation?"),
        ("what do investors invests in?", "what do investors invests in?"),
        # A heading's capitals ("Growth", "Funding") and a sentence's first word name nothing.
        ("how fast is funding growth?", "how fast is funding growth?"),
        # Typed with a capital: the typing is trusted.
        ("What is openai's valuation?", "What is openai's valuation?"),
        # A made-up word the passages never write is a name, as it would be typed with capitals;
        # not a plural of one they write, nor a word of chat ("thx").
        ("how much did zephyrai raise", "how much did Zephyrai raise"),
        ("what do hyperscalers plan", "what do hyperscalers plan"),
        ("thx, what did mara quinn say", "thx, what did Mara Quinn say"),
    ],
)
def test_a_lower_case_question_gets_the_capitals_its_passages_write(
    question: str, expected: str
) -> None:
    assert cased(question, passages()) == expected


def test_only_a_question_without_a_capital_is_uncased() -> None:
    assert [uncased(q) for q in ("what is nscale", "What is nscale?", "What is Nscale?")] == [
        True,
        False,
        False,
    ]


def test_a_question_typed_in_lower_case_is_no_follow_up(seeded: Engine) -> None:
    session = ChatSession(seeded)
    session.ask(NSCALE)
    # Before, it named nothing by its capitals, was read as a follow-up of the Nscale question
    # and answered with Nscale's funding at 0.88.
    reply = session.ask("what is openai's valuation")
    assert reply.answer is not None
    assert reply.answer.text == (
        "Recent financial activity has propelled OpenAI’s valuation to a range between $730 "
        "billion and $840 billion. [1]"
    )
    assert reply.answer.standalone_question == "what is OpenAI's valuation"
    # "what about anthropic" after it asks Anthropic's valuation, which no article gives.
    reply = session.ask("what about anthropic")
    assert reply.answer is not None
    assert reply.answer.standalone_question == "what is Anthropic's valuation"
    assert reply.answer.declined
    # Typed without the apostrophe it is still Anthropic's: before, OpenAI's was quoted.
    alone = seeded.ask("what is anthropics valuation")
    assert (alone.standalone_question, alone.declined) == ("what is Anthropic's valuation", True)


def test_more_after_a_swap_typed_in_lower_case_re_asks_the_swapped_question(
    seeded: Engine,
) -> None:
    session = ChatSession(seeded)
    session.ask("how much did nscale raise")
    swapped = session.ask("what about openai").answer
    assert swapped is not None and swapped.standalone_question == "how much did OpenAI raise"
    # "more" is not searched for capitals itself, but what it re-asks is read cased: uncased, it
    # is another question, and the same sentence came back (a form tried before this one).
    more = session.ask("more").answer
    assert more is not None
    assert more.text == "The articles say nothing more that answers “how much did OpenAI raise”."


def test_a_misspelt_name_typed_in_lower_case_is_offered_its_spelling(seeded: Engine) -> None:
    # Before, "nscael" was no name: Nscale's funding was quoted with no "Did you mean".
    session = ChatSession(seeded)
    slip = session.ask("how much did nscael raise").answer
    assert slip is not None
    assert (slip.standalone_question, slip.text) == (
        "how much did Nscael raise",
        "The articles don't say: none of the retrieved passages mentions Nscael. "
        "Did you mean Nscale?",
    )
    yes = session.ask("yes").answer
    assert yes is not None
    assert yes.citations[0].text.startswith("Nscale, a startup backed by Nvidia, has raised")


def test_a_made_up_name_typed_in_lower_case_is_declined(seeded: Engine) -> None:
    # Before, "zephyrai" was no name: Nscale's raise was quoted at 0.51.
    answer = seeded.ask("how much did zephyrai raise")
    assert (answer.standalone_question, answer.text) == (
        "how much did Zephyrai raise",
        "The articles don't say: none of the retrieved passages mentions Zephyrai.",
    )


def test_a_search_opens_with_a_name_only_when_the_passages_write_one(seeded: Engine) -> None:
    passages = seeded.ask("Anthropic valuation").retrieved
    assert searched_name("Anthropic valuation", passages) == "Anthropic"
    # "Valuation" is written in lower case by the passages; six words or more are no search.
    assert searched_name("Valuation anthropic", passages) is None
    assert searched_name("Anthropic is valued at how much today?", passages) is None
