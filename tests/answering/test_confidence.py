"""The answer decision: the committed model, its confidence, and the threshold a user sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rag.answering.confidence import FEATURES, ConfidenceModel, load_model
from rag.answering.extractive import DECLINE_TEXT, gather_evidence
from rag.answering.names import name_found, spelled_like
from rag.config import Settings
from rag.engine import Engine
from rag.types import MARKER, Passage
from tests.fixtures import NSCALE, make_settings
from tests.fixtures.indexes import CopyIndex

NSCALE_QUOTE = (
    "Nscale, a startup backed by Nvidia, has raised $2 billion—bringing its valuation to "
    "$14.6 billion—to scale AI deployment pipelines at both data center and edge levels."
)


def test_committed_model_reads_the_features_the_answerer_computes() -> None:
    model = load_model()
    assert model.names == FEATURES
    assert len(model.coef) == len(model.mean) == len(model.scale) == len(FEATURES)
    assert 0.0 < model.threshold < 1.0
    assert ConfidenceModel.from_json(model.to_json()) == model


def test_probability_is_the_logistic_of_the_standardised_sum() -> None:
    model = ConfidenceModel(("a", "b"), (1.0, 0.0), (2.0, 1.0), (2.0, -1.0), 0.5, 0.4)
    # z = 0.5 + 2 * (3 - 1) / 2 - 1 * (1.5 - 0) / 1 = 1.0
    assert model.probability({"a": 3.0, "b": 1.5}) == pytest.approx(0.7310585786)
    assert model.probability({"a": 1e9, "b": 0.0}) == pytest.approx(1.0)


def test_a_name_a_letter_or_two_off_is_suggested_in_the_spelling_the_text_uses() -> None:
    text = (
        "NVIDIA and Nvidia invested in Nscale. Tesla’s Terafab makes chips. Möngke Khan ruled. "
        "The CPU market grew, and a scale-out followed."
    )
    # One letter off (swapped, changed, dropped) up to seven letters; two from eight.
    assert spelled_like("Nscael", text) == "Nscale"
    assert spelled_like("Nvidea", text) == "NVIDIA"
    assert spelled_like("Terrafab", text) == "Terafab"
    assert spelled_like("Terrafabb", text) == "Terafab"
    assert spelled_like("Nscaelx", text) is None
    # Accents alone: the name as the text writes it.
    assert spelled_like("Mongke", text) == "Möngke"
    # Short names are a letter from too much ("Cup" from "CPU"); lower-case words are no names.
    assert spelled_like("Cup", text) is None
    assert spelled_like("Scalee", "a scale-out") is None
    assert spelled_like("Helsinki", text) is None
    # Past 40 letters nothing is compared: no name is that long, and the work would grow with it.
    assert spelled_like("Nscale" * 7, "Nscale" * 7 + "x") is None


def test_a_question_of_many_unknown_names_looks_up_three_spellings() -> None:
    # Before, every name was looked up: 250 made-up names took 1.6 s against 0.14 s.
    text = "Nscale, Anthropic, Amazon, Terafab and Broadcom met."
    passage = Passage(1, "c1", "a.txt", "A", text, 0, len(text), 1.0)
    evidence = gather_evidence("Did Nscael, Antropic, Amazn, Terrafab and Brodcom meet?", [passage])
    assert evidence.missing == ["Nscael", "Antropic", "Amazn", "Terrafab", "Brodcom"]
    assert evidence.respelled == (
        ("Nscael", "Nscale"),
        ("Antropic", "Anthropic"),
        ("Amazn", "Amazon"),
    )


def test_names_match_across_inflection() -> None:
    text = "Adani Group plans data centers across India's states."
    found = set(text.lower().replace("'", " ").split())
    assert name_found("Indian", text.lower(), found)
    assert name_found("Adani", text.lower(), found)
    assert not name_found("Helsinki", text.lower(), found)
    # An acronym's plural is mentioned by its singular; a two-letter word is no such plural.
    chips = "The company forecasts $20 billion in CPU revenue, Ms Su said."
    words = set(chips.lower().replace(",", " ").split())
    assert name_found("CPUs", chips.lower(), words)
    assert not name_found("GPUs", chips.lower(), words)
    assert not name_found("Ps", chips.lower(), words)


def test_an_acronym_asked_in_the_plural_is_found_in_the_singular(seeded: Engine) -> None:
    # Before: "The articles don't say: none of the retrieved passages mentions TPUs."
    answer = seeded.ask("Tell me about TPUs")
    assert not answer.declined
    assert len(answer.citations) == 3
    assert all("TPU " in citation.text for citation in answer.citations)


def test_answer_carries_its_confidence(seeded: Engine) -> None:
    answer = seeded.ask(NSCALE)
    assert not answer.declined
    assert answer.citations[0].text == NSCALE_QUOTE
    assert answer.confidence is not None
    assert load_model().threshold <= answer.confidence <= 1.0
    assert answer.to_dict()["confidence"] == round(answer.confidence, 4)


def _engine(copy_seeded: CopyIndex, tmp_path: Path, embed_model: Any) -> Engine:
    # Settings read RAG_* variables from the environment, as `rag` does.
    return Engine.open(make_settings(copy_seeded(tmp_path)), embed_model)


def test_min_confidence_from_the_environment_moves_the_decision(
    copy_seeded: CopyIndex,
    tmp_path: Path,
    embed_model: Any,
    seeded: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    default = seeded.ask(NSCALE)
    assert default.confidence is not None
    monkeypatch.setenv("RAG_ANSWER__MIN_CONFIDENCE", "0.999")
    with _engine(copy_seeded, tmp_path, embed_model) as strict:
        assert strict.settings.answer.min_confidence == 0.999
        answer = strict.ask(NSCALE)
    assert answer.declined
    assert answer.text == DECLINE_TEXT
    assert answer.citations == []
    # Same evidence, same confidence: only the threshold moved; the quote was held back.
    assert answer.confidence == pytest.approx(default.confidence)
    assert answer.withheld == MARKER.sub("", default.text)
    assert answer.withheld.startswith(NSCALE_QUOTE)
    assert "withheld" not in answer.to_dict()


def test_min_confidence_zero_still_keeps_the_predicate_rule(
    copy_seeded: CopyIndex,
    tmp_path: Path,
    embed_model: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAG_ANSWER__MIN_CONFIDENCE", "0")
    with _engine(copy_seeded, tmp_path, embed_model) as lenient:
        answer = lenient.ask("Who is the chief executive of Nscale?")
    assert (answer.declined, answer.confidence) == (True, 0.0)


def test_min_confidence_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_ANSWER__MIN_CONFIDENCE", "1.5")
    with pytest.raises(ValueError, match="less than or equal to 1"):
        Settings(_env_file=None)  # type: ignore[call-arg]
