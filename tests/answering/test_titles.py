"""Whose title a sentence states, and the CEO question it keeps from another company's CEO."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answering.titles import title_holders, title_of_another
from rag.engine import Engine

ALTMAN = (
    "Helion has raised more than $1bn from investors including OpenAI chief executive Sam "
    "Altman, who chairs the company's board."
)
KIRTLEY = (
    '"This is the first commercial fusion power purchase agreement in history," Helion chief '
    "executive David Kirtley told reporters."
)


@pytest.mark.parametrize(
    ("sentence", "holders"),
    [
        (ALTMAN, ["OpenAI"]),
        (KIRTLEY, ["Helion"]),
        ("Sundar Pichai, Google's CEO, said the deal closed.", ["Google"]),
        (
            "Satya Nadella, chief executive officer at Microsoft Corp., said so.",
            ["Microsoft Corp."],
        ),
        ("The chief executive of Orbital Compute, Mara Quinn, said so.", ["Orbital Compute"]),
        ("Former OpenAI CEO Jane Roe left.", ["OpenAI"]),
        # Written with no name, a title may be anyone's.
        ("Its chief executive said the plant opens in 2027.", [None]),
        ("Broadcom has emerged as a company whose CEO expects revenue to rise.", [None]),
    ],
)
def test_a_title_is_held_by_the_name_written_with_it(
    sentence: str, holders: list[str | None]
) -> None:
    assert title_holders({"ceo"}, sentence) == holders


def test_a_title_of_another_is_one_no_mention_gives_the_name_asked() -> None:
    assert title_of_another(("Helion", "CEO"), {"ceo"}, ALTMAN) == ("OpenAI", "Helion")
    assert title_of_another(("Helion", "CEO"), {"ceo"}, KIRTLEY) is None
    assert title_of_another(("OpenAI",), {"ceo"}, ALTMAN) is None
    # Two names asked, or a title of no one: nothing to tell apart.
    assert title_of_another(("Helion", "Microsoft"), {"ceo"}, ALTMAN) is None
    assert title_of_another(("Helion",), {"ceo"}, "Its chief executive spoke.") is None


def test_a_ceo_question_is_not_answered_by_another_companys_ceo(
    engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "helion.txt").write_text(
        "Helion Energy signs power deal with Microsoft data center\n"
        "Fusion startup Helion Energy said on Tuesday it had signed an agreement to supply 50 "
        "megawatts of electricity to a Microsoft data center in Washington state.\n"
        f"{KIRTLEY}\n{ALTMAN}\n",
        "utf-8",
    )
    assert engine.ingest([tmp_path / "helion.txt"]).ok
    # Before, Sam Altman's sentence ranked first and answered "Who is Helion's CEO?" at 0.89.
    helion = engine.ask("Who is Helion's CEO?")
    assert (helion.declined, helion.citations[0].text) == (False, KIRTLEY)
    # Before, Helion's chief executive answered for Microsoft at 0.63.
    microsoft = engine.ask("Who is Microsoft's CEO?")
    assert (microsoft.declined, microsoft.text) == (
        True,
        "The articles don't say: the closest passage is about Helion, not Microsoft.",
    )
