"""The evaluator: question files, each metric on crafted cases, gates, compare, and a real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.answering.confidence import load_model
from rag.engine import Engine
from rag.errors import DocumentError
from rag.evaluation import reports as report_files
from rag.evaluation.metrics import aggregate, check, evaluate, failed_gates
from rag.evaluation.questions import TestQuestion, load_questions
from rag.types import Answer, Citation, Passage
from tests.fixtures import ROOT

EVAL_SET = ROOT / "tests" / "eval" / "questions.jsonl"


def test_project_question_set_loads_cleanly() -> None:
    loaded = load_questions(EVAL_SET)
    assert loaded.errors == []
    kinds = [q.kind for q in loaded.questions]
    assert len(kinds) >= 40
    assert kinds.count("unanswerable") >= 6
    assert {"numeric", "name", "list", "paraphrase", "multi-source"} <= set(kinds)


def test_jsonl_rows_aliases_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        "\n".join(
            [
                '{"id": "a", "question": "How much?", '
                '"must_include": [["$2 billion", "2 billion"]], '
                '"expected_sources": ["x.txt"], "kind": "numeric", "extra": 1}',
                '{"user_input": "Who?", "reference": "Nobody", "answerable": false}',
                "not json",
                '{"id": "b"}',
                '{"id": "a", "question": "dup"}',
                '{"question": "Q", "answerable": "maybe"}',
                "",
                '["a list"]',
            ]
        ),
        encoding="utf-8",
    )
    loaded = load_questions(path)
    assert loaded.questions == [
        TestQuestion(
            id="a",
            question="How much?",
            must_include=[["$2 billion", "2 billion"]],
            expected_sources=["x.txt"],
            kind="numeric",
        ),
        TestQuestion(
            id="line-2",
            question="Who?",
            reference="Nobody",
            answerable=False,
            kind="unanswerable",
        ),
    ]
    assert loaded.errors == [
        (3, "not valid JSON (Expecting value)"),
        (4, "missing 'question' (or 'user_input')"),
        (5, "duplicate id 'a'"),
        (6, "'answerable' must be true or false, not 'maybe'"),
        (8, "not a JSON object"),
    ]


def test_a_row_that_is_not_utf8_is_reported_and_the_rest_load(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"id": "a", "question": "How much?"}\n'
        b'{"id": "b", "question": "Caf\xe9?"}\n'
        b'{"id": "c", "question": "Who?"}\n'
    )
    loaded = load_questions(path)
    assert [q.id for q in loaded.questions] == ["a", "c"]
    assert loaded.errors == [(2, "not valid UTF-8 (byte 0xe9)")]
    table = tmp_path / "q.csv"
    table.write_bytes(b"id,question\na,How much?\nb,Caf\xe9?\n")
    with pytest.raises(DocumentError) as caught:
        load_questions(table)
    assert str(caught.value) == f"{table}: not valid UTF-8 (byte 0xe9 on line 3); save it as UTF-8"


def test_csv_rows_with_json_and_pipe_lists(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        "id,question,must_include,expected_sources,answerable,kind\n"
        'n1,How much did Nscale raise?,"$2 billion|2 billion;$14.6 billion",'
        "001.txt;004.txt,yes,numeric\n"
        "n2,Who runs it?,,,no,\n"
        'n3,Bad list,"[""unclosed",,,\n',
        encoding="utf-8",
    )
    loaded = load_questions(path)
    assert loaded.questions[0].must_include == [["$2 billion", "2 billion"], ["$14.6 billion"]]
    assert loaded.questions[0].expected_sources == ["001.txt", "004.txt"]
    assert (loaded.questions[1].answerable, loaded.questions[1].kind) == (False, "unanswerable")
    assert loaded.errors == [(4, "bad JSON list '[\"unclosed' (Unterminated string starting at)")]


PASSAGES = [
    Passage(
        1, "c1", "a.txt", "A", "Nscale raised $2 billion at a $14.6 billion valuation.", 0, 54, 0.9
    ),
    Passage(2, "c2", "b.txt", "B", "Adani will invest $100 billion.", 0, 31, 0.5),
]


def answer(
    text: str, citations: list[Citation], declined: bool = False, notices: tuple[str, ...] = ()
) -> Answer:
    timings = {"retrieve": 10.0, "answer": 5.0, "total": 15.0}
    return Answer(
        "q",
        text,
        declined,
        citations,
        PASSAGES,
        "extractive",
        timings_ms=timings,
        notices=list(notices),
    )


GOOD = Citation(1, "a.txt", "A", "Nscale raised $2 billion", 0, 24, 0.8, 1)
BAD = Citation(1, "a.txt", "A", "Nscale raised $9 billion", 0, 24, 0.8, 1)
NSCALE_Q = TestQuestion(
    "n",
    "How much?",
    must_include=[["$2 billion"], ["$14.6 billion"]],
    expected_sources=["a.txt"],
    kind="numeric",
)


def test_checks_on_a_right_answer() -> None:
    result = check(
        NSCALE_Q, answer("Nscale raised $2 billion at a $14.6 billion valuation [1]", [GOOD])
    )
    assert result.evidence_rank == 1
    assert result.checks == {
        "retrieval_hit": True,
        "key_facts": True,
        "sources": True,
        "citations_valid": True,
        "nothing_forbidden": None,
        "declined_correctly": None,
        "false_decline": False,
    }
    assert result.correct


def test_checks_on_wrong_answers() -> None:
    missing_fact = check(NSCALE_Q, answer("Nscale raised $2 billion [1]", [GOOD]))
    assert (missing_fact.checks["key_facts"], missing_fact.correct) == (False, False)
    invalid = check(NSCALE_Q, answer("$2 billion and $14.6 billion [1]", [BAD]))
    assert (invalid.checks["citations_valid"], invalid.correct) == (False, False)
    wrong_source = Citation(1, "b.txt", "B", "Adani will invest", 0, 17, 0.5, 2)
    other = check(NSCALE_Q, answer("$2 billion, $14.6 billion [1]", [wrong_source]))
    assert other.checks["sources"] is False
    declined = check(NSCALE_Q, answer("The articles don't say.", [], declined=True))
    assert declined.checks["false_decline"] is True and declined.checks["key_facts"] is False


def test_unanswerable_checks_and_aggregate() -> None:
    unanswerable = TestQuestion("u", "CEO?", answerable=False, kind="unanswerable")
    results = [
        check(NSCALE_Q, answer("$2 billion at a $14.6 billion valuation [1]", [GOOD])),
        check(NSCALE_Q, answer("The articles don't say.", [], declined=True)),
        check(unanswerable, answer("The articles don't say.", [], declined=True)),
        check(unanswerable, answer("Nscale raised $2 billion [1]", [GOOD])),
    ]
    metrics = aggregate(results)
    assert {k: metrics[k] for k in ("hit_at_k", "mrr", "key_fact_accuracy", "source_accuracy")} == {
        "hit_at_k": 1.0,
        "mrr": 1.0,
        "key_fact_accuracy": 0.5,
        "source_accuracy": 1.0,
    }
    assert metrics["decline_accuracy"] == 0.5
    assert metrics["false_declines"] == 1
    assert metrics["citation_validity"] == 1.0
    assert metrics["accuracy"] == 0.5
    assert (metrics["total_p50_ms"], metrics["total_p95_ms"]) == (15.0, 15.0)
    assert (metrics["noted_answers"], metrics["noted_wrong"]) == (0, 0)


def test_answers_noting_what_their_quote_lacks_are_counted() -> None:
    unanswerable = TestQuestion("u", "When?", answerable=False, kind="unanswerable")
    no_date = "The quote gives no date: the articles may not say when."
    cut = "The question was cut to 2,000 characters."
    results = [
        check(unanswerable, answer("Nscale raised $2 billion [1]", [GOOD], notices=(no_date,))),
        check(NSCALE_Q, answer("$2 billion, $14.6 billion [1]", [GOOD], notices=(cut, no_date))),
        # A decline carries no note; another notice is no note on the quote.
        check(unanswerable, answer("The articles don't say.", [], True, notices=(no_date,))),
        check(NSCALE_Q, answer("$2 billion at $14.6 billion [1]", [GOOD], notices=(cut,))),
    ]
    assert [r.noted for r in results] == [True, True, False, False]
    metrics = aggregate(results)
    assert (metrics["noted_answers"], metrics["noted_wrong"]) == (2, 1)


def test_mrr_counts_the_first_evidence_rank() -> None:
    q = TestQuestion("a", "Adani?", must_include=[["$100 billion"]], kind="numeric")
    result = check(q, answer("Adani will invest $100 billion.", []))
    assert result.evidence_rank == 2
    assert aggregate([result])["mrr"] == 0.5


def test_gates() -> None:
    assert failed_gates({"accuracy": 0.8, "mrr": None}, {"accuracy": 0.8}) == []
    assert failed_gates({"accuracy": 0.79, "mrr": None}, {"accuracy": 0.8, "mrr": 0.1}) == [
        "accuracy = 0.79 is below the minimum 0.8",
        "mrr = None is below the minimum 0.1",
    ]


def test_compare_lists_fixed_and_broken() -> None:
    def report(accuracy: float, rights: dict[str, bool]) -> dict[str, object]:
        return {
            "metrics": {"accuracy": accuracy},
            "results": [{"id": i, "question": f"{i}?", "correct": c} for i, c in rights.items()],
        }

    text = report_files.compare(
        report(0.5, {"a": True, "b": False, "c": True}),
        report(0.75, {"a": False, "b": True, "c": True, "d": True}),
    )
    assert text.splitlines() == [
        "metric deltas (new - old):",
        "  Overall accuracy: 0.500 -> 0.750 (+0.250)",
        "better (1):",
        "  + b: b?",
        "broke (1):",
        "  - a: a?",
        "new questions: d",
    ]


def test_end_to_end_on_the_seeded_index(seeded: Engine, tmp_path: Path) -> None:
    questions = [
        q
        for q in load_questions(EVAL_SET).questions
        if q.id in {"nscale-raise", "nscale-headquarters", "adani-india-plan"}
    ]
    report = evaluate(seeded, questions)
    by_id = {r["id"]: r for r in report["results"]}
    assert by_id["nscale-raise"]["correct"] is True
    assert by_id["nscale-headquarters"]["declined"] is True
    assert by_id["adani-india-plan"]["citations"][0]["source"] == "004_f7653a61b53defd5.txt"
    assert report["metrics"]["accuracy"] == 1.0
    assert report["config"]["mode"] == "extractive" and report["config"]["top_k"] == 5
    paths = report_files.write(report, tmp_path / "out")
    assert [p.name for p in paths] == ["report.json", "report.md", "report.html"]
    assert json.loads(paths[0].read_text("utf-8"))["metrics"]["questions"] == 3
    curve = report["risk_coverage"]
    assert (curve["questions"], curve["threshold"]) == (3, load_model().threshold)
    # Two of the three are answered (and right) at every threshold up to their confidences.
    assert curve["points"][0] == {
        "threshold": 0.05,
        "coverage": 0.6667,
        "precision": 1.0,
        "accuracy": 1.0,
    }
    assert curve["points"][-1]["threshold"] == 0.95
    assert curve["points"][-1]["coverage"] < 0.6667
    page = paths[2].read_text("utf-8")
    assert page.count("<svg") == 3 and "<script" not in page
    assert 'aria-label="Risk-coverage curve"' in page
    assert "| Overall accuracy | 1.000 |" in paths[1].read_text("utf-8")
    # Rows the file could not give are named in every report, not only on the console.
    report["load_errors"] = [{"line": 4, "reason": "duplicate id 'a'"}]
    paths = report_files.write(report, tmp_path / "skipped")
    assert (
        "1 row of the questions file skipped, not counted above:\n\n- line 4: duplicate id 'a'"
        in (paths[1].read_text("utf-8"))
    )
    assert (
        '<p class="skipped">1 row of the questions file skipped, not counted above:</p>'
        "<ul><li>line 4: duplicate id &#x27;a&#x27;</li></ul>"
    ) in paths[2].read_text("utf-8")


def test_unreadable_compare_file(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        report_files.load(path)
    assert str(caught.value) == f"{path}: not a report.json written by `rag eval --out`"
    gone = tmp_path / "gone.json"
    with pytest.raises(DocumentError) as missing:
        report_files.load(gone)
    assert str(missing.value) == f"{gone}: cannot be read (No such file or directory)"


def test_risk_coverage_of_one_point_says_so() -> None:
    same = [
        {"threshold": t, "coverage": 1.0, "precision": 0.5, "accuracy": 0.5} for t in (0.1, 0.5)
    ]
    chart = report_files._risk_coverage_chart({"threshold": 0.3, "points": same})
    assert (
        "<p>Every min confidence from 0.10 to 0.50 answers the same questions, so the curve is one "
        "point.</p>"
    ) in chart
    varied = [same[0], {**same[1], "coverage": 0.5, "precision": 1.0}]
    two_points = report_files._risk_coverage_chart({"threshold": 0.3, "points": varied})
    assert "one point" not in two_points
    # Both axes are labelled; the precision axis starts at the tenth below the lowest value.
    assert ">0%</text>" in two_points and ">100%</text>" in two_points
    assert ">0.50</text>" in two_points and ">1.00</text>" in two_points
    assert 'class="overall"' in two_points
