"""Negation and opposites: a sentence that states the reverse of what a question asks."""

from __future__ import annotations

from rag.answering.confidence import Reading, features
from rag.answering.contradictions import negation_unmatched, opposite_word
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
