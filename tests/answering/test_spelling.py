"""Misspelt words: told from rare ones by the English word list, respelled from the passages."""

from __future__ import annotations

from rag.answering.spelling import edit_distance, is_english, misspelt_words, respelled

PASSAGE = (
    "Nscale, a startup backed by Nvidia, has raised $2 billion. It is in discussions to raise "
    "additional funds at a $7.5 billion valuation; the government analysed the compromise."
)


def test_a_word_no_dictionary_holds_is_respelled_as_the_passages_write_it() -> None:
    assert misspelt_words("How much did Nscale rasie?", PASSAGE) == (("rasie", "raise"),)
    # Two letters off from eight letters on, as for names.
    assert misspelt_words("What is its valuaiton?", PASSAGE) == (("valuaiton", "valuation"),)
    assert misspelt_words("Did the goverment agree?", PASSAGE) == (("goverment", "government"),)
    # The first word is a word too, and keeps its capital.
    assert misspelt_words("Rasie how much?", PASSAGE) == (("Rasie", "Raise"),)


def test_real_words_names_and_opposites_are_left_alone() -> None:
    # English words the passages lack ("signer"), British spellings, a capitalised name past the
    # first word (names.spelled_like reads those), short words, tokens with digits.
    for question in (
        "Who is the signer of the deal?",
        "Who analysed the colour of the centre?",
        "How much did Nscael raise?",
        "Did Nscale rase it?",
        "What about the H100 and e-mail?",
    ):
        assert misspelt_words(question, PASSAGE) == (), question
    # A negating prefix makes another word, not a slip: "uncompromise" is no "compromise".
    assert misspelt_words("What did they uncompromise?", PASSAGE) == ()
    # A word with no English word a letter away in the passages gets no offer.
    assert misspelt_words("How much did Nscale zqxwvb?", PASSAGE) == ()


def test_three_slips_are_read_at_most() -> None:
    slips = misspelt_words("rasie raies valuaiton goverment", PASSAGE)
    assert slips == (("rasie", "raise"), ("raies", "raise"), ("valuaiton", "valuation"))


def test_the_word_list_and_the_distance() -> None:
    assert (is_english("raise"), is_english("rasie"), is_english("organised")) == (
        True,
        False,
        True,
    )
    assert edit_distance("rasie", "raise", 1) == 1  # letters swapped
    assert edit_distance("goverment", "government", 2) == 1
    assert edit_distance("abc", "abcdef", 2) == 3  # past the limit: limit + 1
    assert respelled("How much did Nscael rasie?", (("Nscael", "Nscale"), ("rasie", "raise"))) == (
        "How much did Nscale raise?"
    )


def test_three_non_words_are_looked_up_at_most() -> None:
    # Each lookup scans the passages' words: a question of many made-up words costs three.
    assert misspelt_words("zqxwvb qqqzzx xxyyzz rasie", PASSAGE) == ()
