"""A request about one article named by its title gets that article's opening, cited."""

from __future__ import annotations

import pytest

from rag.answering.conversation import of_article, on_subject
from rag.answering.named_articles import (
    Named,
    choose,
    matching,
    named_article,
    next_article,
    place,
    scoped,
)
from rag.engine import Engine
from rag.session import ChatSession
from tests.fixtures import turns

TREND = "002_c3ddb7734e976afc.txt"
TREND_TITLE = "Trend Analysis: Artificial Intelligence Infrastructure Funding"
TREND_OPENS = (
    f"“{TREND_TITLE}” opens: The traditional perception of artificial intelligence as a nimble "
    "software endeavor has been permanently dismantled by a historic surge in capital that "
    "prioritizes physical hardware and vast power reserves. This shift marks the transition into "
    "an infrastructure arms race where silicon and electricity are the primary currencies. "
    "OpenAI’s $110 billion funding round stands as a testament to the staggering costs required "
    "to sustain next-generation generative models. [1]"
)
FOUR_MATCH = """4 articles match “2026 AI Infrastructure”:
- AI infrastructure growth is accelerating in 2026 as Anthropic nears a major Wall Street-backed \
venture
- The 2026 AI Infrastructure Boom: Capital, Technology, and Strategic Resilience
- With global AI infrastructure spending set to reach $487 billion in 2026 and eclipse $1 trillion…
- The 2026 AI Infrastructure Surge: Regional Ecosystems, Custom Silicon, and Decentralized \
Powerhouses
Ask again with more of the title of the one you mean."""


@pytest.mark.parametrize(
    ("request_", "named"),
    [
        ("Summarise the Trend Analysis article", Named("Trend Analysis", True)),
        ("Can you give me a short summary of the Nscale story, please?", Named("Nscale", True)),
        (f"What does “{TREND_TITLE}” report?", Named(TREND_TITLE, True)),
        ('Tell me about the "Orbital Compute" memo.', Named("Orbital Compute", True)),
        (
            "What is the 2026 AI Infrastructure Boom about?",
            Named("2026 AI Infrastructure Boom", False),
        ),
        ("What did the Anthropic piece say?", Named("Anthropic", True)),
        ("What does the article say about Nscale?", None),
        ("How much did Nscale raise?", None),
    ],
)
def test_a_request_names_its_article(request_: str, named: Named | None) -> None:
    assert named_article(request_) == named


def test_a_title_is_named_by_all_its_words_or_most_of_them_marked() -> None:
    documents = [
        ("a.txt", TREND_TITLE),
        ("b.txt", "The 2026 AI Infrastructure Boom: Capital, Technology, and Strategic Resilience"),
        ("orbital-compute-memo.txt", "Orbital Compute raises $310 million"),
    ]
    assert matching(Named("Trend Analysis", True), documents) == ["a.txt"]
    # Unmarked, a subject a title happens to hold is no name of it: half the title is needed.
    assert matching(Named("Trend Analysis", False), documents) == []
    assert matching(Named("AI Infrastructure Boom: Capital, Technology", False), documents) == [
        "b.txt"
    ]
    # Three words of four are enough when the request calls them an article.
    assert matching(Named("Trend Analysis funding report", True), documents) == ["a.txt"]
    assert matching(Named("infrastructure", True), documents) == ["a.txt", "b.txt"]
    # The file's name counts as a title.
    assert matching(Named("compute memo", True), documents) == ["orbital-compute-memo.txt"]
    assert matching(Named("the", True), documents) == []


def test_an_article_named_by_its_title_is_summarised_by_its_opening(seeded: Engine) -> None:
    for request in ("Summarise the Trend Analysis article", f"What does “{TREND_TITLE}” report?"):
        answer = seeded.ask(request)
        assert (answer.turn, answer.declined, answer.text) == ("article", False, TREND_OPENS)
        assert [(c.n, c.source, c.start, c.end) for c in answer.citations] == [(1, TREND, 91, 557)]
        assert [p.source for p in answer.retrieved] == [TREND]


