"""PDF attachment → text lines + table grids: PDFium (pypdfium2) reads, pdfplumber finds tables.

Pages are loaded one at a time, with the page cap and the time limit checked before each, so
a PDF of thousands of pages costs what its first ``MAX_PAGES`` cost, and a slow one stops at
``MAX_SECONDS`` with what was read (both said in the record's errors).

Text is PDFium's text of the page. Tables are taken only where the PDF draws ruling lines:
the page's path objects become edges as pdfplumber makes them from pdfminer's lines, rects
and curves, and pdfplumber's table finder (its "lines" strategy, its tolerances, its own
functions but for a faster equivalent of its cell search) turns them into cells; a cell's text
is the characters whose centre lies in it, joined as pdfplumber joins them (but for a number
drawn across a cell border, which both cells then show cut: ``_cut_numbers``). So the cells are
pdfplumber's (tests/test_parsing_pdf.py compares them on the corpus), without pdfminer
interpreting every page, which made the pdfplumber route some ten times slower per page
(benchmarks/pdf.py). Each slot between grid lines gets the text of the cell covering it, so
a merged cell repeats like an expanded HTML rowspan/colspan; a table cut by a page break is
joined.
"""
from __future__ import annotations

import ctypes
import logging
import re
import threading
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .decode import UnreadableDocument
from .html import CJK_GAP_RE

MAX_PAGES = 200
MAX_SECONDS = 120.0     # a pathological PDF gets a partial record, not a hung crawl
# Table finding is quadratic in the ruling lines: a page drawing more than these (a real
# report's page has some hundreds of segments, tens of lines) keeps its text, not its tables.
MAX_PAGE_SEGMENTS = 100_000
MAX_LINE_PAIRS = 10_000             # vertical × horizontal lines (a table B: 12 × 30)
# pdfplumber's defaults for the "lines" strategy (pdfplumber.table.TableSettings).
_SNAP = _JOIN = _INTERSECT = 3
_EDGE_MIN_LENGTH, _EDGE_MIN_PREFILTER = 3, 1
_X_TOLERANCE = _Y_TOLERANCE = 3     # pdfplumber.utils.text defaults: word and line gaps
_MAX_FORM_DEPTH = 8
# PDFium is not thread-safe (pypdfium2's documentation): one document at a time per process.
_PDFIUM = threading.Lock()
IMAGE_PAGE_MAX_CHARS = 20   # a page with images and fewer characters than this is a picture
MAX_OCR_PAGES = 12          # image pages OCR'd per PDF (the three tables fit in a few pages)
RENDER_SCALE = 3.0          # 216 dpi: a table's 7-pt digits come out about 20 px high
MAX_RENDER_PIXELS = 12_000_000

# pdfminer (pdfplumber's import) warns for every recoverable defect of a damaged file.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _fold(text: str | None) -> str:
    text = " ".join((text or "").split())     # wrapped cell text comes with "\n"
    return CJK_GAP_RE.sub("", text) if " " in text else text


# ------------------------------------------------------------------------- page reading

@dataclass
class _Page:
    height: float
    lines: list[str]
    tables: list[tuple[dict, tuple]] = field(default_factory=list)   # (cell bbox → text, bbox)
    has_images: bool = False
    note: str | None = None          # why the page's tables were not looked for


class _TooManyLines(Exception):
    pass


def _objects(raw, page_handle, matrix=(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)):
    """(object handle, type, matrix to page space) for every object, forms descended."""
    stack = [(page_handle, None, matrix, 0)]
    while stack:
        parent, form, outer, depth = stack.pop()
        count = raw.FPDFPage_CountObjects(parent) if form is None else raw.FPDFFormObj_CountObjects(form)
        for i in range(count):
            obj = raw.FPDFPage_GetObject(parent, i) if form is None else raw.FPDFFormObj_GetObject(form, i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
                stack.append((None, obj, _object_matrix(raw, obj, outer), depth + 1))
            elif kind in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE):
                yield obj, kind, outer


def _object_matrix(raw, obj, outer):
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, m):
        return outer
    a, b, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _subpaths(raw, obj, matrix):
    """The path's subpaths as page-space points, as pdfminer lists them: each operator's end
    point (a Bézier's control points left out), a closed subpath ending on its start again."""
    a, b, c, d, e, f = _object_matrix(raw, obj, matrix)
    x, y = ctypes.c_float(), ctypes.c_float()
    out: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    bezier = 0
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        if not raw.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3:                   # PDFium lists both control points, then the end
                continue
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            if len(current) > 1:
                out.append(current)
            current, bezier = [point], 0
        else:
            current.append(point)
            if raw.FPDFPathSegment_GetClose(seg) and current[0] != point:
                current.append(current[0])
    if len(current) > 1:
        out.append(current)
    return out


