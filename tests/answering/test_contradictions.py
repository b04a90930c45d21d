"""Negation and opposites: a sentence that states the reverse of what a question asks."""

from __future__ import annotations

import json
from pathlib import Path

from bench.antonyms import antonym_pairs
from rag.answering.confidence import Reading, features
from rag.answering.contradictions import ANTONYMS_PATH, negation_unmatched, opposite_word
from rag.text import terms

NORMANS = "The Normans gained their separate identity in the first half of the 10th century."


def _negated(question: str, sentence: str) -> bool:
    return negation_unmatched(question, sentence, frozenset(terms(sentence)))


def test_a_negated_predicate_the_sentence_states_plainly() -> None:
    assert _negated("What did the Normans not gain in the 10th century?", NORMANS)
    assert _negated("Which identity didn't the Normans gain?", NORMANS)
    assert _negated("What did the Normans never gain?", NORMANS)


def test_negation_the_sentence_shares_or_that_negates_nothing() -> None:
    # The sentence is negated too: it may well answer.
    assert not _negated(
        "Which khanates had not converted to Islam?",
        "However, unlike the western khanates, the Yuan dynasty never converted to Islam.",
    )
    # "Not only … but also" adds to what it says.
    assert not _negated("Which company not only gained an identity but also land?", NORMANS)
    # The negated words are about something the sentence doesn't discuss.
    assert not _negated(
        "Who, accused of not being truthful with its board, gained an identity?", NORMANS
    )
    assert not _negated("When did the Normans gain their identity?", NORMANS)


def test_opposite_words() -> None:
    assert opposite_word(
        "What problem asks whether the input has a factor more than k?",
        "It is the problem of deciding whether the input has a factor less than k.",
    )
    assert opposite_word(
        "How long was it clear how NK cells recognize tumor cells?",
        "For many years it was unclear how NK cells recognize tumor cells.",
    )
    assert opposite_word(
        "When did the Yuan people suffer unnatural disasters?",
        "People in the countryside suffered from frequent natural disasters.",
    )
    # WordNet's antonyms, in any inflection: "repels" against "attract".
    assert opposite_word("What repels immune cells?", "Chemokines attract immune cells.")
    assert opposite_word(
        "Why did the firm reject the offer?", "The firm accepted the offer in May."
    )
    # The word itself is there too, or the opposite is the question's own.
    assert not opposite_word(
        "Did more or less of the budget go to chips?", "Less of the budget went to chips."
    )
    assert not opposite_word("Who came last?", "She came last after the others.")
    # A short remainder after a prefix is another word, not an opposite: "index" ≠ "dex".
    assert not opposite_word("What is the index?", "The dex was low.")


def test_features_read_contradictions_and_the_whole_quote() -> None:
    question = "What did the Normans not gain, and when?"
    reading = Reading(
        cosine=0.8,
        mean_cosine=0.5,
        score=0.7,
        second_score=0.6,
        lexical=0.5,
        question=question,
        sentence=NORMANS,
        sentence_terms=frozenset(terms(NORMANS)),
        quote_terms=frozenset(terms("Normans gained")),
        passage=NORMANS,
        passages=NORMANS,
        titles=("Normans",),
        names=("Normans",),
        focus=frozenset({"gain"}),
        expects_type=False,
        type_present=False,
        unit_present=True,
        rank=1,
    )
    values = features(reading)
    assert values["negation_unmatched"] == 1.0
    assert values["opposite"] == 0.0
    # The question's terms are "normans" and "gain"; the quote holds both.
    assert sorted(set(terms(question)) - {"what", "when"}) == ["gain", "norman"]
    assert values["quote_coverage"] == 1.0
    values = features(
        Reading(**{**reading.__dict__, "quote_terms": frozenset(terms("The Normans"))})
    )
    assert values["quote_coverage"] == 0.5


def test_antonyms_come_from_wordnet_with_its_licence() -> None:
    data = json.loads(ANTONYMS_PATH.read_text(encoding="utf-8"))
    assert data["notice"].startswith("WordNet 3.0 Copyright 2006 by Princeton University.")
    pairs = {tuple(p) for p in data["pairs"]}
    assert {("attract", "repel"), ("clear", "unclear"), ("less", "more")} <= pairs
    assert all(a < b and a.isalpha() and b.isalpha() for a, b in pairs)


def test_antonym_pairs_read_wordnets_data_files(tmp_path: Path) -> None:
    (tmp_path / "data.adj").write_text(
        "  1 This software and database is being provided to you\n"
        "00001740 00 a 01 able 0 002 = 05207437 n 0000 ! 00002098 a 0101 | having the means\n"
        "00002098 00 a 01 unable 0 002 = 05207437 n 0000 ! 00001740 a 0101 | lacking the means\n"
        "00002312 00 a 02 abaxial 0 dorsal 4 002 ;c 06037666 n 0000 ! 00002527 a 0101 | facing "
        "away\n"
        "00002527 00 a 02 adaxial 0 ventral(a) 4 001 ! 00002312 a 0101 | nearest to\n"
        "00003000 00 a 01 well-known 0 001 ! 00001740 a 0101 | a phrase, not a word\n",
        encoding="latin-1",
    )
    for pos in ("adv", "verb", "noun"):
        (tmp_path / f"data.{pos}").write_text("", encoding="latin-1")
    assert antonym_pairs(tmp_path) == [("abaxial", "adaxial"), ("able", "unable")]