def test_a_name_several_titles_share_lists_them_to_choose_from(seeded: Engine) -> None:
    answer = seeded.ask("Summarise the 2026 AI Infrastructure article")
    assert (answer.turn, answer.declined, answer.text, answer.citations) == (
        "article",
        False,
        FOUR_MATCH,
        [],
    )
    # Within one article, as the article filter asks, the same request names that one.
    answer = seeded.ask("Summarise the 2026 AI Infrastructure article", source=TREND)
    assert answer.turn == "answer"
    boom = seeded.ask(
        "Summarise the 2026 AI Infrastructure article", source="001_a3f1d0892a604dd0.txt"
    )
    assert (boom.turn, boom.citations[0].source, boom.citations[0].start) == (
        "article",
        "001_a3f1d0892a604dd0.txt",
        188,
    )


def test_a_name_in_no_title_is_a_request_about_that_subject(seeded: Engine) -> None:
    answer = seeded.ask("Summarise the Nscale article")
    assert answer.turn == "answer"
    assert answer.standalone_question == "Tell me about Nscale"
    assert on_subject("Summarise The Verge article") == "Tell me about The Verge"


def test_a_follow_up_after_a_summary_is_asked_of_that_article(seeded: Engine) -> None:
    # Before, "What does it say about Wall Street?" was searched over every article and declined.
    history = ["What is the first article about?"]
    answer = seeded.ask("What does it say about Wall Street?", history=history)
    assert answer.notices == [f"Only “{ANTHROPIC_TITLE}” was searched."]
    assert {p.source for p in answer.retrieved} == {ANTHROPIC}
    assert [(c.n, c.source, c.start, c.end) for c in answer.citations] == [
        (1, ANTHROPIC, 4330, 4459),
        (2, ANTHROPIC, 1537, 1674),
    ]
    # "Tell me more" after it quotes the article's next sentences on Wall Street.
    more = seeded.ask("tell me more", history=[*history, answer.question])
    assert more.standalone_question == "What does it say about Wall Street?"
    assert more.notices == [f"Only “{ANTHROPIC_TITLE}” was searched."]
    assert [(c.n, c.source, c.start, c.end) for c in more.citations] == [
        (1, ANTHROPIC, 0, 103),
        (2, ANTHROPIC, 300, 511),
    ]
    # "What about Amazon?" after it asks the same article of Amazon, which it never names.
    swapped = seeded.ask("What about Amazon?", history=[*history, answer.question])
    assert (swapped.standalone_question, swapped.declined) == (
        "What does it say about Amazon?",
        True,
    )
    assert swapped.text == "The articles don't say: none of the retrieved passages mentions Amazon."
    assert swapped.notices == [f"Only “{ANTHROPIC_TITLE}” was searched."]
    # After a question, "it" is that question's name: every article is searched.
    after_question = seeded.ask(
        "What does it say about Wall Street?", history=["How much did Nscale raise?"]
    )
    assert after_question.notices == []


def test_a_chat_keeps_a_summary_for_the_follow_up_after_it(seeded: Engine) -> None:
    session = ChatSession(seeded)
    assert session.ask("Summarise the Trend Analysis article").answer.turn == "article"
    assert session.questions == ["Summarise the Trend Analysis article"]
    followed = session.ask("Which chips is it about?").answer
    assert followed.notices == [f"Only “{TREND_TITLE}” was searched."]
    assert [(c.n, c.source, c.start) for c in followed.citations] == [(1, TREND, 1434)]
    # A list to choose from names no one article: nothing to lean on.
    session.ask("Summarise the 2026 AI Infrastructure article")
    assert session.questions == ["Summarise the Trend Analysis article", "Which chips is it about?"]


