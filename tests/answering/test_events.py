"""A quote telling of another kind of event than the one asked is declined, and says which."""

from __future__ import annotations

from pathlib import Path

from rag.answering.events import kinds, other_event
from rag.engine import Engine
from tests.fixtures import ACME_PROFILE, ingest_note


def test_kinds_hold_both_sides_of_an_event() -> None:
    assert kinds("Who acquired Acme Robotics?") == {"an acquisition"}
    # "Sold to GTE" answers "Who bought Telenet?"; raising money is being invested in.
    assert kinds("Telenet was then sold to GTE.") == {"an acquisition"}
    assert kinds("Nscale raised $2 billion from investors.") == {"an investment"}
    assert kinds("Acme was co-founded in 2015 and launched its robot in 2019.") == {
        "a founding",
        "a launch",
    }
    assert kinds("Anthropic announced a collaboration with Google and Broadcom.") == {
        "a partnership"
    }
    assert kinds("When did Acme go public?") == {"a public listing"}
    assert kinds("Its chief executive stepped down after the layoffs.") == {
        "a resignation",
        "a layoff",
    }
    assert kinds("Volt Grid filed for bankruptcy.") == {"a bankruptcy"}
    # "Found" is "find" as often as "establish".
    assert kinds("Researchers found that the robots were faster.") == set()


def test_other_event_reads_the_whole_quote() -> None:
    founded = "Acme Robotics was founded in 2015 by Mara Quinn."
    raised = "Acme Robotics raised $120 million from Granite Ventures."
    assert other_event("Who acquired Acme Robotics?", [founded, raised]) == (
        "a founding",
        "an acquisition",
    )
    assert other_event("Who invested in Acme Robotics?", [founded, raised]) is None
    # A quote telling of no event, or a question of two kinds, is left to the decision.
    assert other_event("Who acquired Acme Robotics?", ["Acme builds robots."]) is None
    assert other_event("Who bought the company Mara Quinn founded?", [founded]) is None


def test_a_founding_does_not_answer_who_acquired(engine: Engine, tmp_path: Path) -> None:
    ingest_note(engine, tmp_path / "acme.txt", ACME_PROFILE)
    # Before, each was answered with the founding or the raise, at confidence 0.55 to 0.73.
    for question, event in (
        ("Who acquired Acme Robotics?", "an acquisition"),
        ("Who bought Acme Robotics?", "an acquisition"),
        ("When did Acme Robotics launch its robot?", "a launch"),
        ("Who did Acme Robotics partner with?", "a partnership"),
        ("When did Acme Robotics go public?", "a public listing"),
    ):
        answer = engine.ask(question)
        assert (answer.declined, answer.text) == (
            True,
            f"The articles don't say: the closest passage tells of a founding, not {event}.",
        )
    assert engine.ask("Who founded Acme Robotics?").text == (
        "Acme Robotics was founded in 2015 by Mara Quinn in Pittsburgh. [1]"
    )
    assert engine.ask("How much did Acme Robotics raise?").text == (
        "In 2025 Acme Robotics raised $120 million from Granite Ventures to expand its factory. [1]"
    )


BIOGRAPHY = (
    "Marguerite Osei: a short biography\n\n"
    "Marguerite Osei was born in Kumasi, Ghana, in 1961. After a decade at Siemens, she founded"
    " Osei Power Systems in 1999 in Leeds. The company designed cooling equipment for data centres"
    " and grew to 1,400 employees by 2015. She sold it to Schneider Electric in 2018 for a reported"
    " £620 million.\n"
)


def test_a_sentence_telling_of_the_event_asked_leads_one_of_another(
    engine: Engine, tmp_path: Path
) -> None:
    # Before: the founding ranked first by its name, and was declined as another event.
    ingest_note(engine, tmp_path / "osei.txt", BIOGRAPHY)
    bought = engine.ask("Who bought Osei Power Systems?")
    assert (bought.declined, bought.citations[0].text) == (
        False,
        "The company designed cooling equipment for data centres and grew to 1,400 employees by"
        " 2015. She sold it to Schneider Electric in 2018 for a reported £620 million.",
    )
