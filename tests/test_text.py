"""Sentence spans, list spans, terms and BM25 sparse vectors."""

from __future__ import annotations

from rag.search import sparse
from rag.text import (
    TableRow,
    closed,
    emphasised,
    headed_lists,
    is_heading,
    list_spans,
    paragraph_spans,
    sentence_spans,
    stem,
    table_rows,
    table_text,
    terms,
)


def spans_text(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


def test_sentences_split_on_stops_and_lines_not_abbreviations() -> None:
    text = (
        "Nscale raised $2 billion. It plans 1.5 GW vs. 1 GW before.\n- A bullet line\n"
        "U.S. firms lead!"
    )
    assert spans_text(text, sentence_spans(text)) == [
        "Nscale raised $2 billion.",
        "It plans 1.5 GW vs. 1 GW before.",
        "A bullet line",
        "U.S. firms lead!",
    ]
    # A stray dash after the full stop is no part of the sentence; a dash inside one is.
    text = "Amazon bought a campus to bolster resilience. -\nCapacity grew 10 - 20%. —"
    assert spans_text(text, sentence_spans(text)) == [
        "Amazon bought a campus to bolster resilience.",
        "Capacity grew 10 - 20%.",
    ]


def test_a_bare_reply_runs_on_into_the_sentence_saying_what_it_affirms() -> None:
    text = "**Is there a noise limit?**\nYes. The county caps noise at 55 decibels. Correct."
    assert spans_text(text, sentence_spans(text)) == [
        "Is there a noise limit?",
        "Yes. The county caps noise at 55 decibels.",
        "Correct.",
    ]
    # A reply ending its line, or a word in a sentence, is no bare reply run on.
    text = "Yes.\nThe county caps noise. He said yes. Then he left."
    assert spans_text(text, sentence_spans(text)) == [
        "Yes.",
        "The county caps noise.",
        "He said yes.",
        "Then he left.",
    ]


def test_a_months_abbreviation_before_its_day_ends_no_sentence() -> None:
    # A wire dateline: the story's first sentence was cut to "20 (Wire) — Samsung …".
    text = (
        "SEOUL, Nov. 20 (Wire) — Samsung began shipping HBM4. The deal closed in Sept. 2026. "
        "Shipments began in Nov. They grew fast."
    )
    assert spans_text(text, sentence_spans(text)) == [
        "SEOUL, Nov. 20 (Wire) — Samsung began shipping HBM4.",
        "The deal closed in Sept. 2026.",
        # Before a word, the month's full stop still ends its sentence.
        "Shipments began in Nov.",
        "They grew fast.",
    ]


def test_a_states_abbreviation_in_a_dateline_ends_no_sentence() -> None:
    # The story's first sentence was cut to "(Wire) -- Microsoft plans …", its subject's city
    # left behind as a sentence of its own.
    text = (
        "REDMOND, Wash. (Wire) -- Microsoft plans to spend $80 billion. MENLO PARK, Calif. — Meta "
        "agreed. He moved to Seattle, Wash. Then he left."
    )
    assert spans_text(text, sentence_spans(text)) == [
        "REDMOND, Wash. (Wire) -- Microsoft plans to spend $80 billion.",
        "MENLO PARK, Calif. — Meta agreed.",
        # Before a word, the state's full stop still ends its sentence.
        "He moved to Seattle, Wash.",
        "Then he left.",
    ]


def test_a_clock_times_zone_ends_no_sentence() -> None:
    # A live blog's entries were quoted as "ET** — Chief executive …", their time cut off.
    text = (
        "**9:41 a.m. ET** — Helios now runs 210,000 GPUs. Results come at 4 p.m. EST Thursday. "
        "The call ended at 5 p.m. Shares fell."
    )
    assert spans_text(text, sentence_spans(text)) == [
        "9:41 a.m. ET** — Helios now runs 210,000 GPUs.",
        "Results come at 4 p.m. EST Thursday.",
        # Before a word, "p.m." still ends its sentence.
        "The call ended at 5 p.m.",
        "Shares fell.",
    ]


def test_a_sentence_hard_wrapped_across_lines_is_one_sentence() -> None:
    text = (
        "Microsoft to spend $80 billion on AI data centers\n\n"
        "Microsoft plans to spend about $80 billion in\n"
        "its fiscal year on data centers, vice chair Brad Smith\n"
        "wrote in a blog post on Friday.\n"
        "More than half will be in the United States.\n"
        "Key figures\n"
        "the spending by region is not broken out in any of the filings\n"
        "Notes: see below\n"
        "and the appendix.\n"
        "The agreement covers the following terms for the buyer:\n"
        "six years, with a renewal."
    )
    assert spans_text(text, sentence_spans(text)) == [
        "Microsoft to spend $80 billion on AI data centers",
        # Before, each line was a sentence: "wrote in a blog post on Friday." was quoted for who.
        "Microsoft plans to spend about $80 billion in\nits fiscal year on data centers, vice "
        "chair Brad Smith\nwrote in a blog post on Friday.",
        "More than half will be in the United States.",
        # A short line (a heading, a label) and a full line ending in a colon end their line.
        "Key figures",
        "the spending by region is not broken out in any of the filings",
        "Notes: see below",
        "and the appendix.",
        "The agreement covers the following terms for the buyer:",
        "six years, with a renewal.",
    ]


def test_a_markdown_heading_is_a_heading_in_sentence_case() -> None:
    assert is_heading("# Q&A: Crusoe's chief executive on power, permits and the next campus")
    assert is_heading("## Why the grid is the bottleneck for every new campus")
    assert not is_heading("Crusoe's chief executive spoke about power, permits and the campus.")
    # A hash mark without a space is a word, not a heading's mark.
    assert not is_heading("#1 in the market, Nvidia sold more chips than anyone this year.")


def test_a_subject_line_is_a_heading() -> None:
    assert is_heading("Subject: Re: Kestrel site selection")
    assert is_heading("RE: Capex plan for the Reno campus, revised after the board meeting")
    assert not is_heading("Subject to approval, the Reno campus opens in June next year.")


def test_a_title_closing_on_a_bracket_is_a_heading() -> None:
    # Before, the closing bracket read as a sentence's close, and "When does the large load rule
    # take effect?" was answered with this title at 0.43.
    assert is_heading("Texas Utility Commission — Large Load Interconnection Rule (No. 58317)")
    assert is_heading("Nvidia Sells More Chips Than Anyone (Reuters)")
    assert not is_heading("He Said It Would Work (And It Did.)")
    assert not is_heading("The plant opened in 2024 (two years late)")


def test_a_quote_cut_at_a_names_initials_shows_the_name_whole() -> None:
    # Spans end at "C.C." (the decision was fitted on them); before, the quote did too.
    text = (
        '"We need capacity," said TSMC chairman C.C. Wei. They chose plan B. The firm agreed. '
        "J. R. Smith wrote."
    )
    quotes = [text[start : closed(text, start, end)] for start, end in sentence_spans(text)]
    assert quotes == [
        '"We need capacity," said TSMC chairman C.C. Wei.',
        "Wei.",
        # A sentence ending on a letter is no name's initials when "The", "It" … follows.
        "They chose plan B.",
        "The firm agreed.",
        "J. R. Smith wrote.",
        "R. Smith wrote.",
        "Smith wrote.",
    ]


def test_list_span_takes_heading_intro_and_bullets() -> None:
    text = "Growing Pains\nSeveral challenges remain:\n- High costs\n- Energy use\nNext paragraph."
    assert spans_text(text, list_spans(text)) == [
        "Growing Pains\nSeveral challenges remain:\n- High costs\n- Energy use"
    ]
    text = "A sentence ends here.\nDrivers are:\n- Cloud demand\n- Data growth\n- Chips\n"
    assert spans_text(text, list_spans(text)) == [
        "Drivers are:\n- Cloud demand\n- Data growth\n- Chips"
    ]
    assert list_spans("Only one:\n- item\nThen prose.") == []
    # A sentence introduces a numbered list as a colon's line does; the byline above it is no
    # heading of the list.
    text = (
        "*By Lena Ortiz*\nThese were the biggest deals.\n\n1. **OpenAI and Oracle.** A cloud "
        "contract.\n2. **Meta and Blue Owl.** A venture.\n"
    )
    assert spans_text(text, list_spans(text)) == [
        "These were the biggest deals.\n\n1. **OpenAI and Oracle.** A cloud contract.\n"
        "2. **Meta and Blue Owl.** A venture."
    ]
    # A heading right over the items introduces them: a Markdown one, or a line the article
    # marks (a Word heading, at its offset); a plain line is a page's keywords as often.
    text = "## Priorities\n- Finish Laramie\n- Start Ohio\nPriorities\n- Cut water\n- Hire\n"
    assert spans_text(text, list_spans(text)) == ["## Priorities\n- Finish Laramie\n- Start Ohio"]
    assert spans_text(text, list_spans(text, {text.rindex("Priorities\n-")})) == [
        "## Priorities\n- Finish Laramie\n- Start Ohio",
        "Priorities\n- Cut water\n- Hire",
    ]


def test_a_markdown_tables_rows_are_read_under_their_column_names() -> None:
    text = (
        "Intro.\n\n## Chips\n\n| Buyer | **Seller** | Value |\n|---|:---:|--:|\n"
        "| OpenAI | Broadcom | $10 billion |\n  | xAI | Nvidia | |\nAfter the table.\n"
    )
    table = (text.index("| Buyer"), text.index(" |\nAfter") + 2)
    assert table_rows(text) == [
        TableRow(
            text.index("| OpenAI"),
            text.index("\n  | xAI"),
            "Buyer: OpenAI; Seller: Broadcom; Value: $10 billion.",
            table,
            "Chips",
        ),
        TableRow(text.index("| xAI"), table[1], "Buyer: xAI; Seller: Nvidia.", table, "Chips"),
    ]
    rows = table_rows(text)
    assert rows[1].text == "Chips — Buyer: xAI; Seller: Nvidia."
    assert table_text(rows) == (
        "Chips — Buyer: OpenAI; Seller: Broadcom; Value: $10 billion. Buyer: xAI; Seller: Nvidia."
    )
    # Under a sentence, not a heading, a table has no caption; a row with more cells than the
    # header keeps the rest unnamed.
    assert [r.text for r in table_rows("Deals:\n| A | B |\n| --- | --- |\n| 1 | 2 | 3 |")] == [
        "A: 1; B: 2; 3."
    ]
    # Rows not ruled off under a header are values only (an HTML table without <th> cells); one
    # line between pipes is no table.
    assert [r.text for r in table_rows("Terms\n| ctxt | the context |\n| attrs | the first |")] == [
        "Terms — ctxt; the context.",
        "Terms — attrs; the first.",
    ]
    assert table_rows("| a lone line |\nText.") == []


def test_a_plain_texts_title_and_colon_head_a_list_but_not_across_a_blank_line() -> None:
    text = (
        "Release notes\n\nVersion 4.2 (November 2026):\n- Gang scheduling.\n- Preemption waits."
        "\n\nVersion 4.1 (August 2026):\n- MI355X support.\n- Longer timeouts.\n"
    )
    # Before, "Release notes", past a blank line, was taken for the first list's heading.
    assert spans_text(text, headed_lists(text)) == [
        "Version 4.2 (November 2026):\n- Gang scheduling.\n- Preemption waits.",
        "Version 4.1 (August 2026):\n- MI355X support.\n- Longer timeouts.",
    ]
    # A sentence introducing a list is no heading.
    text = "The board set out what it wants from the county before the vote on Tuesday in Lakeview:"
    text += "\n- A.\n- B."
    assert headed_lists(text) == []


def test_paragraph_spans_need_two_sentences() -> None:
    text = "One sentence only\nFirst here. Second here.\n"
    assert spans_text(text, paragraph_spans(text)) == ["First here. Second here."]
    # A bullet left after the last full stop was quoted as "… regions. -." before.
    text = "Space centers launch. They serve remote regions. -\nNext line."
    assert spans_text(text, paragraph_spans(text)) == [
        "Space centers launch. They serve remote regions."
    ]


def test_terms_fold_forms_and_drop_stopwords() -> None:
    assert terms("Nscale raised $2,000 million and is raising more") == [
        "nscal",
        "rais",
        "2000",
        "million",
        "rais",
    ]
    assert stem("companies") == stem("company") == "company"


def test_sparse_vectors_are_stable_bm25_weights() -> None:
    indices, values = sparse.encode_documents(["chips chips power"])
    weights = dict(zip(indices[0], values[0], strict=True))
    norm = sparse.K1 * (1 - sparse.B + sparse.B * 3 / sparse.AVG_TERMS)
    assert weights[sparse.term_id("chip")] == 2 * (sparse.K1 + 1) / (2 + norm)
    assert weights[sparse.term_id("power")] == (sparse.K1 + 1) / (1 + norm)
    assert sparse.term_id("chip") == 707378363  # crc32: the same in every process
    q_indices, q_values = sparse.encode_queries(["chips and chips?"])
    assert q_indices == [[sparse.term_id("chip")]] and q_values == [[1.0]]


def test_a_short_labelled_sentence_is_no_heading() -> None:
    assert not is_heading("Absent: Councillor Joan Pike.")
    assert is_heading("He died.")
    assert is_heading("Politics: U.N.")
    assert is_heading("Best regards,")


def test_a_quote_is_widened_to_the_bold_marks_it_holds_one_of() -> None:
    text = "- **June 2025** — Construction begins.\n- **Hyperscaler.** A cloud."
    start = text.index("June")
    assert text[slice(*emphasised(text, start, text.index("\n")))] == (
        "**June 2025** — Construction begins."
    )
    # At the text's start there is nothing before it to take, though the text ends in marks.
    assert emphasised("A** b **c**", 0, 5) == (0, 5)
    # A quote holding both marks, or none, keeps its span.
    assert text[2:15] == "**June 2025**" and emphasised(text, 2, 15) == (2, 15)
    assert emphasised(text, text.index("A cloud"), len(text)) == (text.index("A cloud"), len(text))