def test_a_question_in_lower_case_naming_a_subject_leaves_the_article(seeded: Engine) -> None:
    # Before, "anthropic wall street" after a summary was searched in that article alone (its
    # names have no capitals) and declined there.
    session = ChatSession(seeded)
    session.ask("Tell me more about the second one")
    answer = session.ask("anthropic wall street").answer
    assert answer.notices == []
    assert [(c.n, c.source, c.start) for c in answer.citations] == [
        (1, ANTHROPIC, 5716),
        (2, ANTHROPIC, 300),
    ]
    # It changed the topic: "it" now means Anthropic, not the article summarised before it.
    assert session.ask("what does it say about space").answer.notices == []
    # Typed in lower case, a question of the article is still asked of it.
    session.ask("What is the first article about?")
    street = session.ask("what does it say about wall street").answer
    assert street.notices == [f"Only “{ANTHROPIC_TITLE}” was searched."]
    assert [(c.n, c.source, c.start) for c in street.citations] == [
        (1, ANTHROPIC, 4330),
        (2, ANTHROPIC, 1537),
    ]


def test_the_overview_is_the_list_the_next_article_is_picked_from(seeded: Engine) -> None:
    # Before, a chat did not keep the overview, and "What about the second one?" was searched.
    session = ChatSession(seeded)
    session.ask("How much did Nscale raise?")
    assert session.ask("What are these articles about?").answer.turn == "overview"
    second = session.ask("What about the second one?").answer
    assert (second.turn, [c.source for c in second.citations]) == (
        "article",
        ["001_a3f1d0892a604dd0.txt"],
    )
    third = session.ask("And the third?").answer
    assert (third.turn, third.text) == ("article", TREND_OPENS)
    # The overview is no topic: "What about OpenAI?" straight after it swaps the name before it.
    history = ["How much did Nscale raise?", "What are these articles about?"]
    swapped = seeded.ask("What about OpenAI?", history=history)
    assert swapped.standalone_question == "How much did OpenAI raise?"


def test_the_next_article_after_an_article_by_its_place_is_that_article(seeded: Engine) -> None:
    # Before, "Tell me more about the second one" and "What about the third?" were declined.
    session = ChatSession(seeded)
    second = session.ask("Tell me more about the second one").answer
    assert [c.source for c in second.citations] == ["001_a3f1d0892a604dd0.txt"]
    third = session.ask("What about the third?").answer
    assert (third.turn, third.text) == ("article", TREND_OPENS)
    last = session.ask("And the last one?").answer
    assert [c.source for c in last.citations] == ["004_f7653a61b53defd5.txt"]
    # A follow-up leans on the last of them.
    nvidia = session.ask("What does it say about Nvidia?").answer
    assert {c.source for c in nvidia.citations} == {"004_f7653a61b53defd5.txt"}
    assert nvidia.notices == [
        "Only “The 2026 AI Infrastructure Surge: Regional Ecosystems, Custom Silicon, and "
        "Decentralized Powerhouses” was searched."
    ]
    # A title with its noun follows a request by title as well.
    titled = session.ask("What about the Trend Analysis one?").answer
    assert (titled.turn, titled.text) == ("article", TREND_OPENS)
    # After a question, "the third" is no article.
    assert next_article("What about the third?", ["How much did Nscale raise?"]) is None
    assert next_article("And the third?", ["Tell me about Nscale"]) is None
    assert next_article("What about OpenAI?", ["What is the second article about?"]) is None


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("What does it say about Wall Street?", "What does it say about Wall Street?"),
        ("What about Amazon?", "What does it say about Amazon?"),
        ("And Nvidia?", "What does it say about Nvidia?"),
        ("Does the article mention Nvidia?", "Does the article mention Nvidia?"),
        ("Thanks! Who wrote it?", "Who wrote it?"),
        ("How much did Nscale raise?", None),
    ],
)
def test_a_question_leaning_on_an_article_is_asked_of_it(question: str, asked: str | None) -> None:
    assert of_article(question) == asked


