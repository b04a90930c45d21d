"""Citations say where the quote is: the PDF page, or the nearest heading of a document."""

from __future__ import annotations

from pathlib import Path

import docx

from rag.engine import Engine
from rag.ingest.loaders import load_document
from tests.fixtures.documents import ZEPHYR, make_paged_pdf


def test_pdf_pages_are_located_in_the_text(tmp_path: Path) -> None:
    make_paged_pdf(tmp_path / "notes.pdf")
    doc = load_document(tmp_path / "notes.pdf")
    assert [page for _, page in doc.pages] == [1, 2, 3, 4]
    assert doc.empty_pages == (2,)
    page3 = dict((p, o) for o, p in doc.pages)[3]
    assert doc.text[page3:].startswith("Zephyr Grid raised $7.5 billion")


def test_a_pdf_citation_names_its_page_and_scanned_pages_are_reported(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    make_paged_pdf(folder / "notes.pdf")
    report = engine.ingest([folder])
    assert report.added == ["notes.pdf"]
    assert report.notes == [("notes.pdf", "no text on page(s) 2 (scanned images?)")]
    answer = engine.ask(ZEPHYR)
    assert not answer.declined
    cited = answer.citations[0]
    assert cited.text == "Zephyr Grid raised $7.5 billion to build solar farms in Chile."
    assert (cited.page, cited.section, cited.place) == (3, None, "p. 3")
    assert answer.to_dict()["citations"][0]["page"] == 3


def test_markdown_and_docx_citations_name_their_section(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "outlook.md").write_text(
        "# Energy brief\n\nIntro text about the sector and its many players.\n\n"
        "## Market outlook\n\nHelion will supply 50 MW of fusion power to Microsoft from 2028.\n",
        encoding="utf-8",
    )
    document = docx.Document()
    document.add_heading("Chip supply", level=0)
    document.add_heading("Foundry capacity", level=1)
    document.add_paragraph("Terafab plans 40,000 wafer starts a month at its Texas fab.")
    document.save(str(folder / "chips.docx"))
    assert engine.ingest([folder]).ok
    fusion = engine.ask("How much fusion power will Helion supply to Microsoft?").citations[0]
    assert (fusion.source, fusion.section, fusion.page) == ("outlook.md", "Market outlook", None)
    assert fusion.place == "§ Market outlook"
    wafers = engine.ask("How many wafer starts a month does Terafab plan?").citations[0]
    assert (wafers.source, wafers.section) == ("chips.docx", "Foundry capacity")
