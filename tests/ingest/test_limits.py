"""Hostile files, made on the spot, refused by the limit they break, named with its setting."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from rag.engine import Engine
from rag.errors import DocumentError, DocumentLimitError
from rag.ingest.limits import ReadLimits
from rag.ingest.loaders import load_document
from tests.fixtures import make_settings
from tests.fixtures.hostile import (
    dense_html,
    huge_text_pdf,
    many_entries_docx,
    many_pages_pdf,
    one_paragraph_docx,
    text_page,
    write_docx,
    write_pdf,
    zip_bomb_docx,
)


def refusal(path: Path, limits: ReadLimits | None = None) -> str:
    with pytest.raises(DocumentLimitError) as caught:
        load_document(path, limits)
    return str(caught.value)


def test_the_issues_zip_bomb_is_refused_by_its_unpacked_size(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    zip_bomb_docx(path, unpacked_mb=197)
    assert path.stat().st_size < 700_000  # the issue's: 669 KB
    assert refusal(path) == (
        "bomb.docx: 197.0 MB unpacked is over the 25 MB limit (RAG_INGEST__MAX_UNZIPPED_MB)"
    )


def test_a_docx_that_packs_too_well_is_refused_by_its_ratio(tmp_path: Path) -> None:
    path = tmp_path / "packed.docx"
    zip_bomb_docx(path, unpacked_mb=20)
    info = zipfile.ZipFile(path).getinfo("word/document.xml")
    ratio = info.file_size / info.compress_size
    assert ratio > 100
    assert refusal(path) == (
        f"packed.docx: word/document.xml unpacking to {ratio:,.0f} times its packed size is "
        "over the 100× limit (RAG_INGEST__MAX_ZIP_RATIO)"
    )


def test_a_docx_of_too_many_entries_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.docx"
    many_entries_docx(path, 1001)
    assert refusal(path) == (
        "many.docx: 1,001 entries in the archive is over the 1,000 entry limit "
        "(RAG_INGEST__MAX_ZIP_ENTRIES)"
    )
    many_entries_docx(path, 1000)
    assert load_document(path).text == "Short."


def test_docx_text_is_counted_as_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "long.docx"
    paragraph = b"<w:p><w:r><w:t>" + b"x" * 99 + b"</w:t></w:r></w:p>"
    write_docx(path, iter([paragraph] * 30))
    assert refusal(path, ReadLimits(max_text_chars=2_000)) == (
        "long.docx: its text (2,079 characters so far) is over the 2,000 character limit "
        "(RAG_INGEST__MAX_TEXT_MB)"
    )
    assert len(load_document(path, ReadLimits(max_text_chars=2_970)).text) == 30 * 99 + 29


def test_a_paragraph_of_a_million_empty_runs_costs_no_tree(tmp_path: Path) -> None:
    # Within the limits but with no text: read to its end, then refused for having none.
    path = tmp_path / "runs.docx"
    one_paragraph_docx(path, unpacked_mb=6)
    with pytest.raises(DocumentError) as caught:
        load_document(path, ReadLimits(max_zip_ratio=10_000))
    assert str(caught.value) == "runs.docx: no text could be extracted"


def test_a_pdf_declaring_too_many_pages_is_refused_before_they_are_read(tmp_path: Path) -> None:
    path = tmp_path / "pages.pdf"
    many_pages_pdf(path, 2001)
    assert refusal(path) == (
        "pages.pdf: 2,001 pages is over the 2,000 page limit (RAG_INGEST__MAX_PDF_PAGES)"
    )


def test_a_pdf_understating_its_pages_is_refused_by_the_page_tree(tmp_path: Path) -> None:
    path = tmp_path / "lying.pdf"
    many_pages_pdf(path, 200, declared=1)
    # The walk stops at twice the limit and 100 (room for the tree's inner nodes)...
    assert refusal(path, ReadLimits(max_pdf_pages=20)) == (
        "lying.pdf: more than 20 pages is over the 20 page limit (RAG_INGEST__MAX_PDF_PAGES)"
    )
    # ...so a tree within that room is counted whole, and refused by its count.
    assert refusal(path, ReadLimits(max_pdf_pages=199)) == (
        "lying.pdf: 200 pages is over the 199 page limit (RAG_INGEST__MAX_PDF_PAGES)"
    )
    assert len(load_document(path, ReadLimits(max_pdf_pages=200)).pages) == 200


def test_a_pdf_page_that_unpacks_to_a_huge_text_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "text.pdf"
    huge_text_pdf(path, pages=3, chars_per_page=2_000_000)
    assert refusal(path) == (
        "text.pdf: page 1's content unpacking to 406 times its packed size is over the 100× "
        "limit (RAG_INGEST__MAX_ZIP_RATIO)"
    )


def test_pdf_text_is_counted_page_by_page(tmp_path: Path) -> None:
    path = tmp_path / "pages.pdf"
    write_pdf(path, [text_page(f"Page {n} " + "y" * 90) for n in range(1, 11)])
    assert refusal(path, ReadLimits(max_text_chars=500)) == (
        "pages.pdf: its text (582 characters so far) is over the 500 character limit "
        "(RAG_INGEST__MAX_TEXT_MB)"
    )


def test_html_over_its_size_limit_is_refused_unparsed(tmp_path: Path) -> None:
    path = tmp_path / "dense.html"
    dense_html(path, 2.1)
    assert refusal(path) == (
        "dense.html: 2.1 MB of HTML is over the 2 MB limit (RAG_INGEST__MAX_HTML_MB)"
    )


def test_html_text_is_counted_as_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<p>" + "word " * 100 + "</p>" * 2 + "<p>more</p>" * 50, encoding="utf-8")
    assert refusal(path, ReadLimits(max_text_chars=600)) == (
        "page.html: its text (603 characters so far) is over the 600 character limit "
        "(RAG_INGEST__MAX_TEXT_MB)"
    )


def test_plain_text_over_the_text_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n\n" + "z" * 1000, encoding="utf-8")
    assert refusal(path, ReadLimits(max_text_chars=1000)) == (
        "notes.md: its text (1,009 characters so far) is over the 1,000 character limit "
        "(RAG_INGEST__MAX_TEXT_MB)"
    )


def test_settings_set_the_limits(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path / "index",
        ingest={
            "max_unzipped_mb": 1.5,
            "max_zip_entries": 9,
            "max_zip_ratio": 7,
            "max_pdf_pages": 3,
            "max_html_mb": 0.5,
            "max_text_mb": 0.25,
        },
    )
    assert ReadLimits.from_settings(settings.ingest) == ReadLimits(
        max_bytes=20_000_000,
        max_unzipped_bytes=1_500_000,
        max_zip_entries=9,
        max_zip_ratio=7,
        max_pdf_pages=3,
        max_html_bytes=500_000,
        max_text_chars=250_000,
    )


def test_an_ingest_names_each_hostile_file_and_keeps_the_good_one(
    tmp_path: Path, embed_model: Any
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("Acme raised $3 billion for chips.\n", encoding="utf-8")
    zip_bomb_docx(folder / "bomb.docx", unpacked_mb=60)
    many_pages_pdf(folder / "pages.pdf", 2500)
    dense_html(folder / "dense.html", 0.2)
    settings = make_settings(tmp_path / "index", ingest={"max_html_mb": 0.1})
    with Engine.open(settings, embed_model) as engine:
        report = engine.ingest([folder])
        assert [a[0] for a in engine.status().articles] == ["good.txt"]
    assert report.added == ["good.txt"]
    assert dict(report.failed) == {
        "bomb.docx": "60.0 MB unpacked is over the 25 MB limit (RAG_INGEST__MAX_UNZIPPED_MB)",
        "pages.pdf": "2,500 pages is over the 2,000 page limit (RAG_INGEST__MAX_PDF_PAGES)",
        "dense.html": "0.2 MB of HTML is over the 0.1 MB limit (RAG_INGEST__MAX_HTML_MB)",
    }