def test_a_request_about_a_name_is_answered_by_a_sentence_naming_it(seeded: Engine) -> None:
    # Declined before at 0.19: the decision is fitted on questions that ask for one fact.
    answer = seeded.ask("Do you have any information about SoftBank?")
    assert (answer.declined, answer.standalone_question) == (False, "Tell me about SoftBank")
    assert [(c.source, c.text) for c in answer.citations] == [
        (
            TREND,
            "Meanwhile, $30 billion commitments from NVIDIA and SoftBank solidify the hardware "
            "foundation, ensuring compute power remains accessible.",
        )
    ]
    # A name no passage mentions is still declined, saying so.
    assert seeded.ask("Tell me about Zendesk").declined


def test_an_article_named_by_its_place_in_the_overview_is_summarised(seeded: Engine) -> None:
    # Before, "What is the third article about?" was searched as a question, and declined.
    for request in (
        "What is the third article about?",
        "Summarise the 3rd document",
        "Tell me about article 3",
        "What does the third one say?",
    ):
        answer = seeded.ask(request)
        assert (answer.turn, answer.text) == ("article", TREND_OPENS)
        assert [c.source for c in answer.citations] == [TREND]
    last = seeded.ask("What is the last article about?")
    assert [c.source for c in last.citations] == ["004_f7653a61b53defd5.txt"]
    assert seeded.ask("What is the sixth article about?").text == (
        "There is no document 6 in the collection “articles”: it holds 5 documents. "
        "Ask “What are these articles about?” for the list."
    )


@pytest.mark.parametrize(
    ("phrase", "at"),
    [
        ("second", 2),
        ("second one", 2),
        ("12th", 12),
        ("article number 4", 4),
        ("document #7", 7),
        ("last", 9),
        ("First Republic", None),
        ("first quarter", None),
        ("0th", None),
    ],
)
def test_a_place_is_read_from_an_ordinal_alone(phrase: str, at: int | None) -> None:
    assert place(Named(phrase, True), documents=9) == at


def test_a_long_list_to_choose_from_is_cut_at_ten() -> None:
    titles = [f"AI report {n}" for n in range(1, 13)]
    listed = "\n".join(f"- AI report {n}" for n in range(1, 11))
    assert choose("AI", titles) == (
        f"12 articles match “AI”:\n{listed}\n… and 2 more.\n"
        "Ask again with more of the title of the one you mean."
    )


ANTHROPIC = "000_b421b52a77080e52.txt"
ANTHROPIC_TITLE = (
    "AI infrastructure growth is accelerating in 2026 as Anthropic nears a major Wall "
    "Street-backed venture"
)


@pytest.mark.parametrize(
    ("question", "found"),
    [
        (
            "What obstacles stand in the way of expanding AI infrastructure according to the "
            "Anthropic joint-venture article?",
            (
                "What obstacles stand in the way of expanding AI infrastructure?",
                Named("Anthropic joint-venture", True),
            ),
        ),
        (
            "What forces drive hyperscale data centers, according to the Anthropic piece?",
            ("What forces drive hyperscale data centers?", Named("Anthropic", True)),
        ),
        (
            "In the Trend Analysis story, who leads?",
            ("Who leads?", Named("Trend Analysis", True)),
        ),
        # "What does the … article say about …?" asks it of that article.
        (
            "What does the Anthropic joint-venture article say about Wall Street?",
            ("What does it say about Wall Street?", Named("Anthropic joint-venture", True)),
        ),
        (
            "What did the Trend Analysis story report on Amazon?",
            ("What did it report on Amazon?", Named("Trend Analysis", True)),
        ),
        ("What does the article say about Nscale?", None),
        # A report or a document is no news article: "in the 2007 report" is asked as it is.
        ("What was found in the 2007 report?", None),
        ("Who is the villain in the story?", None),
        ("How much did Nscale raise?", None),
        # By its place in the list: the words naming it are "it".
        ("Who wrote the first article?", ("Who wrote it?", Named("first", True))),
        ("Does the 3rd story mention Nvidia?", ("Does it mention Nvidia?", Named("3rd", True))),
        # A treaty's article, or articles the question itself speaks of, name none of the list.
        ("What did Article 65 not agree upon?", None),
        ("Who was named in the first article and in the second article?", None),
        ("Which artist, reported in the first article of two separate articles, won?", None),
    ],
)
def test_a_question_asked_of_one_article_names_it(
    question: str, found: tuple[str, Named] | None
) -> None:
    assert scoped(question) == found


