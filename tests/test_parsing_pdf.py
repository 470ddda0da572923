"""The PDF reader (gicrawler/parsing/pdf.py): PDFium reads, pdfplumber's table finder finds the
cells. Its tables are pdfplumber's own (checked against pdfplumber's find_tables on the corpus
rendered as PDF, source-edited variants, tables drawn in form XObjects under a transform),
pages are read one at a time under the page cap and the time limit."""
from __future__ import annotations

import io
import random
import threading

import pdfplumber
import pytest
from pdfplumber import table as plumber_table
from pdfplumber.utils import extract_text

from gicrawler.parsing import UnreadableDocument, parse_report
from gicrawler.parsing import pdf as pdf_module
from gicrawler.parsing.pdf import parse_pdf
from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.writers import report_pdf

from tests.fuzzing import edit_sample

SAMPLES = ("000", "001", "002", "003", "004")


def pdfplumber_grids(data: bytes) -> list:
    """The grids as pdfplumber alone gives them: find_tables + extract on every page, the
    reader's grid assembly (spans expanded, tables cut by a page break joined)."""
    grids, last = [], None
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for k, table in enumerate(page.find_tables()):
                texts = {}
                for row_obj, row in zip(table.rows, table.extract()):
                    for bbox, text in zip(row_obj.cells, row):
                        if bbox is not None:
                            texts[tuple(bbox)] = pdf_module._fold(text)
                if not any(texts.values()):
                    continue
                xs = pdf_module._x_edges(texts)
                if (k == 0 and last is not None and last[0] is grids[-1] and last[4] == number - 1
                        and pdf_module._continues(last, xs, table.bbox, page.height)):
                    xs = last[1]
                    grids[-1].extend(pdf_module._grid(texts, xs))
                else:
                    grids.append(pdf_module._grid(texts, xs))
                last = (grids[-1], xs, table.bbox[3], page.height, number)
    return grids


@pytest.fixture(scope="module")
def sample_pdfs():
    out = {}
    for name in SAMPLES:
        sample = load_sample(name)
        out[name] = report_pdf(sample.record, sample.paragraphs, **sample.options)
    return out


@pytest.mark.parametrize("name", SAMPLES)
def test_same_grids_as_pdfplumber_on_the_corpus(sample_pdfs, name):
    want = pdfplumber_grids(sample_pdfs[name])
    lines, grids, errors, _ = parse_pdf(sample_pdfs[name])
    assert want and grids == want
    assert errors == [] and any(line.strip() for line in lines)


def test_same_grids_as_pdfplumber_on_edited_reports():
    rng = random.Random(20240901)
    for _ in range(6):
        name = rng.choice(SAMPLES)
        data, _ = edit_sample(rng, name, "pdf")
        assert parse_pdf(data)[1] == pdfplumber_grids(data), name


def test_same_records_as_with_pdfplumber(sample_pdfs, monkeypatch):
    """The tables of the record (grids + body text) are those the pdfplumber reader gave."""
    def plumber_reader(data):
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            lines = [ln for page in pdf.pages for ln in (page.extract_text() or "").splitlines()]
        return lines, pdfplumber_grids(data), [], False

    now = {name: parse_report(data) for name, data in sample_pdfs.items()}
    monkeypatch.setattr(pdf_module, "parse_pdf", plumber_reader)
    for name, data in sample_pdfs.items():
        before = parse_report(data)
        assert now[name]["tables"] == before["tables"] and now[name]["tables"], name
        assert now[name]["missing_tables"] == before["missing_tables"], name
        for key in ("title", "published", "year", "template"):
            assert now[name][key] == before[key], (name, key)


def _form_table_pdf() -> bytes:
    """A ruled table (one merged cell) drawn in a form XObject placed scaled and moved, next
    to one drawn with rectangles on the page itself."""
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.beginForm("grid")
    for y in (0, 20, 40, 60):
        c.line(0, y, 240, y)
    for x in (0, 80, 160, 240):
        c.line(x, 0, x, 60 if x != 160 else 40)        # no line at 160 in the top row: a merged cell
    c.setFont("Helvetica", 9)
    for row, y in enumerate((45, 25, 5)):
        for col, x in enumerate((5, 85, 165)):
            if not (row == 0 and col == 2):
                c.drawString(x, y, f"r{row}c{col} {row * 3 + col}")
    c.endForm()
    c.saveState()
    c.translate(100, 500)
    c.scale(1.5, 1.25)
    c.doForm("grid")
    c.restoreState()
    for x, y in ((60, 100), (160, 100), (60, 130), (160, 130)):
        c.rect(x, y, 100, 30)
    c.drawString(65, 110, "12")
    c.drawString(165, 140, "34 56")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_tables_in_form_xobjects_and_rectangles():
    data = _form_table_pdf()
    grids = parse_pdf(data)[1]
    assert grids == pdfplumber_grids(data)
    assert len(grids) == 2 and ["r1c0 3", "r1c1 4", "r1c2 5"] in grids[0]
    assert grids[0][0][1:] == ["r0c1 1", "r0c1 1"]        # the merged cell repeats into its slots
    assert grids[1] == [["", "34 56"], ["12", ""]]          # top row first