def _edge(x0, top, x1, bottom, orientation, kind):
    return {"object_type": kind, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top, "orientation": orientation}


def _path_edges(points, page_top: float) -> list[dict]:
    """pdfplumber's edges of one subpath, as it makes them from pdfminer's objects: a line
    (2 points, "h" when level, else "v"), an axis-aligned rectangle (4 edges), else a curve
    (each level or upright segment)."""
    pts = [(px, page_top - py) for px, py in points]      # top-down, like pdfplumber
    if len(pts) == 3 and pts[2] == pts[0]:                # "m l h": still one line
        pts = pts[:2]
    if len(pts) == 2:
        (ax, at), (bx, bt) = pts
        return [_edge(min(ax, bx), min(at, bt), max(ax, bx), max(at, bt), "h" if at == bt else "v", "line")]
    ring = pts[:-1] if len(pts) == 5 and pts[0] == pts[-1] else pts
    if len(ring) == 4:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = ring
        if (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0):
            left, right = min(x0, x2), max(x0, x2)
            top, bottom = min(y0, y2), max(y0, y2)
            return [_edge(left, top, right, top, "h", "rect_edge"), _edge(left, bottom, right, bottom, "h", "rect_edge"),
                    _edge(left, top, left, bottom, "v", "rect_edge"), _edge(right, top, right, bottom, "v", "rect_edge")]
    out = []
    for (ax, at), (bx, bt) in zip(pts, pts[1:]):
        orientation = "v" if ax == bx else ("h" if at == bt else None)
        if orientation:
            out.append(_edge(min(ax, bx), min(at, bt), max(ax, bx), max(at, bt), orientation, "curve_edge"))
    return out


def _chars(raw, textpage, page_top: float):
    """(text, x0, x1, top, bottom) of every character the page draws (PDFium's generated
    spaces and line breaks left out), in content order."""
    count = raw.FPDFText_CountChars(textpage)
    if count <= 0:
        return []
    units = (ctypes.c_ushort * (count + 1))()
    raw.FPDFText_GetText(textpage, 0, count, units)        # every code unit in one call
    rect = raw.FS_RECTF()
    box = raw.FPDFText_GetLooseCharBox
    generated = raw.FPDFText_IsGenerated
    out = []
    for i, code in enumerate(units[:count]):
        if code in (0, 10, 13, 32) and (code == 0 or generated(textpage, i) == 1):
            continue
        if box(textpage, i, rect):
            out.append((chr(code), rect.left, rect.right, page_top - rect.top, page_top - rect.bottom))
    return out


def _cell_text(chars) -> str:
    """pdfplumber's extract_text of a cell's characters (lines clustered by top, each sorted
    by x, words split at gaps over the x tolerance). A cell whose every line is one word (most
    are) is joined here, in the order pdfplumber gives; the rest go through pdfplumber."""
    if len(chars) == 1:
        return _utf16("" if chars[0][0].isspace() else chars[0][0])
    tops = sorted({c[3] for c in chars})
    if tops[-1] - tops[0] <= _Y_TOLERANCE:       # one line (the common case)
        line = sorted(chars, key=_x0)
        if not any(b[1] < a[1] or b[1] > a[2] + _X_TOLERANCE or abs(b[3] - a[3]) > _Y_TOLERANCE
                   or a[0].isspace() for a, b in zip(line, line[1:])) and not line[-1][0].isspace():
            return _utf16("".join(c[0] for c in line))
        return _utf16(_pdfplumber_text(chars))
    starts = [tops[0]] + [b for a, b in zip(tops, tops[1:]) if b > a + _Y_TOLERANCE]
    lines: list[list] = [[] for _ in starts]
    for ch in chars:                       # content order kept within a line (stable sort below)
        lines[bisect_right(starts, ch[3]) - 1].append(ch)
    out = []
    for line in lines:
        line.sort(key=_x0)
        for a, b in zip(line, line[1:]):
            if b[1] < a[1] or b[1] > a[2] + _X_TOLERANCE or abs(b[3] - a[3]) > _Y_TOLERANCE:
                break
        else:
            if not any(c[0].isspace() for c in line):
                out.append("".join(c[0] for c in line))
                continue
        return _utf16(_pdfplumber_text(chars))
    return _utf16("\n".join(out))


def _x0(char) -> float:
    return char[1]