def test_a_question_asked_of_one_article_searches_only_that_one(seeded: Engine) -> None:
    asked = "What obstacles stand in the way of expanding AI infrastructure"
    answer = seeded.ask(f"{asked} according to the Anthropic joint-venture article?")
    # Named by its opening: "joint venture" is in its first passage, not its title.
    assert answer.notices == [f"Only “{ANTHROPIC_TITLE}” was searched."]
    assert answer.standalone_question == f"{asked}?"
    assert {p.source for p in answer.retrieved} == {ANTHROPIC}
    assert [(c.n, c.source, c.start, c.end) for c in answer.citations] == [
        (1, ANTHROPIC, 4966, 5199),
        (2, ANTHROPIC, 5323, 5507),
        (3, ANTHROPIC, 5716, 6099),
    ]
    assert answer.citations[0].text == (
        "Challenges Facing AI Infrastructure Expansion\nDespite strong growth, several "
        "challenges remain:\n- High capital expenditure requirements\n- Energy consumption "
        "concerns\n- Supply chain constraints\n- Regulatory and security considerations"
    )
    # Asked of every article, the same words also quote another one.
    everywhere = seeded.ask(f"{asked}?")
    assert [c.source for c in everywhere.citations] == [
        ANTHROPIC,
        "003_4a67818d2f694273.txt",
        "003_4a67818d2f694273.txt",
    ]
    titled = seeded.ask("In the Trend Analysis article, what chips is OpenAI integrating?")
    assert titled.notices == [f"Only “{TREND_TITLE}” was searched."]
    assert [(c.n, c.source, c.start) for c in titled.citations] == [(1, TREND, 1434)]


def test_what_an_article_named_by_its_title_says_is_asked_of_it_alone(seeded: Engine) -> None:
    # Before, it was searched as words in every article, with no notice.
    answer = seeded.ask("What does the Anthropic joint-venture article say about Wall Street?")
    assert answer.standalone_question == "What does it say about Wall Street?"
    assert answer.notices == [f"Only “{ANTHROPIC_TITLE}” was searched."]
    assert {p.source for p in answer.retrieved} == {ANTHROPIC}
    assert answer.text == (
        "The involvement of Wall Street firms in AI infrastructure projects reflects a growing "
        "convergence between finance and technology. [1] Traditionally focused on equities and "
        "fixed income, Wall Street firms are now targeting direct involvement in AI "
        "infrastructure projects. [2]"
    )


def test_a_follow_up_after_a_question_asked_of_an_article_is_asked_of_it(seeded: Engine) -> None:
    # Before, "it" was read as no article, and every article was searched.
    _, risks, other = turns(
        ChatSession(seeded),
        "What does the Anthropic joint-venture article say about Wall Street?",
        "What does it say about risks?",
        "What about Nvidia?",
    )
    assert risks.notices == [f"Only “{ANTHROPIC_TITLE}” was searched."]
    assert {p.source for p in risks.retrieved} == {ANTHROPIC}
    swapped = "What does it say about Nvidia?"
    assert (other.standalone_question, other.searched_as()) == (swapped, swapped)
    assert other.notices == [f"Only “{ANTHROPIC_TITLE}” was searched."]


def test_tell_me_more_after_a_question_asked_of_an_article_asks_it_again(seeded: Engine) -> None:
    # Before, "tell me more" right after it was searched as those words and declined.
    _, more = turns(
        ChatSession(seeded),
        "What does the Anthropic joint-venture article say about Wall Street?",
        "tell me more",
    )
    assert more.standalone_question == "What does it say about Wall Street?"
    assert more.notices == [f"Only “{ANTHROPIC_TITLE}” was searched."]
    assert [(c.n, c.source, c.start, c.end) for c in more.citations] == [
        (1, ANTHROPIC, 0, 103),
        (2, ANTHROPIC, 300, 511),
    ]