def test_a_number_drawn_across_a_cell_border_is_read_in_neither_cell():
    """7256835 overflowing its narrow cell into the next one, which holds 0: pdfplumber's cells
    (characters by their centres) read 725683 and 50, numbers nobody printed (fuzzing: a source
    edit made a count seven digits long); 2525003 running past the table's edge reads 252500.
    The cells must be unreadable, not those numbers."""
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for y in (500, 520):
        c.line(0, y, 160, y)
    for x in (0, 60, 100, 160):
        c.line(x, 500, x, 520)
    c.setFont("Helvetica", 9)
    c.drawString(5, 505, "rules")
    c.drawString(70, 505, "7256835")
    c.drawString(105.2, 505, "0")
    for y in (400, 420):                    # a table whose last cell's number runs past its edge
        c.line(0, y, 100, y)
    for x in (0, 60, 100):
        c.line(x, 400, x, 420)
    c.drawString(5, 405, "total")
    c.drawString(70, 405, "2525003")
    c.showPage()
    c.save()
    data = buf.getvalue()
    assert pdfplumber_grids(data) == [[["rules", "725683", "50"]], [["total", "252500"]]]
    assert parse_pdf(data)[1] == [[["rules", "725683 50", "725683 50"]], [["total", "252500 3"]]]


def test_cell_search_is_pdfplumbers():
    """_find_cells gives pdfplumber's intersections_to_cells, on corpus pages and random
    rulings (missing segments, merged cells)."""
    rng = random.Random(7)
    for trial in range(120):
        xs = sorted(rng.sample(range(0, 400, 10), rng.randint(2, 9)))
        ys = sorted(rng.sample(range(0, 400, 10), rng.randint(2, 9)))
        edges = []
        for y in ys:
            for a, b in zip(xs, xs[1:]):
                if rng.random() < 0.85:
                    edges.append(pdf_module._edge(a, y, b, y, "h", "line"))
        for x in xs:
            for a, b in zip(ys, ys[1:]):
                if rng.random() < 0.85:
                    edges.append(pdf_module._edge(x, a, x, b, "v", "line"))
        edges = plumber_table.merge_edges(edges, 3, 3, 3, 3)
        points = plumber_table.edges_to_intersections(edges, 3, 3)
        assert pdf_module._find_cells(points) == plumber_table.intersections_to_cells(points), trial


def test_cell_text_is_pdfplumbers():
    rng = random.Random(3)
    for _ in range(2000):
        chars = []
        for _ in range(rng.randint(1, 9)):
            x, top = rng.choice((0, 5, 10, 11, 14, 20, 3.5)), rng.choice((0, 0, 1, 2.5, 3, 3.2, 7, 12))
            chars.append((rng.choice("一二34 x"), x, x + rng.choice((2, 5, 6)), top, top + 8))
        dicts = [{"text": t, "x0": a, "x1": b, "top": c, "bottom": d, "doctop": c, "upright": True,
                  "width": b - a, "height": d - c} for t, a, b, c, d in chars]
        assert pdf_module._cell_text(chars) == extract_text(dicts), chars


def _pages_pdf(n: int) -> bytes:
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for k in range(n):
        c.drawString(72, 720, f"page {k + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def test_many_pages_are_not_all_loaded(monkeypatch):
    """5,000 pages: only the first MAX_PAGES are loaded (PDFium pages are read on demand)."""
    data = _pages_pdf(5000)
    loaded = []
    real = pdf_module._read_page
    monkeypatch.setattr(pdf_module, "_read_page", lambda *a: loaded.append(1) or real(*a))
    record = parse_report(data)
    assert record["errors"] == ["pdf: only the first 200 of 5000 pages read"]
    assert len(loaded) == 200
    assert "page 200" in record["text"] and "page 201" not in record["text"]


def test_time_limit_keeps_what_was_read(monkeypatch):
    monkeypatch.setattr(pdf_module, "MAX_SECONDS", 0.0)
    record = parse_report(_pages_pdf(5))
    assert record["errors"] == ["pdf: stopped after 1 of 5 pages (0 s limit)"]
    assert "page 1" in record["text"] and "page 2" not in record["text"]


def test_a_broken_page_costs_only_itself(monkeypatch):
    real = pdf_module._read_page

    def failing(pdfium, raw, page):
        if "page 2" in page.get_textpage().get_text_range():
            raise ValueError("damaged")
        return real(pdfium, raw, page)

    monkeypatch.setattr(pdf_module, "_read_page", failing)
    record = parse_report(_pages_pdf(3))
    assert record["errors"] == ["pdf: page 2 unreadable (ValueError)"]
    assert "page 1" in record["text"] and "page 3" in record["text"]
    monkeypatch.setattr(pdf_module, "_read_page", lambda *a: (_ for _ in ()).throw(ValueError("x")))
    with pytest.raises(UnreadableDocument, match="no page could be read"):
        parse_report(_pages_pdf(2))


def test_several_threads(sample_pdfs):
    """PDFium is not thread-safe; the reader serialises documents, so threads get the same."""
    want = {name: parse_pdf(data) for name, data in sample_pdfs.items()}
    got, failures = [], []

    def work(name):
        try:
            got.append(parse_pdf(sample_pdfs[name]) == want[name])
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in SAMPLES * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures and got == [True] * len(threads)