def _pdfplumber_text(chars) -> str:
    from pdfplumber.utils import extract_text
    return extract_text([{"text": t, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
                          "upright": True, "width": x1 - x0, "height": bottom - top}
                         for t, x0, x1, top, bottom in chars])


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _utf16(text: str) -> str:
    """PDFium gives UTF-16 code units: join surrogate pairs (CJK extension B)."""
    if _SURROGATE_RE.search(text):
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _cells_of(v: list[dict], h: list[dict]) -> list[list[tuple]]:
    """pdfplumber's table finder ("lines" strategy, its default tolerances) on these edges:
    TableFinder's steps, pdfplumber's own functions, but the cell search (``_find_cells``)."""
    from pdfplumber import table as T
    from pdfplumber.utils import filter_edges

    edges = T.merge_edges(v + h, snap_x_tolerance=_SNAP, snap_y_tolerance=_SNAP,
                          join_x_tolerance=_JOIN, join_y_tolerance=_JOIN)
    edges = filter_edges(edges, min_length=_EDGE_MIN_LENGTH)
    vertical = sum(1 for e in edges if e["orientation"] == "v")
    if vertical * (len(edges) - vertical) > MAX_LINE_PAIRS:   # the finder is quadratic in them
        raise _TooManyLines(f"{vertical} vertical and {len(edges) - vertical} horizontal ruling lines")
    return T.cells_to_tables(_find_cells(T.edges_to_intersections(edges, _INTERSECT, _INTERSECT)))


def _find_cells(intersections: dict) -> list[tuple]:
    """pdfplumber.table.intersections_to_cells, the same search in the same order, with the
    edges at each point and the points on each line looked up once instead of at every step
    (pdfplumber's is quadratic in the points: 6 ms for a table B). tests/test_parsing_pdf.py
    checks both give the same cells."""
    def bboxes(edges):
        return {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in edges}

    vertical = {p: bboxes(t["v"]) for p, t in intersections.items()}
    horizontal = {p: bboxes(t["h"]) for p, t in intersections.items()}
    points = sorted(intersections)
    column: dict[float, list] = {}
    row: dict[float, list] = {}
    for p in points:             # in sorted order: each list ascending
        column.setdefault(p[0], []).append(p)
        row.setdefault(p[1], []).append(p)

    def connects(p1, p2) -> bool:
        if p1[0] == p2[0] and not vertical[p1].isdisjoint(vertical[p2]):
            return True
        return p1[1] == p2[1] and not horizontal[p1].isdisjoint(horizontal[p2])

    in_column = {p: k for line in column.values() for k, p in enumerate(line)}
    in_row = {p: k for line in row.values() for k, p in enumerate(line)}
    cells = []
    for pt in points[:-1]:
        below = column[pt[0]][in_column[pt] + 1:]
        right = row[pt[1]][in_row[pt] + 1:]
        cell = None
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                    cell = (pt[0], pt[1], corner[0], corner[1])
                    break
            if cell:
                break
        if cell:
            cells.append(cell)
    return cells


def _tables(edges: list[dict], chars) -> list[tuple[dict, tuple]]:
    """The page's ruled tables, each as (cell bbox → text, table bbox)."""
    v = [e for e in edges if e["orientation"] == "v" and e["height"] >= _EDGE_MIN_PREFILTER]
    h = [e for e in edges if e["orientation"] == "h" and e["width"] >= _EDGE_MIN_PREFILTER]
    if len(v) < 2 or len(h) < 2:          # a cell needs two of each
        return []
    out = []
    centres = sorted(((c[3] + c[4]) / 2, (c[1] + c[2]) / 2, k) for k, c in enumerate(chars))
    centre_ys = [c[0] for c in centres]
    for cells in _cells_of(v, h):
        xs = sorted({c[0] for c in cells} | {c[2] for c in cells})
        ys = sorted({c[1] for c in cells} | {c[3] for c in cells})
        x_at = {x: i for i, x in enumerate(xs)}
        y_at = {y: j for j, y in enumerate(ys)}
        slots: dict[tuple[int, int], list] = {}
        for cell in cells:         # every grid slot a cell covers (overlapping cells: each one)
            for i in range(x_at[cell[0]], x_at[cell[2]]):
                for j in range(y_at[cell[1]], y_at[cell[3]]):
                    slots.setdefault((i, j), []).append(cell)
        x0, top, x1, bottom = xs[0], ys[0], xs[-1], ys[-1]
        inside: dict[tuple, list] = {}
        found = []
        # the cell holding each character's centre (half-open, as pdfplumber tests it)
        for cy, cx, k in centres[bisect_left(centre_ys, top):bisect_left(centre_ys, bottom)]:
            if x0 <= cx < x1:
                for cell in slots.get((bisect_right(xs, cx) - 1, bisect_right(ys, cy) - 1), ()):
                    if cell[0] <= cx < cell[2] and cell[1] <= cy < cell[3]:
                        found.append((k, cell))
        found.sort()                           # content order, as pdfplumber hands them over
        for k, cell in found:
            inside.setdefault(cell, []).append(chars[k])
        texts = {tuple(c): (_fold(_cell_text(inside[c])) if c in inside else "") for c in cells}
        if found:
            read = dict(texts)
            for cell, other, digit, after in _cut_numbers(found, chars):
                # a number drawn across a cell border (7256835 in a narrow cell): by centres its
                # digits are "72568" here and "35" glued to the next cell's "0" — two numbers
                # nobody printed. The cell shows what it holds: digits on both sides of a line.
                there = read[tuple(other)] if other is not None else digit
                here = read[tuple(cell)]
                texts[tuple(cell)] = f"{here} {there}" if after else f"{there} {here}"
        out.append((texts, (x0, top, x1, bottom)))
    return out


