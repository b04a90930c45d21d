"""The streamed readers give the text the tree-building libraries gave, so citations hold."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement

from rag.errors import DocumentError
from rag.ingest.loaders import load_document
from tests.fixtures.documents import add_docx_table
from tests.fixtures.hostile import write_docx
from tests.fixtures.reference_readers import beautiful_soup_reading, python_docx_reading


def test_docx_reads_as_python_docx_read_it(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Grid upgrades", 0)
    document.add_paragraph("Utilities plan 12 GW\tof new capacity.")
    document.add_heading("Where the money goes", 1)
    runs = document.add_paragraph("Line one")
    run = runs.add_run(" and more")
    run.add_break()
    run.add_text("after a line break")
    run.add_break(WD_BREAK.PAGE)
    run.add_text("after a page break")
    document.add_paragraph("")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "Only in a table."
    linked = document.add_paragraph("See ")
    link = OxmlElement("w:hyperlink")
    link_run = OxmlElement("w:r")
    link_text = OxmlElement("w:t")
    link_text.text = "the filing"
    link_run.append(link_text)
    link.append(link_run)
    linked._p.append(link)
    document.add_heading("Risks", 2)
    quoted = document.add_paragraph("Unknown style id")
    quoted._p.get_or_add_pPr().style = "NoSuchStyle"
    document.add_paragraph("Closing words.", style="Quote")
    path = tmp_path / "memo.docx"
    document.save(str(path))
    doc = load_document(path)
    assert (doc.text, doc.title, doc.sections) == python_docx_reading(path)
    assert doc.text == (
        "Grid upgrades\nUtilities plan 12 GW\tof new capacity.\nWhere the money goes\n"
        "Line one and more\nafter a line breakafter a page break\nOnly in a table.\n"
        "See the filing\nRisks\nUnknown style id\nClosing words."
    )
    # Word's Title heads the text as a Heading does.
    assert doc.sections == ((0, "Grid upgrades"), (52, "Where the money goes"), (160, "Risks"))


def test_docx_tables_of_data_are_read_as_markdown_rows(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Nebius results.")
    table = add_docx_table(
        document,
        [
            ["Metric", "Q2 2026", "Q2 2025"],
            ["Revenue", "$412 million", ""],
            ["EBITDA", "$58", "-$60"],
        ],
    )
    # The first row repeats on each page: Word's mark of a header row.
    header = OxmlElement("w:tblHeader")
    table.rows[0]._tr.get_or_add_trPr().append(header)
    table.cell(2, 0).add_paragraph("adjusted")
    add_docx_table(document, [["ctxt", "the context"], ["attrs", "the | first"]])
    layout = document.add_table(rows=2, cols=2)
    layout.cell(0, 0).text = "word " * 70
    layout.cell(1, 1).text = "beside"
    path = tmp_path / "results.docx"
    document.save(str(path))
    doc = load_document(path)
    assert (doc.text, doc.sections) == python_docx_reading(path)[::2]
    assert doc.title == "Nebius results"
    # Before, a table's text was not read at all. A cell's paragraphs are read as one line; a
    # cell too long lays the page out, and its cells are read as paragraphs.
    assert doc.text.split("\n") == [
        "Nebius results.",
        "| Metric | Q2 2026 | Q2 2025 |",
        "|---|---|---|",
        "| Revenue | $412 million |  |",
        "| EBITDA adjusted | $58 | -$60 |",
        "| ctxt | the context |",
        "| attrs | the / first |",
        "word " * 70,
        "beside",
    ]


def test_an_unmarked_first_row_of_words_over_numbers_names_the_columns(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Our sites.")
    sites = [["Site", "Capacity (MW)", "Status"], ["Reno", "210", "Operating"], ["Ohio", "", "TBD"]]
    pairs = [["Chief executive", "Maya Lindqvist"], ["Founded", "2019"]]
    for rows in (sites, pairs):
        add_docx_table(document, rows)
    path = tmp_path / "sites.docx"
    document.save(str(path))
    # Before, with no w:tblHeader mark, the rows were read with no column names: "Reno; 210;
    # Operating". A first row holding a number, over no column of numbers or of two cells (a
    # label and its value) names nothing.
    assert load_document(path).text.split("\n") == [
        "Our sites.",
        "| Site | Capacity (MW) | Status |",
        "|---|---|---|",
        "| Reno | 210 | Operating |",
        "| Ohio |  | TBD |",
        "| Chief executive | Maya Lindqvist |",
        "| Founded | 2019 |",
    ]
    page = tmp_path / "sites.html"
    page.write_text(
        "<table><tr><td>Year</td><td>Revenue</td><td>Margin</td></tr><tr><td>2025</td>"
        "<td>$1.9 billion</td><td>43%</td></tr><tr><td>2024</td><td>n/a</td><td>38%</td></tr>"
        "</table>",
        encoding="utf-8",
    )
    assert load_document(page).text.split("\n") == [
        "| Year | Revenue | Margin |",
        "|---|---|---|",
        "| 2025 | $1.9 billion | 43% |",
        "| 2024 | n/a | 38% |",
    ]


def test_a_word_lists_items_are_marked_as_markdowns_are(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Priorities", 1)
    document.add_paragraph("Finish Laramie.", style="List Bullet")
    document.add_paragraph("Start Ohio.", style="List Number")
    document.add_paragraph("Thank you.")
    path = tmp_path / "list.docx"
    document.save(str(path))
    doc = load_document(path)
    # Before, Word's bullets, which are numbering and not text, left the items plain lines.
    assert doc.text == "Priorities\n- Finish Laramie.\n- Start Ohio.\nThank you."
    assert (doc.text, doc.sections) == python_docx_reading(path)[::2]


def test_a_pages_lines_are_its_blocks_not_its_source_lines(tmp_path: Path) -> None:
    markup = (
        "<h2>Cheap power,\n  cold air</h2><p>Vela has\n   raised <b>$600</b>\n"
        "million.<br>New line&nbsp;here.</p><pre>keep\n  these lines</pre>"
        "<ul><li><p>First item</p><p>its second line</p></li><li>Second</li></ul>"
    )
    path = tmp_path / "wrapped.html"
    path.write_text(markup, encoding="utf-8")
    doc = load_document(path)
    # Before, each source line was a line: "Vela has", "raised", "$600", "million.".
    assert doc.text.split("\n") == [
        "Cheap power, cold air",
        "Vela has raised $600 million.",
        "New line\xa0here.",
        "keep",
        "these lines",
        "- First item",
        "its second line",
        "- Second",
    ]
    assert doc.sections == ((0, "Cheap power, cold air"),)
    text, _, headings = beautiful_soup_reading(markup)
    assert (doc.text, [h for _, h in doc.sections]) == (text, headings)


def test_a_descriptions_first_line_is_led_by_its_term(tmp_path: Path) -> None:
    markup = (
        "<dl><dt>Investment</dt>\n<dd>$12 billion\n over <b>six</b> years</dd><dd>in stages</dd>"
        "<dt>First<br>power</dt><dd>Late 2027</dd><dt>Cooling</dt> stray <dd>Liquid</dd></dl>"
    )
    path = tmp_path / "facts.html"
    path.write_text(markup, encoding="utf-8")
    # Before, a fact sheet's term and its description were lines apart: "Investment", "$12
    # billion". A term of two lines, or one parted from its description, leads nothing.
    assert load_document(path).text.split("\n") == [
        "Investment: $12 billion over six years",
        "in stages",
        "First",
        "power",
        "Late 2027",
        "Cooling",
        "stray",
        "Liquid",
    ]
    assert load_document(path).text == beautiful_soup_reading(markup)[0]


def test_docx_core_title_wins_over_the_title_paragraph(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Filed title"
    document.add_heading("Shown title", 0)
    document.add_paragraph("Body.")
    path = tmp_path / "titled.docx"
    document.save(str(path))
    assert load_document(path).title == "Filed title" == python_docx_reading(path)[1]


def test_a_zip_that_is_not_a_word_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sheet.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert str(caught.value) == "sheet.docx: not a readable .docx file (no Word document in it)"


def test_broken_docx_xml_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "cut.docx"
    write_docx(path, iter([b"<w:p><w:r><w:t>cut off"]))
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert str(caught.value).startswith("cut.docx: not a readable .docx file (")


NEWS_PAGE = (
    "<html><head><title>Orbit Labs raises $300 million | Daily Wire</title></head><body>"
    "<header><a href='/'>Daily Wire</a><nav><a>Home</a> | <a>Tech</a></nav></header>"
    "<main><article><header><h1>Orbit Labs raises $300 million</h1></header>"
    "<p>Orbit Labs raised $300 million in a round led by Helios Capital.</p>"
    "<aside>Related: <a>Chip stocks fall</a></aside>"
    "<p>Chief executive Dana Reyes said: “Space is the next frontier.”</p>"
    "<form><button>Subscribe now!</button></form></article></main>"
    "<footer>© 2026 Daily Wire. All rights reserved.</footer></body></html>"
)

TABLES_PAGE = (
    "<html><body><h2>Chips</h2><table><caption>Chip deals</caption><thead><tr><th>Buyer</th>"
    "<th>Seller</th><th>Value</th></tr></thead><tbody><tr><td>OpenAI</td><td>Broad<b>com</b></td>"
    "<td>$10 billion</td></tr><tr><td>xAI</td><td></td><td>$18 | billion</td></tr>"
    "<tr><td><button>Buy</button></td></tr></tbody></table>"
    "<table><tr><td>ctxt</td><td>the context</td></tr><tr><td>attrs</td><td>the first</td></tr>"
    "</table><table><tr><td>" + "long text " * 40 + "</td><td>x</td></tr><tr><td>a</td><td>b</td>"
    "</tr></table><table><tr><td><table><tr><td>in</td><td>ner</td></tr><tr><td>c</td><td>d</td>"
    "</tr></table></td><td>outer</td></tr><tr><td>e</td><td>f</td></tr></table>"
    "<table><tr><td>one row</td><td>only</td></tr></table></body></html>"
)

PAGES = [
    "<html><head><title> The  title </title><script>var a = '<p>no</p>';</script>"
    "<style>p {}</style></head><body><h1>Big <b>news</b></h1><p>Para &amp; one&nbsp;x</p>"
    "<noscript>hidden</noscript><template><p>unseen</p></template><h2>Sub</h2>"
    "<p>x<br>y<br/>z</p><!-- a comment --><title>second title</title></body></html>",
    "<h2>No title here</h2><p>Text\r\nover lines\rand more</p><h1>Late h1</h1><h1>Later</h1>"
    "<h5>Small print</h5><p>under it</p><h6>Smaller</h6>",
    "<div><h2>Outer <h3>inner</h3> tail</h2><p>Unclosed <b>bold<p>next</div>text &copy; 2026",
    "<p>" + "word " * 20_000 + "</p><h3>" + "long heading " * 50 + "</h3>",
    NEWS_PAGE,
    TABLES_PAGE,
]


@pytest.mark.parametrize("markup", PAGES)
def test_html_reads_as_beautiful_soup_read_it(tmp_path: Path, markup: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(markup, encoding="utf-8")
    doc = load_document(path)
    text, title, headings = beautiful_soup_reading(markup.replace("\r\n", "\n").replace("\r", "\n"))
    assert (doc.text, doc.title) == (text, title or doc.title)
    assert [line for _, line in doc.sections] == [
        line for line in doc.text.split("\n") if line in headings
    ]


def test_html_text_title_and_sections(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGES[0], encoding="utf-8")
    doc = load_document(path)
    assert doc.title == "The  title"
    # "<h1>Big <b>news</b></h1>" is one line: before, a string a line, it was two, and no line
    # was the heading's text.
    assert doc.text == "Big news\nPara & one\xa0x\nSub\nx\ny\nz\nsecond title"
    assert doc.sections == ((0, "Big news"), (22, "Sub"))


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        (
            NEWS_PAGE,
            "Orbit Labs raises $300 million\n"
            "Orbit Labs raised $300 million in a round led by Helios Capital.\n"
            "Chief executive Dana Reyes said: “Space is the next frontier.”",
        ),
        # No <main> or <article>: only the furniture is left out.
        (
            "<nav>Home | Tech</nav><h1>Grid deal</h1><p>Helion signed a deal.</p>"
            "<footer>Subscribe</footer>",
            "Grid deal\nHelion signed a deal.",
        ),
        # An element never closed marks nothing: a stray <nav> loses no article.
        (
            "<h1>Grid deal</h1><nav>Home<p>Helion signed a deal.</p>",
            "Grid deal\nHome\nHelion signed a deal.",
        ),
        # A page wrapped in one form (as some sites are) keeps its article.
        (
            "<form><p>Site</p><main><p>Helion signed a deal.</p></main><button>Go</button></form>",
            "Helion signed a deal.",
        ),
        # A page that is all furniture keeps its text.
        ("<nav>Home | Tech</nav><footer>Contact us</footer>", "Home | Tech\nContact us"),
    ],
)
def test_html_leaves_out_a_pages_menus_footer_and_buttons(
    tmp_path: Path, markup: str, text: str
) -> None:
    # Before, a saved news page's "Subscribe now!" and its menu were indexed with the article,
    # and "Subscribe" was answered by quoting the footer.
    path = tmp_path / "page.html"
    path.write_text(markup, encoding="utf-8")
    assert load_document(path).text == text


def test_html_tables_of_data_are_read_as_markdown_rows(tmp_path: Path) -> None:
    path = tmp_path / "tables.html"
    path.write_text(TABLES_PAGE, encoding="utf-8")
    # A header of <th> cells is ruled off; a table without one is rows of values; a cell too
    # long, a table inside a table or a single row lays a page out and is read line by line.
    assert load_document(path).text.split("\n") == [
        "Chips",
        "Chip deals",
        "| Buyer | Seller | Value |",
        "|---|---|---|",
        "| OpenAI | Broadcom | $10 billion |",
        "| xAI |  | $18 / billion |",
        "| ctxt | the context |",
        "| attrs | the first |",
        ("long text " * 40).strip(),
        "x",
        "a",
        "b",
        "| in | ner |",
        "| c | d |",
        "outer",
        "e",
        "f",
        "one row",
        "only",
    ]


def test_a_table_of_more_cells_than_the_limit_is_read_as_lines(tmp_path: Path) -> None:
    # 5,200 cells: recorded one by one, a page of a million empty ones would cost its memory.
    rows = "".join(f"<tr><td>r{n}</td><td>v{n}</td></tr>" for n in range(2_600))
    page = tmp_path / "big.html"
    page.write_text(f"<table>{rows}</table>", encoding="utf-8")
    text, _, _ = beautiful_soup_reading(page.read_text(encoding="utf-8"))
    assert load_document(page).text == text
    assert text.split("\n")[:4] == ["r0", "v0", "r1", "v1"]
    cell = b"<w:tc><w:p><w:r><w:t>%s%d</w:t></w:r></w:p></w:tc>"
    # 1,700 rows and 3,400 cells: 5,100 parts of a table, past the limit as it streams.
    body = b"".join(
        b"<w:tr>" + cell % (b"r", n) + cell % (b"v", n) + b"</w:tr>" for n in range(1_700)
    )
    memo = tmp_path / "big.docx"
    write_docx(memo, iter([b"<w:tbl>", body, b"</w:tbl>"]))
    assert load_document(memo).text.split("\n")[:4] == ["r0", "v0", "r1", "v1"]
    assert load_document(memo).text == python_docx_reading(memo)[0]