def test_a_question_naming_its_article_leans_on_no_question_before_it(seeded: Engine) -> None:
    # Before, its "it" was read as the name asked of before: "What does the Nscale article say
    # about Europe?" after a question on Anthropic was searched as "What does the Anthropic say
    # about Europe?" and declined, and the next question was joined to it.
    boom = "001_a3f1d0892a604dd0.txt"
    boom_title = "The 2026 AI Infrastructure Boom: Capital, Technology, and Strategic Resilience"
    _, europe, funding = turns(
        ChatSession(seeded),
        "What does the Anthropic joint-venture article say about Wall Street?",
        "What does the Nscale article say about Europe?",
        "What does the Nscale article say about funding?",
    )
    for answer, subject in ((europe, "Europe"), (funding, "funding")):
        assert answer.standalone_question == f"What does it say about {subject}?"
        assert answer.notices == [f"Only “{boom_title}” was searched."]
        assert {p.source for p in answer.retrieved} == {boom}
    assert [c.text for c in europe.citations] == [
        "Supported by Nvidia, Nscale is aggressively expanding into Europe and Asia, emphasizing "
        "hardware sovereignty and supply chain resilience—key priorities amid geopolitical "
        "uncertainties."
    ]


def test_what_an_article_says_about_a_subject_is_any_sentence_stating_it(seeded: Engine) -> None:
    # Before, "… say about challenges?" was declined at 0.13 ("say" and "it" are in no sentence)
    # while "Tell me about challenges" is answered.
    challenges, risks, chips = turns(
        ChatSession(seeded),
        "What does the Anthropic joint-venture article say about challenges?",
        "What does it say about risks?",
        "What does it say about AI chips?",
    )
    assert [c.text for c in challenges.citations] == [
        "Addressing these challenges will be essential for sustaining long-term growth."
    ]
    assert [c.text for c in risks.citations] == [
        "Financial institutions are leveraging AI to enhance operations, from risk analysis to "
        "automated trading."
    ]
    # A sentence naming AI is no answer about AI chips: the article states no chips.
    assert (chips.declined, chips.notices) == (True, [f"Only “{ANTHROPIC_TITLE}” was searched."])


def test_a_question_asked_of_an_article_by_its_place_searches_only_that_one(
    seeded: Engine,
) -> None:
    # Before, "the third article" was searched as words and quoted other articles too.
    answer = seeded.ask("What does the third article say about Amazon?")
    assert answer.standalone_question == "What does it say about Amazon?"
    assert answer.notices == [f"Only “{TREND_TITLE}” was searched."]
    assert [(c.n, c.source, c.start) for c in answer.citations] == [
        (1, TREND, 1571),
        (2, TREND, 1434),
    ]
    opened = seeded.ask("In the second article, who leads the market?")
    assert opened.notices == [
        "Only “The 2026 AI Infrastructure Boom: Capital, Technology, and Strategic Resilience” "
        "was searched."
    ]
    assert {p.source for p in opened.retrieved} == {"001_a3f1d0892a604dd0.txt"}
    assert seeded.ask("What does the sixth article say about Nvidia?").notices == [
        "There is no document 6 in the collection “articles”: it holds 5 documents. "
        "Ask “What are these articles about?” for the list."
    ]


def test_an_article_named_by_no_title_or_several_is_not_guessed(seeded: Engine) -> None:
    question = "What does the chip war mean, according to the TechCrunch article?"
    answer = seeded.ask(question)
    assert answer.notices == [
        "No article’s title or opening matches “TechCrunch”: all of them were searched."
    ]
    assert answer.standalone_question == question
    several = seeded.ask("Who leads the market, according to the AI infrastructure article?")
    assert several.notices == ["4 articles match “AI infrastructure”: all of them were searched."]
    # Within the article the filter chose, the words naming one are left as asked.
    assert seeded.ask(question, source=TREND).notices == []