def _cut_numbers(found: list, chars) -> list[tuple]:
    """(cell, other cell or None, the other character, whether it comes after) for every run
    of digits a cell's border cuts: consecutive characters, both digits, on one line with no
    word gap, one in the cell and the other in another cell or outside the table (None)."""
    where: dict[int, list] = {}           # character → the cells holding it (overlapping: several)
    for k, cell in found:
        where.setdefault(k, []).append(cell)
    cuts = []
    for k, cell in found:
        for j in (k - 1, k + 1):
            if 0 <= j < len(chars) and cell not in where.get(j, ()):
                a, b = (chars[j], chars[k]) if j < k else (chars[k], chars[j])
                if (a[0].isdigit() and b[0].isdigit() and abs(b[3] - a[3]) <= _Y_TOLERANCE
                        and a[1] <= b[1] <= a[2] + _X_TOLERANCE):
                    cuts.append((cell, where[j][0] if j in where else None, chars[j][0], j > k))
    return cuts


def _read_page(pdfium, raw, page) -> _Page:
    left, bottom, right, top = page.get_mediabox()
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        edges: list[dict] = []
        has_images = False
        segments = 0
        note = None
        for obj, kind, matrix in _objects(raw, page.raw):
            if kind == raw.FPDF_PAGEOBJ_IMAGE:
                has_images = True
                continue
            if note:
                continue
            fill, stroke = ctypes.c_int(), ctypes.c_int()
            if raw.FPDFPath_GetDrawMode(obj, fill, stroke) and not fill.value and not stroke.value:
                continue               # a clipping path ("re W n"): nothing drawn
            segments += max(raw.FPDFPath_CountSegments(obj), 0)
            if segments > MAX_PAGE_SEGMENTS:
                note, edges = f"over {MAX_PAGE_SEGMENTS:,} path segments", []
                continue
            for points in _subpaths(raw, obj, matrix):
                edges.extend(_path_edges(points, top))
        tables = []
        if edges:
            try:
                tables = _tables(edges, _chars(raw, textpage.raw, top))
            except _TooManyLines as exc:
                note = str(exc)
    finally:
        textpage.close()
    return _Page(top - bottom, _utf16(text).splitlines(), tables, has_images, note)


# ------------------------------------------------------------------------- grids

def _edges(values) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > 1.0:     # ruling lines drawn twice / rounding
            out.append(v)
    return out


def _grid(texts: dict[tuple, str], xs: list[float]) -> list[list[str]]:
    """Every slot between grid lines gets the text of the cell covering its centre, so a
    merged cell repeats into the slots it spans (the HTML grid shape). Where cells overlap,
    the first one (in the finder's order) wins."""
    cells = list(texts)
    ys = _edges([c[1] for c in cells] + [max(c[3] for c in cells)])
    mid_x = [(a + b) / 2 for a, b in zip(xs, xs[1:])]
    mid_y = [(a + b) / 2 for a, b in zip(ys, ys[1:])]
    grid = [[None] * len(mid_x) for _ in mid_y]
    for cell in cells:              # the slot centres inside the cell (bounds included)
        text = texts[cell]
        for r in range(bisect_left(mid_y, cell[1]), bisect_right(mid_y, cell[3])):
            row = grid[r]
            for i in range(bisect_left(mid_x, cell[0]), bisect_right(mid_x, cell[2])):
                if row[i] is None:
                    row[i] = text
    return [["" if t is None else t for t in row] for row in grid]


def _x_edges(texts: dict[tuple, str]) -> list[float]:
    return _edges([c[0] for c in texts] + [max(c[2] for c in texts)])


