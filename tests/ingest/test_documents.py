"""Loading each supported file type, titles, and the reasons bad files are refused."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rag.errors import DocumentError
from rag.ingest.loaders import derive_title, load_document
from rag.ingest.pdf_tables import with_tables
from rag.ingest.reflow import unwrapped
from tests.fixtures import SEEDS
from tests.fixtures.documents import (
    MARKET_REPORT,
    MARKETS,
    make_docx,
    make_pdf,
    make_wrapped_pdf,
)


def test_seed_titles_are_derived_from_the_text() -> None:
    titles = {p.name: load_document(p).title for p in sorted(SEEDS.glob("*.txt"))}
    assert titles["001_a3f1d0892a604dd0.txt"] == (
        "The 2026 AI Infrastructure Boom: Capital, Technology, and Strategic Resilience"
    )
    assert titles["002_c3ddb7734e976afc.txt"] == (
        "Trend Analysis: Artificial Intelligence Infrastructure Funding"
    )
    assert titles["000_b421b52a77080e52.txt"] == (
        "AI infrastructure growth is accelerating in 2026 as Anthropic nears a major "
        "Wall Street-backed venture"
    )


def test_txt_keeps_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Line one of the note.\nLine two.\n", encoding="utf-8")
    doc = load_document(path)
    assert doc.text == "Line one of the note.\nLine two.\n"
    assert doc.source == "note.txt"
    assert doc.title == "Line one of the note"


def test_markdown_title_from_heading(tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text("# Fusion power for data centers\n\nHelion signed a deal.\n", encoding="utf-8")
    assert load_document(path).title == "Fusion power for data centers"


def test_an_underlined_markdown_heading_is_a_title_and_a_section(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    text = (
        "Kestrel upgrade plan\n====================\n\nPhase 1 (Q1 2027)\n-----------------\n"
        "- Replace the H100 nodes.\n- Upgrade the spine.\n---\n"
    )
    path.write_text(text, encoding="utf-8")
    doc = load_document(path)
    # An item over a rule ("- Upgrade the spine.\n---") heads no section.
    assert (doc.title, doc.sections) == (
        "Kestrel upgrade plan",
        ((0, "Kestrel upgrade plan"), (text.index("Phase 1"), "Phase 1 (Q1 2027)")),
    )


def test_html_text_and_title(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Chip news</title><script>alert(1)</script></head>"
        "<body><h1>Heading</h1><p>Acme raised $3 billion.</p></body></html>",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.title == "Chip news"
    assert doc.text == "Heading\nAcme raised $3 billion."


def test_pdf_text_and_title(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    make_pdf(path, ["Quantum cooling startup Frostbyte raised $40 million."], title="Frostbyte")
    doc = load_document(path)
    assert doc.title == "Frostbyte"
    assert "Frostbyte raised $40 million." in doc.text


def test_a_pdfs_wrapped_paragraphs_are_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    make_wrapped_pdf(path, "Market report", MARKET_REPORT)
    # Before, each line as the page wrapped it was a line of the text, and so a sentence's end.
    assert load_document(path).text == (
        "Quarterly Data Center Market Report\n"
        "Global data center construction spending reached $98 billion in the third quarter of "
        "2026, up 34% from a year earlier. North America accounted for 61% of the total, and "
        "Asia Pacific for 24%.\n"
        "Power\n"
        "Grid connection queues in Northern Virginia now exceed seven years. Operators are "
        "turning to on-site gas turbines and fuel cells; Bloom Energy said it had signed 1.4 "
        "gigawatts of fuel-cell orders with data center developers this year."
    )


def test_a_pdfs_table_is_read_as_markdown_rows(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    make_wrapped_pdf(path, "Market report", MARKET_REPORT[:2], MARKETS)
    # Before, pypdf gave a cell a line ("Dallas", "2.1 GW", "2.4%"), and no row held together.
    assert load_document(path).text.split("\n")[-5:] == [
        "| Market | Under construction | Vacancy |",
        "| --- | --- | --- |",
        "| Northern Virginia | 5.9 GW | 0.9% |",
        "| Dallas | 2.1 GW | 2.4% |",
        "| Phoenix | 1.8 GW | 1.7% |",
    ]


def test_a_page_whose_text_lies_off_its_paper_is_not_laid_out(tmp_path: Path) -> None:
    path = tmp_path / "far.pdf"
    # Laid out, each "x" 100,000 points further right cost 10,000 spaces: 20 million characters
    # in 0.9 s for 2,000 of them. Such a page keeps its table's cells a line each.
    make_wrapped_pdf(path, "Market report", MARKET_REPORT[:2], MARKETS, far=2000)
    text = load_document(path).text
    assert ("| Dallas |" in text, "\nDallas\n2.1 GW\n2.4%\n" in text) == (False, True)


def test_a_page_is_laid_out_again_only_for_a_run_of_cells() -> None:
    def never() -> str:
        raise AssertionError("laid out again")

    prose = "A paragraph.\nAnother paragraph, with a comma.\nShort line"
    assert with_tables(prose, never) == prose
    cells = "Intro.\nMarket\nVacancy\nDallas\n2.4%\nPhoenix\n1.7%\nAfter."
    assert with_tables(cells, lambda: "Market    Vacancy\nDallas    2.4%\nPhoenix   1.7%") == (
        "Intro.\n| Market | Vacancy |\n| --- | --- |\n| Dallas | 2.4% |\n| Phoenix | 1.7% |\nAfter."
    )
    # Cells the text does not give in the layout's order are left as they are.
    assert with_tables(cells, lambda: "Market    Vacancy\nPhoenix   1.7%\nDallas    2.4%") == cells


def test_lines_are_rejoined_only_where_a_paragraph_runs_on() -> None:
    page = (
        "Rents for large wholesale deployments rose 12% over the year, the fastest since\n"
        "2015. Vacancy fell to a record low of 1.6% in primary markets, the report said.\n"
        "Short last line.\n"
        "Table cell\n"
        "lower-case cell\n"
        "A long line that ends its sentence and its paragraph at the margin, full stop.\n"
        "Operators turning to power lines of every kind, from gas turbines to fuel-\n"
        "cells and batteries."
    )
    assert unwrapped(page).split("\n") == [
        "Rents for large wholesale deployments rose 12% over the year, the fastest since 2015. "
        "Vacancy fell to a record low of 1.6% in primary markets, the report said.",
        "Short last line.",
        # A short line ran short of the margin: a lower-case line after it is a line of its own.
        "Table cell",
        "lower-case cell",
        # A full line ending its sentence before a capital ends its paragraph.
        "A long line that ends its sentence and its paragraph at the margin, full stop.",
        # A word broken at the margin's hyphen is joined without a space.
        "Operators turning to power lines of every kind, from gas turbines to fuel-cells and "
        "batteries.",
    ]


def test_docx_text_and_title(tmp_path: Path) -> None:
    path = tmp_path / "memo.docx"
    make_docx(path, "Grid upgrades", ["Utilities plan 12 GW of new capacity.", "Second paragraph."])
    doc = load_document(path)
    assert doc.title == "Grid upgrades"
    assert doc.text == "Grid upgrades\nUtilities plan 12 GW of new capacity.\nSecond paragraph."


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty.txt: the file is empty"),
        ("blank.md", b"  \n\n ", "blank.md: the file is empty"),
        ("binary.txt", b"\x00\x01\x02binary\x00", "binary.txt: looks like a binary file, not text"),
        (
            "latin1.txt",
            "Caf\u00e9 prices".encode("latin-1"),
            "latin1.txt: not valid UTF-8 (byte 0xe9 at offset 3); "
            "save it as UTF-8 and ingest again",
        ),
    ],
)
def test_unusable_text_files_name_the_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert str(caught.value) == reason


def test_corrupt_pdf_is_refused_with_only_its_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(DocumentError, match=r"^broken\.pdf: not a readable PDF"):
        load_document(path)
    # pypdf's own complaints ("EOF marker not found") would reach the terminal beside ours.
    assert [r.getMessage() for r in caplog.records] == []


def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(DocumentError, match=r"^broken\.docx: not a readable \.docx file"):
        load_document(path)


def test_long_first_line_title_is_cut() -> None:
    text = " ".join(f"word{i}" for i in range(30)) + ".\nMore."
    assert derive_title(text) == " ".join(f"word{i}" for i in range(16)) + "…"


@pytest.mark.parametrize(
    "top",
    [
        "By Maria Lopez | July 2, 2026",
        "By Jo Ann Smith and Li Wei",
        "July 2, 2026",
        "Monday, March 3, 2026",
        "Updated: 3 March 2026",
        "2026-07-02 09:30 UTC",
        "*By Kenji Sato — April 14, 2026*",
        # An invitation's fields: their figures read as a title's capitals.
        "When: Thursday, January 14, 2027, 10:00 to 12:00 Mountain Time",
        "Where: Conference Room 3, 4400 Farm Road 17",
    ],
)
def test_a_byline_or_date_line_is_not_the_title(top: str) -> None:
    # Capitalised like a Title Case headline, each outscored the sentence-case one.
    headline = "Oracle signs $30 billion cloud deal as data center spending climbs"
    assert derive_title(f"{headline}\n\n{top}\n\nAUSTIN, Texas — Oracle said on Wednesday.") == (
        headline
    )
    assert derive_title(f"{top}\n{headline}\nOracle said on Wednesday.") == headline
    # A headline opening with "By" and a number is no byline; a text of a byline alone keeps it.
    assert derive_title("By 2030, Data Centers Will Use 9% of Power\nText.") == (
        "By 2030, Data Centers Will Use 9% of Power"
    )
    assert derive_title("By Maria Lopez\n") == "By Maria Lopez"


def test_a_block_of_fields_is_not_the_title() -> None:
    # Before: "Organizer: Maya Lindqvist, corporate secretary", capitalised and with a colon,
    # outscored the invitation's own first line.
    invitation = (
        "Board meeting: approval of the Penang expansion\n\n"
        "Organizer: Maya Lindqvist, corporate secretary\n"
        "Attendees: Board of Directors, General Counsel\n\n"
        "Please confirm attendance by January 7.\n"
    )
    assert derive_title(invitation) == "Board meeting: approval of the Penang expansion"
    # A headline with a label of its own, alone on its line, is still one.
    assert derive_title("Q&A: Crusoe's Chief Executive On Power\n\nText: more text.") == (
        "Q&A: Crusoe's Chief Executive On Power"
    )


def test_a_speakers_label_is_not_the_title() -> None:
    # Capitalised and with a colon, the label outscored the sentence-case headline.
    assert (
        derive_title(
            "Nvidia Q3 fiscal 2027 earnings call transcript\n\n"
            "Operator: Good afternoon.\n\n"
            "Colette Kress, Executive Vice President and Chief Financial Officer:\n"
            "Revenue for the third quarter was $68 billion.\n"
        )
        == "Nvidia Q3 fiscal 2027 earnings call transcript"
    )
    # A colon inside a headline is still a headline's.
    assert derive_title("Q&A: Crusoe's Chief Executive On Power\n\nText.") == (
        "Q&A: Crusoe's Chief Executive On Power"
    )


def test_a_title_is_never_longer_than_a_line(tmp_path: Path) -> None:
    path = tmp_path / "nospace.txt"
    path.write_text("Nospace Corp will invest 7 billion. " + "A" * 50_000, encoding="utf-8")
    assert load_document(path).title == "Nospace Corp will invest 7 billion. " + "A" * 84 + "…"
    spaced = tmp_path / "spaced.md"
    spaced.write_text("# " + " ".join(["headline"] * 30) + "\n\nBody.", encoding="utf-8")
    assert load_document(spaced).title == " ".join(["headline"] * 13) + "…"
