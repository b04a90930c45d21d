"""A quote dated otherwise than the year asked is declined, and says which year it is about."""

from __future__ import annotations

from pathlib import Path

from rag.answering.years import Stretch, other_year, stretches
from rag.engine import Engine
from tests.fixtures import ACME_PROFILE, NSCALE_SOURCE, ingest_note


def test_stretches_read_years_decades_and_centuries() -> None:
    assert stretches("From the 1960s to 1972, and in the 17th century; 1600s.") == [
        Stretch("1960s", 1960, 1969),
        Stretch("1972", 1972, 1972),
        Stretch("17th century", 1600, 1699),
        Stretch("1600s", 1600, 1699),
    ]
    assert stretches("between 2020 and 2025; 2003–04") == [
        Stretch("between 2020 and 2025", 2020, 2025),
        Stretch("2020", 2020, 2020),
        Stretch("2025", 2025, 2025),
        Stretch("2003", 2003, 2003),
        Stretch("2003–04", 2003, 2004),
    ]
    # Thousands written with a comma, and amounts, are no years.
    assert stretches("2,000 buildings, 300 blocks, $1500 and 1200% more") == []


def test_other_year_needs_a_quote_dated_otherwise() -> None:
    endowment = "In December 2008, Harvard announced that its endowment had lost 22%."
    assert other_year("What was the Harvard endowment in 2011?", [endowment]) == ("2008", "2011")
    assert other_year("What did the endowment lose in 2008?", [endowment]) is None
    # A decade or a century asked meets a year within it.
    assert other_year("What did Harvard announce in the 2000s?", [endowment]) is None
    mayors = "Huguenots served as mayors in Dublin in the 17th and 18th centuries, as in 1696."
    assert other_year("Which cities had Huguenot mayors in the 1600s?", [mayors]) is None
    # A year within a range asked meets it.
    invested = ["In 2023, Acme invested $5 billion."]
    assert other_year("How much did Acme invest between 2020 and 2025?", invested) is None
    assert other_year("How much did Acme invest from 2024 to 2026?", invested) == (
        "2023",
        "from 2024 to 2026",
    )
    # A quote stating no year is dated by its passage and article title, else left to the
    # decision; so is a question asking none.
    large = ["Harvard's endowment is large."]
    assert other_year("What was the endowment in 2011?", large) is None
    assert other_year("What was the endowment in 2011?", large, ["Harvard in 2008"]) == (
        "2008",
        "2011",
    )
    assert other_year("What was the endowment in 2008?", large, ["Harvard in 2008"]) is None
    assert other_year("What did Harvard announce?", [endowment]) is None


def test_the_lead_sentence_dates_a_quote_and_a_change_its_later_year() -> None:
    # Before: the runner-up quoted for the name ("2025 was the year …") dated 2026's spending.
    spending = [
        "We expect capital spending of about $3.5 billion in 2026.",
        "2025 was the year Northwind became a national cloud provider.",
    ]
    assert other_year("How much did Northwind spend in 2025?", spending) == ("2026", "2025")
    assert other_year("How much will Northwind spend in 2026?", spending) is None
    # A quote stating no year is dated by its article's title first, then by its passage.
    report = ["Northwind Compute — 2025 annual report"]
    ebitda = ["Adjusted EBITDA was $610 million."]
    passage = ["Net loss narrowed from $340 million in 2024. Adjusted EBITDA was $610 million."]
    assert other_year("What was adjusted EBITDA in 2024?", ebitda, passage, report) == (
        "2025",
        "2024",
    )
    assert other_year("What was adjusted EBITDA in 2024?", ebitda, passage) is None
    # Before: declined as "about 2024"; a change measured from 2024 tells of the report's year.
    loss = ["Net loss narrowed to $180 million from $340 million in 2024."]
    assert other_year("What was the net loss in 2025?", loss, report) is None
    assert other_year("What was the net loss in 2024?", loss, report) is None
    assert other_year("What was the net loss in 2023?", loss, report) == ("2024", "2023")


def test_a_year_the_quote_does_not_state_is_declined(engine: Engine, tmp_path: Path) -> None:
    ingest_note(engine, tmp_path / "acme.txt", ACME_PROFILE)
    # Before, the 2025 raise answered "in 2023" as it answers "in 2025".
    answer = engine.ask("How much did Acme Robotics raise in 2023?")
    assert (answer.declined, answer.text) == (
        True,
        "The articles don't say: the closest passage is about 2025, not 2023.",
    )
    assert engine.ask("How much did Acme Robotics raise in 2025?").text == (
        "In 2025 Acme Robotics raised $120 million from Granite Ventures to expand its factory. [1]"
    )


def test_a_year_only_the_article_title_states_dates_the_quote(seeded: Engine) -> None:
    # 004's title opens "The 2026 AI Infrastructure Surge"; the sentence says no year. Before,
    # "in 2026" was declined (a number asked that no passage held) and "in 2019" answered.
    answer = seeded.ask("How much did Nscale raise in 2026?")
    assert (answer.declined, answer.citations[0].source, answer.citations[0].text) == (
        False,
        NSCALE_SOURCE,
        "Nscale, a startup backed by Nvidia, has raised $2 billion—bringing its valuation to "
        "$14.6 billion—to scale AI deployment pipelines at both data center and edge levels.",
    )
    answer = seeded.ask("How much did Nscale raise in 2019?")
    assert (answer.declined, answer.text) == (
        True,
        "The articles don't say: the closest passage is about 2026, not 2019.",
    )
