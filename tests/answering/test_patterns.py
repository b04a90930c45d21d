"""The answerer's patterns live in one module, and one number parser reads numbers for all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rag.answering.answer_types import answer_type
from rag.answering.grounding import ground
from rag.answering.patterns import ATTRIBUTION, SAID_QUESTION, numbers
from rag.types import Passage

ANSWERING = Path(__file__).parents[2] / "rag" / "answering"


def test_numbers_are_read_as_values() -> None:
    assert numbers("It cost $1,200 for 14.60 units in 2026, up 46%.") == {
        "1200",
        "14.6",
        "2026",
        "46",
    }
    assert numbers("Nvidia's H100 in Q3") == {"100", "3"}
    assert numbers("Nvidia's H100 in Q3, see 001_a3f1.txt", standalone=True) == set()
    assert numbers("three times the two billion", spelled=True) == {"three", "billion", "two"}


def test_a_question_and_a_sentence_read_the_same_number_alike() -> None:
    asked = answer_type("How much was the 1,200 megawatt plant worth?")
    assert asked.kind == "quantity"
    assert not asked.present("The 1200 megawatt plant opened.")
    assert asked.present("The 1200 megawatt plant was worth $3 billion.")


def test_grounding_reads_numbers_as_the_features_do() -> None:
    passage = Passage(1, "c1", "a.txt", "A", "Capacity reached 1,200 MW in 2026.", 0, 34, 1.0)
    assert ground("Capacity reached 1200 MW [1].", [passage]).problems == []
    assert ground("Capacity reached 1300 MW [1].", [passage]).problems == [
        "figures not in its cited sources: 1300"
    ]


def test_no_other_answering_module_compiles_a_pattern_of_its_own() -> None:
    compiled = []
    for path in sorted(ANSWERING.glob("*.py")):
        if path.name == "patterns.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            if isinstance(value, ast.Call) and ast.unparse(value.func) == "re.compile":
                compiled.append(f"{path.name}:{node.lineno}")
    assert compiled == []


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("What did Cathie Wood say?", ("Cathie Wood", "Cathie Wood", None)),
        ("What has the Bank of England said", ("the Bank of England", "Bank of England", None)),
        ("what does ARK Invest predict?", ("ARK Invest", "ARK Invest", None)),
        ("What did Houghton say is necessary for any changes?", None),
        ("What did the analysts say?", ("the analysts", None, "analysts")),
        ("What did a financial strategist comment?", None),
        (
            "What did the financial strategist say?",
            ("the financial strategist", None, "financial strategist"),
        ),
        ("What does the article say?", None),
        ("What did they say?", None),
        ("What did you say?", None),
    ],
)
def test_a_question_asking_only_what_a_name_or_role_said(
    question: str, said: tuple[str, str | None, str | None] | None
) -> None:
    match = SAID_QUESTION.match(question)
    assert (match.group("who", "name", "role") if match else None) == said


@pytest.mark.parametrize(
    ("sentence", "reports"),
    [
        ("Cathie Wood’s forecasts predict a boom.", True),
        ("TrendForce projects that shipments will grow.", True),
        ("Pichai articulated: “Over time, AI will be the biggest shift.”", True),
        ("The report states that costs rose.", True),
        ('Amazon is emerging as a "sleeping giant" in this domain.', False),
        ("The notes were sold across the United States.", False),
        ("Nscale raised $2 billion from Nvidia.", False),
    ],
)
def test_a_sentence_reports_words_by_a_verb_of_saying_or_a_quotation(
    sentence: str, reports: bool
) -> None:
    assert bool(ATTRIBUTION.search(sentence)) is reports
