"""PDF attachment → text + table grids (pdfplumber).

Tables are taken only where the PDF draws ruling lines (pdfplumber's default "lines"
strategy). Each slot between grid lines gets the text of the cell covering it, so a merged
cell repeats like an expanded HTML rowspan/colspan; a table cut by a page break is joined.
"""
from __future__ import annotations

import io
import logging
import time

from .decode import UnreadableDocument
from .html import CJK_GAP_RE

MAX_PAGES = 200
MAX_SECONDS = 120.0     # a pathological PDF gets a partial record, not a hung crawl
IMAGE_PAGE_MAX_CHARS = 20   # a page with images and fewer characters than this is a picture
MAX_OCR_PAGES = 12          # image pages OCR'd per PDF (the three tables fit in a few pages)
RENDER_SCALE = 3.0          # 216 dpi: a table's 7-pt digits come out about 20 px high
MAX_RENDER_PIXELS = 12_000_000

# pdfminer warns for every recoverable defect of a damaged file; what matters reaches the record.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _fold(text: str | None) -> str:
    text = " ".join((text or "").split())     # wrapped cell text comes with "\n"
    return CJK_GAP_RE.sub("", text) if " " in text else text


def _cells(table) -> dict[tuple, str]:
    texts: dict[tuple, str] = {}
    for row_obj, row in zip(table.rows, table.extract()):
        for bbox, text in zip(row_obj.cells, row):
            if bbox is not None:
                texts[tuple(bbox)] = _fold(text)
    return texts


def _edges(values) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > 1.0:     # ruling lines drawn twice / rounding
            out.append(v)
    return out


def _grid(texts: dict[tuple, str], xs: list[float]) -> list[list[str]]:
    """Every slot between grid lines gets the text of the cell covering its centre, so a
    merged cell repeats into the slots it spans (the HTML grid shape)."""
    cells = list(texts)
    ys = _edges([c[1] for c in cells] + [max(c[3] for c in cells)])
    grid = []
    for r in range(len(ys) - 1):
        y = (ys[r] + ys[r + 1]) / 2
        row = []
        for i in range(len(xs) - 1):
            x = (xs[i] + xs[i + 1]) / 2
            hit = next((c for c in cells if c[0] <= x <= c[2] and c[1] <= y <= c[3]), None)
            row.append(texts[hit] if hit else "")
        grid.append(row)
    return grid


def _x_edges(texts: dict[tuple, str]) -> list[float]:
    return _edges([c[0] for c in texts] + [max(c[2] for c in texts)])


def _continues(prev: tuple, xs: list[float], table, page) -> bool:
    """A table cut by a page break: last on its page, first on the next, and its column
    lines are a subset of the previous table's (a fragment may lack some inner lines)."""
    _, prev_xs, prev_bottom, prev_height, _ = prev
    if not (prev_bottom > 0.7 * prev_height and table.bbox[1] < 0.25 * page.height):
        return False
    if abs(xs[0] - prev_xs[0]) > 2 or abs(xs[-1] - prev_xs[-1]) > 2:
        return False
    return all(any(abs(x - p) <= 2 for p in prev_xs) for x in xs)


def parse_pdf(data: bytes) -> tuple[list[str], list[list[list[str]]], list[str], list[int]]:
    """Returns (text lines, grids, errors, image_pages): image_pages are the (0-based) pages that
    hold images and next to no text — scanned pages, tables pasted as pictures — for OCR
    (see ``render_pages``). Raises UnreadableDocument when no page at all can be read."""
    import pdfplumber

    errors: list[str] = []
    lines: list[str] = []
    grids: list[list[list[str]]] = []
    image_pages: list[int] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        raise UnreadableDocument(f"pdf: cannot open ({type(exc).__name__}: {str(exc)[:120]})") from None
    started = time.monotonic()
    pages_read = 0
    last = None     # (grid, x edges, bottom, page height, page number) of the last table
    try:
        try:
            pages = pdf.pages
        except Exception as exc:
            raise UnreadableDocument(f"pdf: no readable pages ({type(exc).__name__}: {str(exc)[:120]})") from None
        if len(pages) > MAX_PAGES:
            errors.append(f"pdf: only the first {MAX_PAGES} of {len(pages)} pages read")
        for number, page in enumerate(pages[:MAX_PAGES], 1):
            if time.monotonic() - started > MAX_SECONDS:
                errors.append(f"pdf: stopped after {number - 1} pages ({MAX_SECONDS:.0f} s limit)")
                break
            try:
                text = page.extract_text() or ""
                for k, table in enumerate(page.find_tables()):
                    texts = _cells(table)
                    if not any(texts.values()):
                        continue
                    xs = _x_edges(texts)
                    if (k == 0 and last is not None and last[0] is grids[-1] and last[4] == number - 1
                            and _continues(last, xs, table, page)):
                        xs = last[1]
                        grids[-1].extend(_grid(texts, xs))
                    else:
                        grids.append(_grid(texts, xs))
                    last = (grids[-1], xs, table.bbox[3], page.height, number)
                if page.images and len("".join(text.split())) < IMAGE_PAGE_MAX_CHARS:
                    image_pages.append(number - 1)
            except Exception as exc:
                errors.append(f"pdf: page {number} unreadable ({type(exc).__name__})")
                continue
            pages_read += 1
            lines.extend(text.splitlines())
            page.flush_cache()
    finally:
        try:
            pdf.close()
        except Exception:
            pass
    if pages_read == 0:
        raise UnreadableDocument("pdf: no page could be read" + (f" ({errors[-1]})" if errors else ""))
    if not any(line.strip() for line in lines):
        errors.append("pdf: no text layer (scanned images?)")
    return lines, grids, errors, image_pages


def render_pages(data: bytes, pages: list[int], *, scale: float = RENDER_SCALE, max_pages: int = MAX_OCR_PAGES):
    """(page index, RGB array) of the given pages rendered to bitmaps (pypdfium2), for OCR; at
    most ``max_pages``. A page that cannot be rendered comes as (page index, the exception)."""
    import numpy as np
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        for index in pages[:max_pages]:
            try:
                page = pdf[index]
                w, h = page.get_size()
                # keep the bitmap under the OCR pixel cap whatever the page size
                fit = min(scale, (MAX_RENDER_PIXELS / max(w * h, 1)) ** 0.5)
                rgb = np.asarray(page.render(scale=fit).to_pil().convert("RGB"))
            except Exception as exc:  # pdfium raises its own error types for broken pages
                yield index, exc
                continue
            yield index, rgb
    finally:
        pdf.close()