def _continues(prev: tuple, xs: list[float], bbox: tuple, page_height: float) -> bool:
    """A table cut by a page break: last on its page, first on the next, and its column
    lines are a subset of the previous table's (a fragment may lack some inner lines)."""
    _, prev_xs, prev_bottom, prev_height, _ = prev
    if not (prev_bottom > 0.7 * prev_height and bbox[1] < 0.25 * page_height):
        return False
    if abs(xs[0] - prev_xs[0]) > 2 or abs(xs[-1] - prev_xs[-1]) > 2:
        return False
    return all(any(abs(x - p) <= 2 for p in prev_xs) for x in xs)


# ------------------------------------------------------------------------- document

def parse_pdf(data: bytes) -> tuple[list[str], list[list[list[str]]], list[str], list[int]]:
    """Returns (text lines, grids, errors, image_pages): image_pages are the (0-based) pages that
    hold images and next to no text — scanned pages, tables pasted as pictures — for OCR
    (see ``render_pages``). Raises UnreadableDocument when no page at all can be read."""
    with _PDFIUM:
        return _parse_pdf(data)


def _parse_pdf(data: bytes):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    errors: list[str] = []
    lines: list[str] = []
    grids: list[list[list[str]]] = []
    image_pages: list[int] = []
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:  # PdfiumError (format, password, …) or a damaged file's other failures
        raise UnreadableDocument(f"pdf: cannot open ({type(exc).__name__}: {str(exc)[:120]})") from None
    started = time.monotonic()
    pages_read = 0
    last = None     # (grid, x edges, bottom, page height, page number) of the last table
    try:
        total = len(pdf)
        if total > MAX_PAGES:
            errors.append(f"pdf: only the first {MAX_PAGES} of {total} pages read")
        for number in range(1, min(total, MAX_PAGES) + 1):
            if number > 1 and time.monotonic() - started > MAX_SECONDS:
                errors.append(f"pdf: stopped after {number - 1} of {total} pages ({MAX_SECONDS:g} s limit)")
                break
            try:
                page = pdf[number - 1]
            except Exception as exc:  # noqa: BLE001 - a damaged page object: the others still count
                errors.append(f"pdf: page {number} unreadable ({type(exc).__name__})")
                continue
            try:
                content = _read_page(pdfium, raw, page)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"pdf: page {number} unreadable ({type(exc).__name__})")
                continue
            finally:
                page.close()
            if content.note:
                errors.append(f"pdf: page {number}: {content.note}, too many to look for tables in")
            for k, (texts, bbox) in enumerate(content.tables):
                if not any(texts.values()):
                    continue
                xs = _x_edges(texts)
                if (k == 0 and last is not None and last[0] is grids[-1] and last[4] == number - 1
                        and _continues(last, xs, bbox, content.height)):
                    xs = last[1]
                    grids[-1].extend(_grid(texts, xs))
                else:
                    grids.append(_grid(texts, xs))
                last = (grids[-1], xs, bbox[3], content.height, number)
            if content.has_images and len("".join("".join(content.lines).split())) < IMAGE_PAGE_MAX_CHARS:
                image_pages.append(number - 1)
            pages_read += 1
            lines.extend(content.lines)
    finally:
        pdf.close()
    if pages_read == 0:
        raise UnreadableDocument("pdf: no page could be read" + (f" ({errors[-1]})" if errors else ""))
    if not any(line.strip() for line in lines):
        errors.append("pdf: no text layer (scanned images?)")
    return lines, grids, errors, image_pages


def render_pages(data: bytes, pages: list[int], *, scale: float = RENDER_SCALE, max_pages: int = MAX_OCR_PAGES):
    """(page index, RGB array) of the given pages rendered to bitmaps (pypdfium2), for OCR; at
    most ``max_pages``. A page that cannot be rendered comes as (page index, the exception).
    One page is held at a time, and PDFium is used under the module's lock (it is not
    thread-safe), released while the caller reads the bitmap."""
    import numpy as np
    import pypdfium2

    for index in pages[:max_pages]:
        with _PDFIUM:
            try:
                pdf = pypdfium2.PdfDocument(data)
                try:
                    page = pdf[index]
                    w, h = page.get_size()
                    # keep the bitmap under the OCR pixel cap whatever the page size
                    fit = min(scale, (MAX_RENDER_PIXELS / max(w * h, 1)) ** 0.5)
                    rgb = np.asarray(page.render(scale=fit).to_pil().convert("RGB"))
                finally:
                    pdf.close()
            except Exception as exc:  # noqa: BLE001 - pdfium raises its own error types for broken pages
                rgb = exc
        yield index, rgb
