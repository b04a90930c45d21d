"""First turns: greetings, thanks, help, an overview and other languages get their own replies."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answering.conversation import (
    asked_directly,
    else_of,
    is_follow_up,
    more_of,
    on_subject,
    standalone,
    swapped_in,
    topic_names,
    without_lead_in,
)
from rag.answering.first_turns import Turn, classify
from rag.engine import Engine
from rag.errors import IndexEmptyError
from rag.session import ChatSession
from tests.fixtures import OPENAI_RAISE, assert_declined, ingest_note, turns

COVERS = (
    "I answer questions about the 5 documents in the collection “articles”, quoting the passages "
    "I use with a citation for each. Try for example: What do the documents say about Anthropic? "
    "or What does “Trend Analysis: Artificial Intelligence Infrastructure Funding” report? "
    "Ask “What are these articles about?” for an overview."
)

AGAIN = "Ask again any time about the 5 documents in “articles”."

OVERVIEW = """The collection “articles” holds 5 documents:
1. AI infrastructure growth is accelerating in 2026 as Anthropic nears a major Wall Street-backed \
venture. [1]
2. The 2026 AI Infrastructure Boom: Capital, Technology, and Strategic Resilience: The year 2026 \
marks a watershed moment in the evolution of AI infrastructure, characterized by unprecedented \
levels of investment, technological breakthroughs, and ambitious innovations that are reshaping \
the global landscape. [2]
3. Trend Analysis: Artificial Intelligence Infrastructure Funding: The traditional perception of \
artificial intelligence as a nimble software endeavor has been permanently dismantled by a \
historic surge in capital that prioritizes physical hardware and vast power reserves. [3]
4. With global AI infrastructure spending set to reach $487 billion in 2026 and eclipse $1 \
trillion by 2029, the defining advantage of the machine intelligence era belongs to those who are \
engineering the substrate beneath for the intelligence. [4]
5. The 2026 AI Infrastructure Surge: Regional Ecosystems, Custom Silicon, and Decentralized \
Powerhouses: The year 2026 marks a seismic shift in the AI landscape, driven by unprecedented \
investments, technological breakthroughs, and a clear move toward decentralization. [5]"""


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hi", "greeting"),
        ("Hello there!", "greeting"),
        ("thanks!", "thanks"),
        ("Thank you very much.", "thanks"),
        ("What's up?", "greeting"),
        ("Hey, how are you?", "greeting"),
        ("How's it going?", "greeting"),
        ("bye", "farewell"),
        ("ok", "acknowledgement"),
        ("Got it.", "acknowledgement"),
        ("Yes!", "acknowledgement"),
        ("that's wrong", "doubt"),
        ("Are you sure?", "doubt"),
        ("Thanks, bye!", "farewell"),
        ("That's all for now.", "farewell"),
        ("help", "help"),
        ("What can you do?", "help"),
        ("hi, what can you do?", "help"),
        ("What topics do you cover?", "help"),
        ("Can you help me?", "help"),
        ("What kind of questions can you answer?", "help"),
        ("What's your name?", "help"),
        # Typed as in a chat; asked of the bot, not of the documents' AI.
        ("what can u do", "help"),
        ("Are you an AI?", "help"),
        ("are you a real person", "help"),
        ("test", "help"),
        ("???", "help"),
        ("...", "help"),
        ("👍", "acknowledgement"),
        ("😀!", "acknowledgement"),
        ("👎", "doubt"),
        ("👋", "greeting"),
        # Before, each of these was searched and declined.
        ("sup", "greeting"),
        ("Are you there?", "greeting"),
        ("Hi, I have a question", "help"),
        ("can I ask you something?", "help"),
        ("who made you?", "help"),
        ("menu", "help"),
        ("lol", "acknowledgement"),
        ("never mind", "acknowledgement"),
        ("that makes sense", "acknowledgement"),
        ("no thanks", "farewell"),
        ("🙏🙏", "thanks"),
        ("What are these articles about?", "overview"),
        ("summarise the documents", "overview"),
        ("Summarize.", "overview"),
        ("Summarize everything", "overview"),
        ("Give me the key takeaways", "overview"),
        ("tl;dr", "overview"),
        ("What's the latest news?", "overview"),
        ("Which documents do you have?", "overview"),
        ("What's in the collection?", "overview"),
        ("what topics are covered?", "overview"),
        ("What subjects are discussed in the articles?", "overview"),
        ("¿Cuánto recaudó Nscale?", "language"),
        ("Combien a levé Nscale ?", "language"),
        ("Wie viel Geld hat Nscale bekommen?", "language"),
        # Short, and opening with a word English writes too: the next word tells.
        ("Was ist Nscale?", "language"),
        ("Wer ist Cathie Wood?", "language"),
        ("Que es Nscale?", "language"),
        ("Сколько денег привлекла Nscale?", "language"),
        ("Nscale 融资多少?", "language"),
        ("OpenAI的估值是多少", "language"),
    ],
)
def test_turns_that_are_not_questions_are_told_apart(message: str, kind: str) -> None:
    turn = classify(message)
    assert turn is not None and turn.kind == kind


@pytest.mark.parametrize(
    "question",
    [
        "How much did Nscale raise?",
        "What does the article say about Nscale?",
        "Who is the president of the Real Madrid club?",
        "Was the deal closed in 2025?",
        "Was Nscale founded in 2020?",
        "Que sera sera?",
        "Was la Liga founded in 1929?",
        "What is La Liga?",
        "Help desk software: which company bought Zendesk?",
        "Which company said goodbye to Nvidia?",
        "Summarize the Nscale deal.",
        "Can you help me find Nscale's valuation?",
        "What is the index?",
        "What does 三菱 invest in?",
        "Tencent (腾讯) revenue 2026",
        "Any news on Nscale?",
        "What are the key points of the EU AI Act?",
    ],
)
def test_questions_about_the_documents_are_questions(question: str) -> None:
    assert classify(question) is None


def test_an_empty_message_is_no_turn_and_an_emoji_gets_a_reply(seeded: Engine) -> None:
    assert classify("") is None
    assert classify("   ") is None
    # Before, "👍" after an answer was searched and declined.
    answer = seeded.ask("👍")
    assert (answer.turn, answer.declined, answer.text) == (
        "acknowledgement",
        False,
        "Anything else? Ask me about the 5 documents in “articles”.",
    )


def test_greeting_thanks_and_help_say_what_the_bot_covers(seeded: Engine) -> None:
    session = ChatSession(seeded)
    asked = ("hi", "thanks!", "What can you do?", "bye")
    replies = {q: session.ask(q).answer for q in asked}
    assert {q: (a.turn, a.text, a.declined, a.citations) for q, a in replies.items() if a} == {
        "hi": ("greeting", f"Hello! {COVERS}", False, []),
        "thanks!": ("thanks", f"You're welcome. {COVERS}", False, []),
        "What can you do?": ("help", COVERS, False, []),
        "bye": ("farewell", f"Goodbye! {AGAIN}", False, []),
    }
    # None of them is a topic a later follow-up leans on.
    assert session.questions == []


HELION_WIRE = (
    "Helion signs power deal\nSEATTLE, March 3 (Newswire) - Fusion startup Helion Energy said on "
    "Tuesday it will supply 50 megawatts to a Microsoft data center.\n"
)


def test_the_examples_name_what_a_news_lead_is_about_not_its_dateline(
    engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "helion.txt").write_text(HELION_WIRE, "utf-8")
    (tmp_path / "coreweave.txt").write_text(
        "CoreWeave prices IPO\nNEW YORK, March 28 (Newswire) - CoreWeave, the cloud provider, "
        "priced its initial public offering at $40 per share.\n",
        "utf-8",
    )
    assert engine.ingest([tmp_path / "helion.txt", tmp_path / "coreweave.txt"]).ok
    # Before: "What do the documents say about March? or … about Newswire?"
    assert engine.ask("What can you do?").text == (
        "I answer questions about the 2 documents in the collection “articles”, quoting the "
        "passages I use with a citation for each. Try for example: What do the documents say "
        "about CoreWeave? or What do the documents say about Helion Energy? Ask “What are these "
        "articles about?” for an overview."
    )


def test_the_name_opening_a_lead_after_its_dateline_is_an_example_when_the_title_has_it(
    engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "oracle.txt").write_text(
        "Oracle signs $30 billion cloud deal as data center spending climbs\n\n"
        "By Maria Lopez | July 2, 2026\n\n"
        "AUSTIN, Texas — Oracle said on Wednesday it had signed a cloud contract worth more than "
        "$30 billion a year.\n",
        "utf-8",
    )
    (tmp_path / "helion.txt").write_text(HELION_WIRE, "utf-8")
    assert engine.ingest([tmp_path / "oracle.txt", tmp_path / "helion.txt"]).ok
    # Before: one example, and the byline as the title: "What does “By Maria Lopez | July 2,
    # 2026” report?" "Fusion" opens its lead too, but the title leaves it out.
    assert engine.ask("hi").text == (
        "Hello! I answer questions about the 2 documents in the collection “articles”, quoting "
        "the passages I use with a citation for each. Try for example: What do the documents say "
        "about Helion Energy? or What do the documents say about Oracle? Ask “What are these "
        "articles about?” for an overview."
    )


def test_an_example_name_keeps_its_of_part(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "grants.txt").write_text(
        "Energy Department awards $1.2 billion for grid upgrades\n\n"
        "WASHINGTON — The U.S. Department of Energy on Monday announced $1.2 billion in grants to"
        " 14 utilities.\n",
        "utf-8",
    )
    assert engine.ingest([tmp_path / "grants.txt"]).ok
    # Before: "What do the documents say about Department?"
    assert engine.ask("hi").text == (
        "Hello! I answer questions about the 1 document in the collection “articles”, quoting "
        "the passages I use with a citation for each. Try for example: What do the documents say "
        "about Department of Energy? or What does “Energy Department awards $1.2 billion for grid"
        " upgrades” report? Ask “What are these articles about?” for an overview."
    )


def test_a_joined_follow_up_is_declined_when_the_quote_states_none_of_its_words(
    engine: Engine, tmp_path: Path
) -> None:
    ingest_note(
        engine,
        tmp_path / "coreweave.txt",
        "CoreWeave prices IPO at $40 a share, raising $1.5 billion\n"
        "NEW YORK, March 28 (Newswire) - CoreWeave, the cloud provider, priced its initial "
        "public offering at $40 per share on Thursday.\n",
    )
    ipo = ["How much did CoreWeave raise in its IPO?"]
    # Searched as "How much did CoreWeave raise in its IPO? Which exchange?", the IPO's sentence
    # answered before at 0.92, though it names no exchange.
    exchange = engine.ask("Which exchange?", history=ipo)
    assert (exchange.declined, exchange.citations) == (True, [])
    assert (
        exchange.text
        == "The articles don't say: the passages I found don't answer “Which exchange?”."
    )
    # A follow-up whose word the quote states is answered as before.
    price = engine.ask("At what price?", history=ipo)
    assert price.text == "CoreWeave prices IPO at $40 a share, raising $1.5 billion. [1]"


def test_overview_gives_each_document_its_lead_sentence_cited(seeded: Engine) -> None:
    answer = seeded.ask("What are these articles about?")
    assert (answer.turn, answer.declined, answer.text) == ("overview", False, OVERVIEW)
    assert [(c.n, c.source, c.start, c.end) for c in answer.citations] == [
        (1, "000_b421b52a77080e52.txt", 0, 103),
        (2, "001_a3f1d0892a604dd0.txt", 188, 414),
        (3, "002_c3ddb7734e976afc.txt", 91, 297),
        (4, "003_4a67818d2f694273.txt", 0, 241),
        (5, "004_f7653a61b53defd5.txt", 213, 377),
    ]


def test_a_hard_wrapped_lead_is_shown_on_one_line(engine: Engine, tmp_path: Path) -> None:
    ingest_note(
        engine,
        tmp_path / "msft.txt",
        "Microsoft to spend $80 billion on AI data centers\n\n"
        "Microsoft plans to spend about $80 billion in its fiscal year\n"
        "on data centers, vice chair Brad Smith wrote on Friday.\n",
    )
    lead = (
        "Microsoft plans to spend about $80 billion in its fiscal year on data centers, vice "
        "chair Brad Smith wrote on Friday. [1]"
    )
    # Before, the overview's item broke where the file's lines do.
    assert engine.ask("What are these articles about?").text == (
        "The collection “articles” holds 1 document:\n"
        f"1. Microsoft to spend $80 billion on AI data centers: {lead}"
    )
    assert engine.ask("What does the Microsoft article say?").text == (
        f"“Microsoft to spend $80 billion on AI data centers” opens: {lead}"
    )
    # The citation still quotes the file as it is.
    assert "fiscal year\non data centers" in engine.ask("Summarise the documents").citations[0].text


def test_a_lead_is_listed_without_its_bold_marks(engine: Engine, tmp_path: Path) -> None:
    # Before: "1. Live: Helios Compute investor day: **9:05 a.m. ET** — Helios opens …".
    ingest_note(
        engine,
        tmp_path / "live.md",
        "# Live: Helios Compute investor day\n\n**9:05 a.m. ET** — Helios Compute opens its first"
        " investor day in New York at 9:30.\n",
    )
    overview = engine.ask("What are these documents about?")
    assert overview.text.splitlines()[1:] == [
        "1. Live: Helios Compute investor day: 9:05 a.m. ET — Helios Compute opens its first"
        " investor day in New York at 9:30. [1]"
    ]
    # The quote cited keeps the document's own text.
    assert [c.text for c in overview.citations] == [
        "**9:05 a.m. ET** — Helios Compute opens its first investor day in New York at 9:30."
    ]
    opening = engine.ask("Summarize the Helios article")
    assert opening.text == (
        "“Live: Helios Compute investor day” opens: 9:05 a.m. ET — Helios Compute opens its first"
        " investor day in New York at 9:30. [1]"
    )


def test_how_many_documents_is_answered_by_the_overview(seeded: Engine) -> None:
    # It used to be searched and declined: no passage counts the documents.
    for question in ("How many articles are there?", "how many documents do you have"):
        answer = seeded.ask(question)
        assert (answer.turn, answer.text, len(answer.citations)) == ("overview", OVERVIEW, 5)


def test_a_request_to_list_what_the_documents_mention_says_why_not(seeded: Engine) -> None:
    # "Which companies are mentioned?" used to be answered with a paragraph on NVIDIA at 0.66.
    answer = seeded.ask("Which companies are mentioned?")
    assert (answer.turn, answer.declined) == ("inventory", False)
    assert answer.text == (
        "I can't list all the companies the documents mention: an answer quotes only the few "
        "passages its question finds. Ask about one by name (for example “What do the documents "
        f"say about Anthropic?”), or start from what each document is about.\n\n{OVERVIEW}"
    )
    assert [c.source for c in answer.citations] == [
        "000_b421b52a77080e52.txt",
        "001_a3f1d0892a604dd0.txt",
        "002_c3ddb7734e976afc.txt",
        "003_4a67818d2f694273.txt",
        "004_f7653a61b53defd5.txt",
    ]
    assert seeded.ask("Who is mentioned in the documents?").text.startswith(
        "I can't list all the people the documents mention:"
    )
    # Without "mentioned" or "in the documents" it may follow up a question: it is searched.
    assert classify("Name all the investors") is None
    assert classify("Which companies are mentioned as partners of Anthropic?") is None


@pytest.mark.parametrize(
    "message",
    [
        "Write a poem about Nscale",
        "Can you translate that into French?",
        "Draft an email about OpenAI's funding",
    ],
)
def test_a_text_to_write_is_declined_with_what_the_bot_does(seeded: Engine, message: str) -> None:
    # Before, each was searched: "The articles don't say: none of the retrieved passages
    # mentions French."
    answer = seeded.ask(message)
    assert (answer.turn, answer.declined, answer.text) == (
        "task",
        True,
        f"I don't write, translate or rewrite text: I only quote the documents. {COVERS}",
    )
    assert classify("Who wrote the first article?") is None


def test_a_question_in_another_language_is_asked_again_in_english(seeded: Engine) -> None:
    answer = seeded.ask("¿Cuánto recaudó Nscale?")
    assert (answer.turn, answer.declined, answer.text) == (
        "language",
        True,
        "I answer questions in English only (the answers are quoted from the documents). "
        f"Please ask again in English. {COVERS}",
    )


def test_an_empty_collection_says_how_to_fill_it(engine: Engine) -> None:
    assert engine.ask("hello").text == (
        "Hello! The collection “articles” holds no documents yet: add some with `rag ingest "
        "FOLDER`, then ask about them."
    )
    assert engine.ask("goodbye").text == "Goodbye!"
    # An article by its place, or a name typed in lower case, meets the empty index's message.
    for question in ("What is the second article about?", "skyroot"):
        with pytest.raises(IndexEmptyError, match=r"^The index is empty\. Run `rag ingest`"):
            engine.ask(question)
    # A yes after a question, the index emptied since, is an acknowledgement too, not an error.
    yes = engine.ask("yes", history=["How much did Nscael raise?"])
    assert (yes.turn, yes.text) == (
        "acknowledgement",
        "The collection “articles” holds no documents yet: add some with `rag ingest FOLDER`, "
        "then ask about them.",
    )


def test_a_greeting_after_an_answer_is_not_a_follow_up(seeded: Engine) -> None:
    session = ChatSession(seeded)
    first = session.ask("How much did Nscale raise?").answer
    hello = session.ask("hi").answer
    assert first is not None and hello is not None
    assert (hello.turn, hello.text) == ("greeting", f"Hello! {COVERS}")
    assert session.questions == ["How much did Nscale raise?"]


def test_ok_or_doubt_after_an_answer_does_not_repeat_it(seeded: Engine) -> None:
    # Before, "ok" and "that's wrong" were follow-ups: the Nscale answer came back at 0.94.
    session = ChatSession(seeded)
    session.ask("How much did Nscale raise?")
    replies = [session.ask(q).answer for q in ("ok", "that's wrong")]
    assert [(a.turn, a.text, a.declined) for a in replies if a] == [
        ("acknowledgement", "Anything else? Ask me about the 5 documents in “articles”.", False),
        (
            "doubt",
            "Every answer quotes the documents word for word, and its numbered citations show the "
            "passages it comes from. If they don't say what you asked, the documents may not hold "
            "it; asking again with the names and words the articles use may find it. "
            "Ask “What are these articles about?” for an overview.",
            False,
        ),
    ]
    assert session.questions == ["How much did Nscale raise?"]


def test_yes_to_did_you_mean_asks_the_question_again_as_the_articles_spell_it(
    seeded: Engine,
) -> None:
    # Before, "yes" was an acknowledgement ("Anything else? …") and the question was lost.
    session = ChatSession(seeded)
    first = session.ask("How much did Nscael raise?").answer
    assert first is not None and first.text == (
        "The articles don't say: none of the retrieved passages mentions Nscael. "
        "Did you mean Nscale?"
    )
    yes = session.ask("Yes please").answer
    assert yes is not None and not yes.declined
    assert (yes.question, yes.standalone_question) == ("How much did Nscale raise?",) * 2
    assert yes.citations[0].text.startswith("Nscale, a startup backed by Nvidia, has raised")
    # A follow-up leans on the question as answered.
    assert session.questions == ["How much did Nscael raise?", "How much did Nscale raise?"]
    valuation = session.ask("What is its valuation?").answer
    assert valuation is not None and valuation.standalone_question == "What is Nscale's valuation?"
    # A yes to a reply that offered nothing is an acknowledgement, as before.
    again = session.ask("yes").answer
    assert again is not None and (again.turn, again.text) == (
        "acknowledgement",
        "Anything else? Ask me about the 5 documents in “articles”.",
    )


def test_no_to_did_you_mean_says_the_name_is_not_in_the_articles(seeded: Engine) -> None:
    # Before, "no" got the doubt reply, about checking an answer's citations.
    session = ChatSession(seeded)
    session.ask("How much did Nscael raise?")
    no = session.ask("No, I didn't").answer
    assert no is not None and (no.turn, no.declined, no.text, no.citations) == (
        "not_meant",
        False,
        "Then none of the articles I searched mentions Nscael. Ask again with other words, or "
        "ask “What are these articles about?” for an overview.",
        [],
    )
    assert session.questions == ["How much did Nscael raise?"]
    # A no to a reply that offered nothing is doubt, as before.
    session.ask("How much did Nscale raise?")
    assert session.ask("no").answer.turn == "doubt"  # type: ignore[union-attr]


def test_a_history_sent_as_typed_leans_on_the_spelling_a_yes_accepted(seeded: Engine) -> None:
    # Slack threads and API callers send the messages as typed, "yes" included. Before, the
    # follow-up leaned on "Nscael" and came with the offer again.
    typed = ["How much did Nscael raise?", "yes"]
    after = seeded.ask("What is its valuation?", history=typed)
    assert after.standalone_question == "What is Nscale's valuation?"
    assert not after.declined and after.citations[0].source == "004_f7653a61b53defd5.txt"
    # Without the yes, the slip is what the follow-up leans on.
    slipped = seeded.ask("What is its valuation?", history=typed[:1])
    assert slipped.standalone_question == "What is Nscael's valuation?"
    unnamed = (
        "None of the retrieved passages mentions Nscael, so the quote may be about something "
        "else. Did you mean Nscale?"
    )
    assert unnamed in slipped.notices and unnamed not in after.notices
    # The yes was answered with the respelled question, which offered nothing: a second yes is
    # an acknowledgement, not the same answer again.
    assert seeded.ask("yes", history=typed).turn == "acknowledgement"


SUBJECT_REQUESTS = [
    ("What do the documents say about Anthropic?", "Tell me about Anthropic"),
    ("Can you summarise the article about Nscale?", "Tell me about Nscale"),
    ("Can you summarize the Nscale article?", "Tell me about Nscale"),
    ("Give me a summary of the EU AI Act documents", "Tell me about EU AI Act"),
    ("Give me an overview of the EU AI Act.", "Tell me about the EU AI Act"),
    ("What is known for adapting slowly?", None),
    ("How much did Nscale raise?", None),
    # News of a name is a request about it; what happened to a thing asks an event.
    ("What happened with Nscale?", "Tell me about Nscale"),
    ("what's new with OpenAI?", "Tell me about OpenAI"),
    ("Any news on Skyroot Aerospace?", "Tell me about Skyroot Aerospace"),
    ("What's going on with the EU AI Act?", "Tell me about the EU AI Act"),
    ("What happened to the Bank of Italy Building?", None),
    ("What's new with the population of Europe?", None),
    # Everyday ways of asking the same (each was declined: "everything", "know", "info" …).
    ("Tell me everything you know about OpenAI", "Tell me about OpenAI"),
    ("What do you know about OpenAI?", "Tell me about OpenAI"),
    ("Give me some info on Broadcom", "Tell me about Broadcom"),
    ("Do you have any information about SoftBank?", "Tell me about SoftBank"),
    ("Can you tell me a bit about Nscale?", "Tell me about Nscale"),
    ("What's the deal with Anthropic?", "Tell me about Anthropic"),
    ("What is the deal with the population?", None),
    # Facts asked by the number (each was declined: "three", "facts" are in no sentence).
    ("Give me three facts about Anthropic", "Tell me about Anthropic"),
    ("What are the key points about the EU AI Act?", "Tell me about the EU AI Act"),
    ("list 5 facts on OpenAI", "Tell me about OpenAI"),
    ("What are the facts?", None),
    # Which document covers a subject: asked about the subject, the answer cites the documents.
    ("Which article talks about Adani?", "Tell me about Adani"),
    ("which of the documents discusses the EU AI Act?", "Tell me about the EU AI Act"),
    ("What article covers data centers in space?", "Tell me about data centers in space"),
    ("Which docs have anything on SoftBank?", "Tell me about SoftBank"),
    # A claim to find, not a subject: asked as written.
    ("Which articles state that powers stay with member states?", None),
    ("Which article mentions that Nscale raised money?", None),
    ("Which report depicted lesser temperature variations?", None),
    # Asked whether the bot knows a name (each was declined: "know" is in no sentence).
    ("Do you know Nscale?", "Tell me about Nscale"),
    ("Do you know anything about OpenAI?", "Tell me about OpenAI"),
    ("Have you heard of Skyroot Aerospace?", "Tell me about Skyroot Aerospace"),
    ("Do you know who leads Orbital Compute?", None),
    ("Do you know that Nscale raised money?", None),
    # A name sent alone (each was searched as a question; "Skyroot" declined at 0.16).
    ("Skyroot", "Tell me about Skyroot"),
    ("EU AI Act", "Tell me about EU AI Act"),
    ("Orbital Compute?", "Tell me about Orbital Compute"),
    ("Bank of Italy", "Tell me about Bank of Italy"),
    ("Why?", None),
    ("How much?", None),
    ("Tesla Terafab plant", None),
]


@pytest.mark.parametrize(("question", "searched"), SUBJECT_REQUESTS)
def test_a_request_about_a_subject_is_searched_as_that_subject(
    question: str, searched: str | None
) -> None:
    assert on_subject(question) == searched


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Do you know who leads Orbital Compute?", "Who leads Orbital Compute?"),
        ("I wonder what Adani is planning", "What Adani is planning"),
        ("can you tell me, how much did Nscale raise?", "How much did Nscale raise?"),
        ("I'd like to know when the EU AI Act applies", "When the EU AI Act applies"),
        ("Do you know Nscale?", "Do you know Nscale?"),
        ("Tell me more", "Tell me more"),
    ],
)
def test_a_question_asked_inside_another_is_asked_directly(question: str, asked: str) -> None:
    assert asked_directly(question) == asked


@pytest.mark.parametrize(
    ("typed", "asked", "answer"),
    [
        # Before, searched as typed and declined at 0.16.
        (
            "skyroot",
            "Tell me about Skyroot",
            "Companies such as Skyroot Aerospace are pioneering orbiting AI infrastructure with "
            "upcoming launches of Vikram-1. [1]",
        ),
        # Before, "wonder" was a word the answer had to state: declined.
        (
            "I wonder what Adani is planning",
            "What Adani is planning",
            "Adani Group, India's industrial giant, announced an ambitious plan to invest $100 "
            "billion in developing local AI data centers across India. [1]",
        ),
    ],
)
def test_a_name_alone_or_a_question_inside_another_is_asked_as_meant(
    seeded: Engine, typed: str, asked: str, answer: str
) -> None:
    got = seeded.ask(typed)
    assert (got.standalone_question, got.text) == (asked, answer)


def test_a_request_about_a_subject_is_asked_as_that_subject(seeded: Engine) -> None:
    assert standalone("Tell me all about it", ["How much did Nscale raise?"]) == (
        "Tell me about Nscale"
    )
    # "these" names no earlier question here; "it" does.
    earlier = ["How much did Nscale raise?"]
    assert standalone("What do these articles say about OpenAI?", earlier) == (
        "Tell me about OpenAI"
    )
    assert standalone("What do the articles say about it?", earlier) == "Tell me about Nscale"
    assert standalone("What about OpenAI?", ["What do the documents say about Anthropic?"]) == (
        "Tell me about OpenAI"
    )
    # The help reply's own example question; before, it was declined for "documents" and "say".
    answer = seeded.ask("What do the documents say about Anthropic?")
    assert (answer.declined, answer.standalone_question) == (False, "Tell me about Anthropic")
    assert answer.text == (
        "Anthropic has quickly gained recognition for its focus on safe and scalable AI systems. "
        "[1] Anthropic operates within a highly competitive ecosystem that includes OpenAI and "
        "Google, both of which are investing heavily in infrastructure and AI development. [2] "
        "The potential Anthropic joint venture represents a major step toward meeting this "
        "demand, providing the resources needed to build and scale infrastructure globally. [3]"
    )
    assert {c.source for c in answer.citations} == {"000_b421b52a77080e52.txt"}
    answer = seeded.ask("What do you know about OpenAI?")
    assert (answer.declined, answer.standalone_question) == (False, "Tell me about OpenAI")
    # Before, declined: "article" and "talks" are in no sentence about Adani.
    answer = seeded.ask("Which article talks about Adani?")
    assert (answer.declined, answer.standalone_question) == (False, "Tell me about Adani")
    assert [(c.source, c.text) for c in answer.citations] == [
        (
            "004_f7653a61b53defd5.txt",
            "Adani Group, India's industrial giant, announced an ambitious plan to invest $100 "
            "billion in developing local AI data centers across India.",
        )
    ]
    # Before, declined: "happened" is in no sentence about Nscale.
    answer = seeded.ask("What happened with Nscale?")
    assert (answer.declined, answer.standalone_question) == (False, "Tell me about Nscale")
    assert answer.citations[0].text.startswith("Nscale, a startup backed by Nvidia, has raised")


def test_tell_me_more_quotes_what_the_answers_before_did_not(seeded: Engine) -> None:
    earlier = ["How much did Nscale raise?"]
    assert more_of("Tell me more", earlier) == ("How much did Nscale raise?", 1)
    assert more_of("more please", [*earlier, "tell me more"]) == ("How much did Nscale raise?", 2)
    assert more_of("Go on.", ["How much did Nscale raise?", "What about OpenAI?"]) == (
        "How much did OpenAI raise?",
        1,
    )
    assert more_of("more", [*earlier, "ok", "tell me more", "thanks!"]) == (
        "How much did Nscale raise?",
        2,
    )
    assert more_of("tell me more", []) is None
    assert more_of("Tell me more about Nscale", earlier) is None
    # Sent alone, "Who else?" asks for the answer after the one given; before, it repeated it.
    for other in ("Who else?", "anyone else", "Any others?", "Which others?", "What other ones?"):
        assert more_of(other, earlier) == ("How much did Nscale raise?", 1)
    assert more_of("Who else invested in Nscale?", earlier) is None
    # Asked politely or in other words, it is the same request; before, each was searched.
    for polite in ("Can you elaborate?", "Could you tell me more?", "More details please"):
        assert more_of(polite, earlier) == ("How much did Nscale raise?", 1)
    assert more_of("Expand on that", earlier) == ("How much did Nscale raise?", 1)
    assert more_of("Can you explain how Nscale raised money?", earlier) is None
    # Before, "What other companies?" was joined to the question and repeated its answer.
    companies = ["Which companies are investing in AI infrastructure?"]
    assert more_of("What other companies?", companies) == (companies[0], 1)
    assert more_of("What other companies does Nvidia back?", companies) is None
    # Before, "tell me more" was joined to the question before and repeated its answer.
    first, more, last = turns(
        ChatSession(seeded), "How much did Nscale raise?", "tell me more", "more"
    )
    assert [c.text for c in first.citations] == [
        "Nscale, a startup backed by Nvidia, has raised $2 billion—bringing its valuation to "
        "$14.6 billion—to scale AI deployment pipelines at both data center and edge levels.",
        "Notably, Nscale is in discussions to raise additional funds at a $7.5 billion valuation, "
        "signaling strong investor confidence in full-stack hardware solutions that facilitate "
        "local, private, and multimodal AI deployments.",
    ]
    assert (more.declined, more.standalone_question, more.text) == (
        False,
        "How much did Nscale raise?",
        "Companies like Nscale, a leader in AI data-center infrastructure, recently secured $2 "
        "billion in funding, elevating its valuation to $14.6 billion. [1]",
    )
    assert (last.declined, last.text, last.citations) == (
        True,
        "The articles say nothing more that answers “How much did Nscale raise?”.",
        [],
    )


def test_who_else_quotes_what_the_answer_before_did_not(seeded: Engine) -> None:
    earlier = ["Who invested in Nebius?"]
    assert else_of("Who else invested?", earlier) == (
        "Who invested in Nebius? Who invested?",
        "Who invested in Nebius?",
        1,
    )
    # Its "And" goes with "else": "And who backs Nscale?" would ask "What about who …?".
    assert else_of("And who else backs Nscale?", earlier) == (
        "Who backs Nscale?",
        "Who invested in Nebius?",
        1,
    )
    assert else_of("Which other  chips does Amazon make?", earlier) == (
        "Which chips does Amazon make?",
        "Who invested in Nebius?",
        1,
    )
    twice = [*earlier, "Who else invested?", "thanks"]
    assert else_of("Who else invested?", twice) == (
        "Who invested in Nebius? Who invested?",
        "Who invested in Nebius?",
        2,
    )
    # Alone, "Who else?" is "tell me more"; with nothing before, "else" goes past nothing.
    assert else_of("Who else?", earlier) is None
    assert else_of("Who else invested?", []) is None
    assert else_of("Where is Elsewhere Labs?", earlier) is None
    # Before, "Who else invested?" repeated Nvidia's $2 billion investment in Nebius.
    first, other, third, last = turns(
        ChatSession(seeded), "Who invested in Nebius?", *["Who else invested?"] * 3
    )
    assert first.text == (
        "Nvidia’s commitment of up to $30 billion to broaden its AI ecosystem includes a "
        "noteworthy $2 billion investment in Nebius, a hyperscale cloud provider. [1]"
    )
    assert (other.declined, other.text) == (
        False,
        "Financial institutions are increasingly investing directly in artificial intelligence "
        "infrastructure. [1] Anthropic operates within a highly competitive ecosystem that "
        "includes OpenAI and Google, both of which are investing heavily in infrastructure and "
        "AI development. [2]",
    )
    quoted = {c.text for c in first.citations} | {c.text for c in other.citations}
    assert third.citations and not quoted & {c.text for c in third.citations}
    # With nothing left, the reply names the question asked, not the one it went past.
    assert (last.declined, last.text) == (
        True,
        "The articles say nothing more that answers “Who invested?”.",
    )


def test_who_else_asks_beyond_who_the_question_before_named(seeded: Engine) -> None:
    # Before, "Who else raised money?" after Nscale's raise quoted another sentence on Nscale
    # ("Companies like Nscale … secured $2 billion"): "else" goes past Nscale, not only past
    # the sentences quoted.
    _, other = turns(ChatSession(seeded), "How much did Nscale raise?", "Who else raised money?")
    assert not other.declined
    assert other.citations[0].text == (
        "Meanwhile, startups like Together AI, which rents Nvidia chips for AI cloud workloads, "
        "continue to attract over $1 billion in funding, expanding their scalable compute "
        "infrastructure."
    )
    assert not any("Nscale" in c.text for c in other.citations)


def test_a_sum_is_no_question_for_the_documents(seeded: Engine) -> None:
    # Before, "What's 2+2?" quoted TPU v6's "2× HBM capacity" at confidence 0.21.
    assert_declined(seeded, "What's 2+2?", "What is 5 * 3?")


def test_a_question_after_greetings_only_leans_on_nothing() -> None:
    # Before, a greeting was the topic when no question came before: "Show me the sources" after
    # "help" was searched as "help Show me the sources".
    assert standalone("What valuation?", ["help", "What can you do?"]) == "What valuation?"
    assert standalone("Who backs it?", ["hi"]) == "Who backs it?"
    # A follow-up after only follow-ups still leans on the first of them.
    assert standalone("When?", ["hi", "What valuation?"]) == "What valuation? When?"


def test_what_about_asks_the_question_before_of_another_name() -> None:
    earlier = ["How much did Nscale raise?"]
    assert standalone("What about OpenAI?", earlier) == "How much did OpenAI raise?"
    assert standalone("And Microsoft?", earlier) == "How much did Microsoft raise?"
    assert standalone("How about Anthropic's?", earlier) == "How much did Anthropic raise?"
    # A name after a preposition takes the place of the topic's name after it; before, "And in
    # OpenAI?" asked "How much did in OpenAI invest in Nebius?".
    invested = ["How much did Nvidia invest in Nebius?"]
    assert standalone("And in OpenAI?", invested) == "How much did Nvidia invest in OpenAI?"
    assert standalone("What about in Europe?", earlier) == "How much did Nscale raise in Europe?"
    # An acknowledgement before it changes nothing.
    assert standalone("Thanks! What about OpenAI?", earlier) == "How much did OpenAI raise?"
    assert standalone("ok, and CoreWeave?", earlier) == "How much did CoreWeave raise?"
    # Nothing named: the question is asked with the one before, as any follow-up is.
    assert standalone("What about the valuation?", earlier) == (
        "How much did Nscale raise? What about the valuation?"
    )
    # After "What about OpenAI?", a follow-up leans on OpenAI, not on the name before it.
    earlier = ["How much did Nscale raise?", "What about OpenAI?"]
    assert standalone("And the valuation?", earlier) == (
        "How much did OpenAI raise? And the valuation?"
    )
    assert standalone("When did it raise money?", ["What happened with Nscale?", *earlier[1:]]) == (
        "When did OpenAI raise money?"
    )
    assert standalone("And its valuation?", [*earlier, "thanks", "And for Anthropic?"]) == (
        "Anthropic's valuation?"
    )


@pytest.mark.parametrize(
    ("before", "asked", "meant"),
    [
        ("How much did Nscale raise?", "When?", "When did Nscale raise?"),
        ("How much did Nscale raise?", "And where exactly?", "Where did Nscale raise?"),
        ("When is the EU AI Act enforced?", "why?", "Why is the EU AI Act enforced?"),
        ("How much is Amazon investing in OpenAI?", "Why?", "Why is Amazon investing in OpenAI?"),
        ("Does Amazon invest in OpenAI?", "How much?", "How much does Amazon invest in OpenAI?"),
        # A question word that is the subject, or a copula before a noun, takes no other word:
        # the follow-up is asked with the question, as before.
        ("Who is the CEO of Nscale?", "When?", "Who is the CEO of Nscale? When?"),
        ("How much is Nscale's valuation?", "When?", "How much is Nscale's valuation? When?"),
        ("How many users does OpenAI have?", "Why?", "How many users does OpenAI have? Why?"),
    ],
)
def test_a_bare_question_word_asks_the_question_before_with_it(
    before: str, asked: str, meant: str
) -> None:
    assert standalone(asked, [before]) == meant


def test_when_after_an_amount_says_the_quote_gives_no_date(seeded: Engine) -> None:
    # Before, "When?" asked "How much did Nscale raise? When?" and got the amount again, unnoted.
    answer = seeded.ask("When?", history=["How much did Nscale raise?"])
    assert answer.standalone_question == "When did Nscale raise?"
    assert answer.notices == ["The quote gives no date: the articles may not say when."]


def test_a_pronoun_for_the_one_name_before_is_that_name() -> None:
    earlier = ["How much did Nscale raise?"]
    assert standalone("Who backs it?", earlier) == "Who backs Nscale?"
    assert standalone("And its valuation?", earlier) == "Nscale's valuation?"
    assert standalone("What does the company do?", earlier) == "What does Nscale do?"
    assert standalone("When does it take full effect?", ["What does the EU AI Act require?"]) == (
        "When does the EU AI Act take full effect?"
    )
    # A name qualifying a noun: the pronoun stands for the whole ("the Anthropic deal").
    deal = ["How big is the Anthropic deal?"]
    assert standalone("Who is it with?", deal) == "Who is the Anthropic deal with?"
    assert standalone("When will it close?", deal) == "When will the Anthropic deal close?"
    # Not a noun the name qualifies: an adjective, or a verb after "does".
    assert standalone("When does it take effect?", ["Why is the EU AI Act important?"]) == (
        "When does the EU AI Act take effect?"
    )
    assert standalone("Who backs it?", ["Why is the Nscale deal important?"]) == (
        "Who backs the Nscale deal?"
    )
    assert standalone("When does it take effect?", ["What does the EU AI Act deal with?"]) == (
        "When does the EU AI Act take effect?"
    )
    # A verb after the noun: "rule" is the noun. Before: "Who does the Texas apply to?".
    assert standalone("Who does it apply to?", ["What does the Texas rule require?"]) == (
        "Who does the Texas rule apply to?"
    )
    # So does a possessive: before, "Who is building Meta?" quoted a sentence on Meta's factories.
    solar = ["Tell me about Meta's solar deal"]
    assert standalone("Who is building it?", solar) == "Who is building Meta's solar deal?"
    assert standalone("Who backs it?", ["What is Nscale's valuation?"]) == "Who backs Nscale?"
    # A follow-up's "the CEO" is the topic's: a swap after it asks the other's CEO, where before
    # "And OpenAI?" asked how much OpenAI raised.
    ceo = ["How much did Nscale raise?", "Who is the CEO?"]
    assert standalone("And OpenAI?", ceo) == "Who is OpenAI's CEO?"
    valuation = ["How much did Nscale raise?", "What is the valuation?"]
    assert standalone("What about OpenAI?", valuation) == "What is OpenAI's valuation?"
    # "What about its …?" asks of the same name: resolved, not swapped for "its CPU revenue".
    assert standalone(
        "What about its CPU revenue forecast?", ["Tell me about Broadcom", "And Nvidia?"]
    ) == ("Nvidia's CPU revenue forecast?")
    # Before, joined to "What is OpenAI's valuation?", whose "valuation" made this a decline.
    assert standalone("How many weekly users does it have?", ["What is OpenAI's valuation?"]) == (
        "How many weekly users does OpenAI have?"
    )
    # A follow-up a pronoun made self-contained moves the conversation on, as a swap does.
    adani = ["Which article mentions Adani?", "How much will they invest?"]
    assert standalone("When?", adani) == "When will Adani invest?"
    # Unless its name can't be told ("Nscale's valuation?" opens with it): the topic stays.
    assert standalone("When did it rise?", [*earlier, "And its valuation?"]) == (
        "When did Nscale rise?"
    )
    # A title asked is no second name: before, "What was its revenue?" after "Who is
    # CoreWeave's CEO?" was joined to it, and "And its loss?" after that declined.
    assert standalone("What was its revenue?", ["Who is CoreWeave's CEO?"]) == (
        "What was CoreWeave's revenue?"
    )
    assert standalone("And Microsoft's?", ["Who is Helion's CEO?"]) == "Who is Microsoft's CEO?"
    # A possessive of a name the question gives first is that name's: before, "How much did
    # CoreWeave raise in its IPO?" leaned back itself, so it was no topic, "And Helion?" moved
    # nothing on, and "Who chairs its board?" asked of CoreWeave.
    ipo = ["How much did CoreWeave raise in its IPO?", "And Helion?"]
    assert standalone("Who chairs its board?", ipo) == "Who chairs Helion's board?"
    assert is_follow_up("How much did CoreWeave raise in its IPO?") is False
    assert is_follow_up("Did Microsoft invest in it?") is True
    assert is_follow_up("What about OpenAI and its revenue?") is True
    # A request is joined as its subject, without its own words ("documents", "say").
    assert standalone("Why?", ["What do the documents say about Anthropic?"]) == (
        "Tell me about Anthropic. Why?"
    )
    # An "it" that stands for nothing, a topic with two names, or no pronoun: joined as before.
    assert standalone("Is it true that the valuation rose?", earlier) == (
        "How much did Nscale raise? Is it true that the valuation rose?"
    )
    campus = "How much did Amazon pay for the George Washington University campus?"
    assert standalone("Why did they buy it?", [campus]) == f"{campus} Why did they buy it?"
    assert standalone("What are the fines?", ["What does the EU AI Act require?"]) == (
        "What does the EU AI Act require? What are the fines?"
    )
    # A swap takes the topic's "the" with its name.
    assert standalone("What about OpenAI?", ["What does the EU AI Act require?"]) == (
        "What does OpenAI require?"
    )
    assert standalone("What about the EU AI Act?", earlier) == "How much did the EU AI Act raise?"


def test_only_an_acknowledgement_set_off_by_punctuation_is_read_past() -> None:
    assert without_lead_in("OK, thanks! And OpenAI?") == "And OpenAI?"
    assert without_lead_in("Great Wall Motors' revenue?") == "Great Wall Motors' revenue?"
    assert without_lead_in("Thanks to Nvidia, who grew?") == "Thanks to Nvidia, who grew?"
    assert without_lead_in("Thanks!") == "Thanks!"


def test_and_in_a_year_asks_the_question_before_of_that_year() -> None:
    # Before, "And in 2025?" was searched alone, and quoted Oracle's 2025 growth.
    earlier = ["How much did Microsoft spend in 2026?", "What about Alphabet?"]
    assert standalone("And in 2025?", earlier) == "How much did Alphabet spend in 2025?"
    assert standalone("What about 2024?", earlier) == "How much did Alphabet spend in 2024?"
    # A question without a year is asked of it; a name after the year swap keeps the year.
    assert standalone("And for 2027?", ["How much did Nscale raise?"]) == (
        "How much did Nscale raise in 2027?"
    )
    assert standalone("And Oracle?", [*earlier, "And in 2025?"]) == (
        "How much did Oracle spend in 2025?"
    )


def test_a_report_or_a_story_asked_for_as_a_whole_gets_the_overview() -> None:
    # Before, "summarize the report" was searched, joined to the question before it.
    for request in (
        "summarize the report",
        "What is the report about?",
        "What are the stories about?",
        # Before, "this" was no determiner the overview knew: the request was searched.
        "What is this collection about?",
        "What is this document about?",
        "What does this collection cover?",
    ):
        assert classify(request) == Turn("overview"), request
    # A report asked about is searched, as any question.
    assert classify("What does the report say about water?") is None


def test_what_about_searches_for_the_new_name(tmp_path: Path, seeded: Engine) -> None:
    session = ChatSession(seeded)
    session.ask("How much did Nscale raise?")
    answer = session.ask("What about OpenAI?").answer
    assert answer is not None
    assert answer.standalone_question == "How much did OpenAI raise?"
    assert answer.citations[0].source == "002_c3ddb7734e976afc.txt"
    # Not OpenAI's valuation (another measure) and Nscale's raise (another company), as before.
    assert answer.text == OPENAI_RAISE


def test_a_question_opening_with_a_name_is_no_follow_up_and_is_leaned_on(seeded: Engine) -> None:
    # Before, "Nscale raised how much?" (four words, no name past the first) was read as a
    # follow-up and joined to the question before; so was the question a "yes" accepted.
    assert standalone("Nscale raised how much?", ["How much did OpenAI raise?"]) == (
        "Nscale raised how much?"
    )
    earlier = ["Nscale raised how much?"]
    assert standalone("What is its valuation?", earlier) == "What is Nscale's valuation?"
    assert standalone("What about OpenAI?", earlier) == "OpenAI raised how much?"
    # Chat's short words are no names: "Btw what valuation?" still follows up.
    assert standalone("Btw what valuation?", earlier) == (
        "Nscale raised how much? Btw what valuation?"
    )
    session = ChatSession(seeded)
    session.ask("Nscael raised how much?")
    yes = session.ask("yes").answer
    assert yes is not None and yes.standalone_question == "Nscale raised how much?"
    then = session.ask("What is its valuation?").answer
    assert then is not None and then.standalone_question == "What is Nscale's valuation?"
    assert "$14.6 billion" in then.text and then.notices == []


def test_what_about_is_declined_when_the_quote_would_not_name_the_new_name(seeded: Engine) -> None:
    # Before, "What is Google doing with Wall Street?" was answered at 0.70 with a sentence on
    # Wall Street firms that never names Google: the answer to the question before.
    session = ChatSession(seeded)
    session.ask("What is Anthropic doing with Wall Street?")
    answer = session.ask("What about Google?").answer
    assert answer is not None and answer.declined
    assert answer.standalone_question == "What is Google doing with Wall Street?"
    assert answer.text == (
        "The articles don't say: the passages I found on this don't name Google."
    )
    # The names asked of: any one of them named by the quote's first sentence will do.
    earlier = ["How much did Nscale raise?"]
    assert swapped_in("What about Google and Broadcom?", earlier) == ("Google", "Broadcom")
    assert swapped_in("Thanks! And OpenAI?", earlier) == ("OpenAI",)
    assert swapped_in("What about the valuation?", earlier) == ()
    assert swapped_in("What about Google?", []) == ()
    # A quote that names the new name is given as before.
    session.ask("How much did Nscale raise?")
    again = session.ask("What about OpenAI?").answer
    assert again is not None and again.text == OPENAI_RAISE


def test_a_misspelt_word_is_offered_in_its_question_and_a_yes_or_no_answers_it(
    seeded: Engine,
) -> None:
    # Before, "rasie" matched no sentence and the decline said nothing more.
    session = ChatSession(seeded)
    first = session.ask("How much did Nscale rasie?").answer
    assert first is not None and first.declined
    assert first.text == (
        "The articles don't say. None of the retrieved passages answers this question, so I "
        "won't guess. Did you mean “How much did Nscale raise?”"
    )
    yes = session.ask("yes").answer
    assert yes is not None and (yes.question, yes.declined) == ("How much did Nscale raise?", False)
    assert yes.citations[0].text.startswith("Nscale, a startup backed by Nvidia, has raised")
    # A name and a word: both respelled in the one question offered; a no names both.
    both = session.ask("How much did Nscael rasie?").answer
    assert both is not None and both.text == (
        "The articles don't say: none of the retrieved passages mentions Nscael. Did you mean "
        "“How much did Nscale raise?”"
    )
    no = session.ask("no").answer
    assert no is not None and (no.turn, no.text) == (
        "not_meant",
        "Then none of the articles I searched mentions Nscael, nor uses the word “rasie”. Ask "
        "again with other words, or ask “What are these articles about?” for an overview.",
    )
    # A slip in a word of a question answered anyway is not doubted: no offer, and a yes is an
    # acknowledgement.
    answered = seeded.ask("How much did Nscale raise and at what valuaton?")
    assert not answered.declined and "Did you mean" not in answered.text
    assert seeded.ask("yes", history=[answered.question]).turn == "acknowledgement"
    # A no to an offer of words only.
    assert seeded.ask("nope", history=["How much did Nscale rasie?"]).text == (
        "Then the articles I searched don't use the word “rasie”. Ask again with other words, or "
        "ask “What are these articles about?” for an overview."
    )


SURGE_TITLE = (
    "The 2026 AI Infrastructure Surge: Regional Ecosystems, Custom Silicon, and Decentralized "
    "Powerhouses"
)


@pytest.mark.parametrize(
    "message",
    [
        "Which article is that from?",
        "source?",
        "Where did you get that?",
        "What's your source?",
        # Before, plural, these were searched as words.
        "Show me the sources",
        "Can you cite your sources?",
    ],
)
def test_which_article_is_that_from_names_the_articles_the_answer_quoted(
    seeded: Engine, message: str
) -> None:
    # Before, it was searched as words and got the Nscale quotes again, with no article named.
    session = ChatSession(seeded)
    answer = session.ask("How much did Nscale raise?").answer
    sources = session.ask(message).answer
    assert (sources.turn, sources.text) == (
        "sources",
        f"The answer to “How much did Nscale raise?” quotes “{SURGE_TITLE}” [1][2].",
    )
    assert sources.citations == answer.citations
    # It is no topic: "tell me more" after it says more about Nscale's raise.
    assert session.questions == ["How much did Nscale raise?"]


def test_the_sources_of_a_decline_or_of_nothing_say_so(seeded: Engine) -> None:
    declined = seeded.ask("source?", history=["How much did CoreWeave raise?", "thanks"])
    assert declined.text == (
        "The answer to “How much did CoreWeave raise?” quoted no article: the documents did not "
        "answer it."
    )
    assert declined.citations == []
    # A "yes" to "Did you mean Nscale?" answered Nscale's question: its sources are named.
    accepted = seeded.ask("source?", history=["How much did Nscael raise?", "yes"])
    assert accepted.text == (
        f"The answer to “How much did Nscale raise?” quotes “{SURGE_TITLE}” [1][2]."
    )
    # After the overview, its sources are every document it quoted; a "thanks" quotes none.
    listed = seeded.ask(
        "source?",
        history=["How much did Nscale raise?", "What are these articles about?", "thanks"],
    )
    assert listed.text.startswith(
        "The answer to “What are these articles about?” quotes “AI infrastructure growth is "
        "accelerating in 2026 as Anthropic nears a major Wall Street-backed venture” [1], "
    )
    assert [c.n for c in listed.citations] == [1, 2, 3, 4, 5]
    alone = seeded.ask("Which article is that from?")
    assert (alone.turn, alone.text) == (
        "sources",
        "There is no answer before this to name the sources of. Ask a question about the "
        "documents: each answer's numbered citations name the article every quote comes from.",
    )
    # "What are your sources?" lists every document; a question about a source is a question.
    assert classify("What are your sources?") == Turn("overview")
    assert classify("What is the source of Nscale's funding?") is None


def test_tell_me_more_after_the_overview_lists_the_next_documents(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(1, 13):
        (folder / f"note{n:02d}.txt").write_text(
            f"Harbour note {n}\n\nThe ledger of pier {n} records {n + 40} crates of tea.\n", "utf-8"
        )
    assert engine.ingest(sorted(folder.glob("*.txt"))).ok
    session = ChatSession(engine)
    first = session.ask("What are these articles about?").answer
    assert first.text.splitlines()[-1] == "… and 2 more (ask “tell me more”)."
    # Before, "tell me more" was searched as words and declined.
    more = session.ask("tell me more").answer
    assert (more.turn, more.text) == (
        "overview",
        "Documents 11–12 of the 12 in the collection “articles”:\n"
        "11. Harbour note 11: The ledger of pier 11 records 51 crates of tea. [1]\n"
        "12. Harbour note 12: The ledger of pier 12 records 52 crates of tea. [2]",
    )
    assert [c.source for c in more.citations] == ["note11.txt", "note12.txt"]
    assert session.ask("more").answer.text == (
        "That is every document: the collection “articles” holds 12 documents."
    )
    # Its numbers name the articles as the first page's do.
    twelfth = session.ask("What about the 12th one?").answer
    assert (twelfth.turn, [c.source for c in twelfth.citations]) == ("article", ["note12.txt"])


GLOSSARY = (
    "# AI infrastructure terms, explained\n\n"
    "**Neocloud.** A newer cloud provider that rents out GPUs for AI work, such as CoreWeave.\n\n"
    "**Capex.** Capital expenditure: money a company spends on buildings, chips and servers.\n"
)


def test_a_question_asking_what_a_word_means_follows_up_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    assert [
        is_follow_up(q)
        for q in (
            "What is a neocloud?",
            "What's capex?",
            "What does PPA stand for?",
            "Define capex",
            "What is the valuation?",
            "What is it?",
            "What is next?",
        )
    ] == [False, False, False, False, True, True, True]
    ingest_note(engine, tmp_path / "glossary.md", GLOSSARY)
    ingest_note(engine, tmp_path / "raise.md", OPENAI_RAISE)
    # Before, it was joined to the question before it, and the whole was declined.
    _, second = turns(ChatSession(engine), "How much did OpenAI raise?", "What is a neocloud?")
    assert second.text == (
        "Neocloud. A newer cloud provider that rents out GPUs for AI work, such as CoreWeave. [1]"
    )


def test_a_possessive_before_own_is_the_questions_own_subjects() -> None:
    # Before, "their" read as leaning back, and the question was joined to the one before.
    power = ["How much power do data centers need?"]
    assert standalone("Which companies are building their own chips?", power) == (
        "Which companies are building their own chips?"
    )
    assert [
        is_follow_up(q)
        for q in ("Are they building their own chips?", "Does it have its own chips?")
    ] == [True, True]


VELA_STORY = (
    "<html><head><title>Vela Compute raises $600 million | NordTech</title></head><body>"
    "<h1>Vela Compute raises $600 million</h1><p>By Friday, Vela had hired 90 people.</p>"
    "<p><em>By <a href='/a'>Anna Virtanen</a>, October"
    " 2, 2026</em></p><p>Vela Compute, a Helsinki-based GPU cloud startup, has raised $600 "
    "million in a Series B round led by North Sea Capital.</p></body></html>"
)
KESTREL_MEMO = (
    "From: Dana Whitfield <dana@northgate.example>\nTo: Investment Committee\n"
    "Subject: Recommendation on the Kestrel Compute term sheet\n\nTeam,\n\nI recommend we lead "
    "Kestrel Compute's Series C at a pre-money valuation of $2.1 billion.\n"
)


@pytest.mark.parametrize(
    "message", ["Who wrote the article?", "who is the author", "Who wrote it?", "so who wrote that"]
)
def test_who_wrote_it_names_the_writer_of_each_article_quoted(message: str) -> None:
    assert classify(message) == Turn("author")


def test_who_wrote_the_article_reads_its_byline(engine: Engine, tmp_path: Path) -> None:
    ingest_note(engine, tmp_path / "story.html", VELA_STORY)
    ingest_note(engine, tmp_path / "memo.txt", KESTREL_MEMO)
    # Before, it was searched as words, and declined.
    alone = engine.ask("Who wrote the article?")
    assert (alone.turn, alone.text, alone.citations) == (
        "author",
        "There is no answer before this to name the writers of. Ask a question about the "
        "documents: then “Who wrote the article?” names who wrote the articles its answer quotes.",
        [],
    )
    # "By Friday, Vela had …" opening a line names a day, no writer: the byline after it does.
    story = engine.ask("Who wrote the article?", history=["How much did Vela raise?"])
    assert (story.turn, story.text, [c.text for c in story.citations]) == (
        "author",
        "“Vela Compute raises $600 million | NordTech” is by Anna Virtanen [1].",
        ["By Anna Virtanen, October 2, 2026"],
    )
    # A memo's writer is its sender, and its title its subject (before, "To: Investment
    # Committee").
    memo = engine.ask("Who wrote it?", history=["What valuation does Dana recommend?"])
    assert (memo.text, [c.text for c in memo.citations]) == (
        "“Recommendation on the Kestrel Compute term sheet” is by Dana Whitfield [1].",
        ["From: Dana Whitfield <dana@northgate.example>"],
    )


def test_who_wrote_a_kind_of_article_reads_the_byline_of_the_one_found(
    engine: Engine, tmp_path: Path
) -> None:
    # Before: each of these quoted the memo's "From: Dana Whitfield …" line, the one sentence
    # naming a writer, whatever kind of article was asked of.
    ingest_note(engine, tmp_path / "memo.txt", KESTREL_MEMO)
    ingest_note(
        engine,
        tmp_path / "oped.md",
        "# Opinion: Stop pretending data centers pay for themselves\n\nBy Priya Raman\n\n"
        "Priya Raman is an economist at the Lakeshore Policy Institute.\n\nEvery few weeks"
        " another county approves a data center on the promise of jobs and tax revenue.\n",
    )
    ingest_note(
        engine,
        tmp_path / "study.md",
        "# Cooling water use at hyperscale data centers: a field study\n\nAuthors: Mei Tanaka,"
        " Luis Ortega\n\nAbstract: We measured water withdrawal at 14 hyperscale campuses over"
        " 12 months.\n",
    )
    ingest_note(engine, tmp_path / "story.html", VELA_STORY)
    oped = engine.ask("Who wrote the opinion piece?")
    # The byline's line alone: the names end where it does.
    assert (oped.declined, oped.text, [c.text for c in oped.citations]) == (
        False,
        "“Opinion: Stop pretending data centers pay for themselves” is by Priya Raman [1].",
        ["By Priya Raman"],
    )
    study = engine.ask("Who wrote the study?")
    assert (study.text, [c.text for c in study.citations]) == (
        "“Cooling water use at hyperscale data centers: a field study” is by Mei Tanaka, Luis"
        " Ortega [1].",
        ["Authors: Mei Tanaka, Luis Ortega"],
    )
    memo = engine.ask("Who wrote the Kestrel memo?")
    assert memo.text == (
        "“Recommendation on the Kestrel Compute term sheet” is by Dana Whitfield [1]."
    )
    # The article found first writes no byline: so the reply says.
    ingest_note(
        engine,
        tmp_path / "merger.txt",
        "Vantage Fiber to buy Crestline Networks\n\nVantage Fiber agreed on Monday to acquire"
        " Crestline Networks for $2.8 billion in cash, the companies said.\n",
    )
    unsigned = engine.ask("Who wrote the story about Vantage?")
    assert (unsigned.declined, unsigned.text, unsigned.citations) == (
        True,
        "“Vantage Fiber to buy Crestline Networks” does not say who wrote it.",
        [],
    )


def test_a_month_is_no_name_a_joined_follow_up_must_find() -> None:
    # Before: "What happened in 2025?" after it was declined as passages that "don't name April".
    assert topic_names("What happened in April 2026?") == ()
    assert topic_names("How much did Nscale raise in May?") == ("Nscale",)
