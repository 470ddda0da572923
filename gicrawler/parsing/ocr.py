"""Tables printed as images → grids of cell texts, by OCR (rapidocr-onnxruntime, PP-OCR models).

Many reports show their tables as pictures (图片版; seed 000's tables B and C). The picture is read
here into the same *grid* the HTML/DOCX/PDF readers give (rows × columns of cell strings, merged
cells repeated into every slot they cover), so the table assemblers in tables.py map it exactly
like an HTML table. Alongside each cell its OCR confidence (0–1, the lowest of its characters).

How: the engine's detector finds the text lines, which give the text height. Ruling lines are
found with OpenCV (morphological opening of the ink with long thin kernels sized from the text
height, so that character strokes do not pass for lines); each closed region between them is a
cell. Each cell's ink is cut into its text lines (blank pixel rows between them), every line
cut tight, padded with white and recognised (identical crops once: a table is mostly "0").
Cell edges give the grid's columns and rows; a cell spanning several fills all its slots. An
image without ruling lines is laid out by geometry: detected lines are cut at blank gaps wider
than a character, and segments of one height band make a row.

The models ship inside the rapidocr-onnxruntime wheel (nothing is downloaded); the engine is
loaded once per process, on the first image (``engine()``), never at import. Input is capped
(``MAX_BYTES``, ``MAX_PIXELS``) and only PNG, JPEG and GIF are read; anything else is an
``OcrError`` with a one-line reason.
"""
from __future__ import annotations

import io
import logging
import re
import threading
from dataclasses import dataclass, field
from statistics import median

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024          # an image table is a few hundred KB; 20 MB is a scan at most
MAX_PIXELS = 40_000_000               # e.g. 5000 × 8000: a long page screenshot
FORMATS = ("PNG", "JPEG", "GIF")
REC_MIN_WIDTH = 160          # half the default: cells are short, recognition twice as fast
REC_BATCH = 16
BLANK_INK = 0.0005                   # an image with less dark ink than this share holds no text
MIN_TABLE_CELLS = 4                   # fewer closed cells than this is a box, not a table

_lock = threading.Lock()
_engine = None


class OcrError(ValueError):
    """An image that cannot be read as a table (format, size, no text): a one-line reason."""


@dataclass
class OcrGrid:
    """One table read from an image: cell texts and confidences (None for an empty slot)."""
    cells: list                      # list[list[str]]
    confidence: list                 # list[list[float | None]]
    ruled: bool                      # True: cells from ruling lines; False: laid out by geometry
    bbox: tuple = (0, 0, 0, 0)       # where the table is in the image (x0, y0, x1, y1)
    crops: list = field(default_factory=list, repr=False)   # per slot: the cell's line crops

    @property
    def table_confidence(self) -> float | None:
        """The mean confidence of the non-empty cells (each distinct cell once)."""
        scores = [c for row in self.confidence for c in row if c is not None]
        return round(sum(scores) / len(scores), 4) if scores else None

    @property
    def min_confidence(self) -> float | None:
        scores = [c for row in self.confidence for c in row if c is not None]
        return round(min(scores), 4) if scores else None


@dataclass
class OcrPage:
    """An image read whole: its tables, and the text lines outside every table."""
    tables: list                     # list[OcrGrid], top to bottom
    lines: list                      # list[str]: text outside the tables, in reading order
    seconds: float = 0.0


# ---------------------------------------------------------------- input
def load_image(data: bytes):
    """Image bytes → RGB numpy array; OcrError for anything not a capped PNG/JPEG/GIF."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise OcrError(f"image: bytes expected, not {type(data).__name__}")
    if len(data) > MAX_BYTES:
        raise OcrError(f"image: {len(data)} bytes, over the {MAX_BYTES} byte limit")
    try:
        img = Image.open(io.BytesIO(bytes(data)))      # reads the header only
    except (UnidentifiedImageError, OSError) as exc:
        raise OcrError(f"image: not a readable picture ({type(exc).__name__})") from None
    if img.format not in FORMATS:
        raise OcrError(f"image: format {img.format} not read (only {', '.join(FORMATS)})")
    w, h = img.size
    if w * h > MAX_PIXELS:
        raise OcrError(f"image: {w}×{h} pixels, over the {MAX_PIXELS} pixel limit")
    if w < 8 or h < 8:
        raise OcrError(f"image: {w}×{h} pixels, too small to hold a table")
    try:
        img.seek(0)                                    # a GIF's first frame
        rgb = img.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise OcrError(f"image: cannot decode ({type(exc).__name__}: {str(exc)[:80]})") from None
    return np.asarray(rgb)


# ---------------------------------------------------------------- engine
def engine():
    """The process's OCR engine, loaded on first use (about 0.5 s; models from the wheel)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                try:
                    from rapidocr_onnxruntime import RapidOCR
                except ImportError as exc:       # the dependency is declared; say so if it is absent
                    raise OcrError(f"ocr: rapidocr-onnxruntime not installed ({exc})") from None
                logging.getLogger("RapidOCR").setLevel(logging.WARNING)
                _engine = RapidOCR(print_verbose=False, rec_img_shape=[3, 48, REC_MIN_WIDTH],
                                   rec_batch_num=REC_BATCH)
    return _engine


def _bgr(rgb):
    import numpy as np
    return np.ascontiguousarray(rgb[:, :, ::-1])        # the engine takes OpenCV's BGR order


def text_boxes(rgb) -> list[tuple]:
    """Text detection only: (x0, y0, x1, y1) of every text line."""
    boxes, _ = engine()(_bgr(rgb), use_cls=False, use_rec=False)
    out = []
    for box in boxes or ():
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def recognize(crops: list) -> list[tuple[str, float]]:
    """Recognition of single-line crops (BGR arrays) → (text, score); identical crops once."""
    unique: dict = {}
    keys = []
    for crop in crops:
        key = (crop.shape, crop.tobytes())
        keys.append(key)
        unique.setdefault(key, crop)
    order = list(unique)
    results, _ = engine().text_rec([unique[k] for k in order]) if order else ([], 0)
    found = {k: (text, float(score)) for k, (text, score) in zip(order, results)}
    return [found[k] for k in keys]


# ---------------------------------------------------------------- ruling lines → cells
def ink_mask(rgb):
    """Dark pixels (text and lines) as a 0/255 mask; adaptive, so grey lines and JPEG noise
    on a light background come out alike."""
    import cv2
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12)


def find_tables(ink, text_height: float) -> list[list[tuple]]:
    """Ruled tables in the image: for each, its cells as (x0, y0, x1, y1) rectangles, each the
    inside of one closed region of ruling lines."""
    import cv2
    import numpy as np

    # A line runs further than any stroke of a character: longer than one character box.
    hlen = max(12, int(text_height * 1.6))
    vlen = max(10, int(text_height * 0.95))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hlen, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vlen)))
    lines = cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    tables = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if w < text_height * 4 or h < text_height * 1.5:
            continue                              # a rule under a heading, a stray mark
        region = 255 - lines[y:y + h, x:x + w]
        n, _, cstats, _ = cv2.connectedComponentsWithStats(region, connectivity=4)
        cells = []
        for j in range(1, n):
            cx, cy, cw, ch, area = cstats[j]
            if cx == 0 or cy == 0 or cx + cw >= w or cy + ch >= h:
                continue                          # outside the frame
            if cw < 4 or ch < 4 or area < 0.6 * cw * ch:
                continue                          # a gap between doubled lines
            cells.append((int(x + cx), int(y + cy), int(x + cx + cw), int(y + cy + ch)))
        if len(cells) >= MIN_TABLE_CELLS:
            tables.append(cells)
    tables.sort(key=lambda cells: min(c[1] for c in cells))
    return tables


def cell_crops(bgr, ink, cell: tuple, text_height: float) -> list:
    """The text lines inside one cell as padded crops, top to bottom ([] for an empty cell).

    Lines are told apart by blank pixel rows; each crop is cut tight around its ink and padded
    with white (recognition of a lone "0" in a wide blank cell is unreliable, a tight one is not)."""
    import numpy as np

    x0, y0, x1, y1 = cell
    inset = 2
    sub = ink[y0 + inset:y1 - inset, x0 + inset:x1 - inset]
    if sub.size == 0 or np.count_nonzero(sub) < max(4, text_height * 0.4):
        return []
    rows = np.flatnonzero(sub.any(axis=1))
    bands, start, prev = [], rows[0], rows[0]
    gap = max(2, int(text_height * 0.12))
    for r in rows[1:]:
        if r - prev > gap:
            bands.append((start, prev + 1))
            start = r
        prev = r
    bands.append((start, prev + 1))
    pad = max(4, int(text_height * 0.25))
    crops = []
    for b0, b1 in bands:
        band = sub[b0:b1]
        if np.count_nonzero(band) < 3 or b1 - b0 < 2:
            continue                              # a speck
        cols = np.flatnonzero(band.any(axis=0))
        a0, a1 = cols[0], cols[-1] + 1
        piece = bgr[y0 + inset + b0:y0 + inset + b1, x0 + inset + a0:x0 + inset + a1]
        crop = np.full((piece.shape[0] + 2 * pad, piece.shape[1] + 2 * pad, 3), 255, np.uint8)
        crop[pad:pad + piece.shape[0], pad:pad + piece.shape[1]] = piece
        crops.append(crop)
    return crops


def _edges(values: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _nearest(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


_DIGIT_LOOKALIKES = str.maketrans("oO〇", "000")


def _join(parts: list[str]) -> str:
    """Lines of one cell: wrapped label lines join without a space (CJK), numbers with one.
    A cell of digits and round letters is a number: "o" and "1o" are 0 and 10 (a lone "0" in a
    narrow crop reads as "o" as often as not)."""
    if parts and all(re.fullmatch(r"[\d,.oO〇]+", p) and re.search(r"[\doO〇]", p) for p in parts):
        parts = [p.translate(_DIGIT_LOOKALIKES) for p in parts]
    out = ""
    for p in parts:
        if out and out[-1].isascii() and out[-1].isalnum() and p[:1].isascii() and p[:1].isalnum():
            out += " "
        out += p
    return out


def ruled_grid(cells: list[tuple], texts: list[tuple[str, float | None]], text_height: float,
               crops: list | None = None) -> OcrGrid:
    """Cells (rectangles) with their (text, confidence) → the expanded grid: a merged cell's
    text repeats into every slot it covers, as in the HTML readers' grids. ``crops``: each
    cell's line crops (kept for ``confirm``)."""
    crops = crops or [()] * len(cells)
    tol = max(3.0, text_height * 0.3)
    xs = _edges([c[0] for c in cells] + [c[2] for c in cells], tol)
    ys = _edges([c[1] for c in cells] + [c[3] for c in cells], tol)
    grid = [[""] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    conf: list[list] = [[None] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    covered = [[False] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    held: list[list] = [[()] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    for (x0, y0, x1, y1), (text, score), crop in zip(cells, texts, crops):
        c0, c1 = _nearest(xs, x0), _nearest(xs, x1)
        r0, r1 = _nearest(ys, y0), _nearest(ys, y1)
        for r in range(r0, max(r1, r0 + 1)):
            for c in range(c0, max(c1, c0 + 1)):
                if r < len(grid) and c < len(grid[r]):
                    grid[r][c], conf[r][c], covered[r][c], held[r][c] = text, score, True, crop
    # bands no cell covers (the gap between doubled lines) would be phantom rows and columns
    keep_rows = [r for r in range(len(grid)) if any(covered[r])]
    keep_cols = [c for c in range(len(xs) - 1) if any(covered[r][c] for r in range(len(grid)))]
    grid = [[grid[r][c] for c in keep_cols] for r in keep_rows]
    conf = [[conf[r][c] for c in keep_cols] for r in keep_rows]
    held = [[held[r][c] for c in keep_cols] for r in keep_rows]
    bbox = (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells))
    return OcrGrid(grid, conf, ruled=True, bbox=bbox, crops=held)


# ---------------------------------------------------------------- no ruling lines
def box_segments(ink, box: tuple, text_height: float) -> list[tuple]:
    """A detected text line cut at blank gaps wider than a character: the cells a table without
    ruling lines prints on one line ("64   0   0   2" is detected as one line)."""
    import numpy as np

    h, w = ink.shape
    x0, y0, x1, y1 = max(0, int(box[0])), max(0, int(box[1])), min(w, int(box[2]) + 1), min(h, int(box[3]) + 1)
    sub = ink[y0:y1, x0:x1]
    cols = np.flatnonzero(sub.any(axis=0)) if sub.size else []
    if len(cols) == 0:
        return []
    gap = max(4, int(text_height * 0.9))
    out, start, prev = [], cols[0], cols[0]
    for c in cols[1:]:
        if c - prev > gap:
            out.append((x0 + start, y0, x0 + prev + 1, y1))
            start = c
        prev = c
    out.append((x0 + start, y0, x0 + prev + 1, y1))
    return out


def geometry_grid(segments: list[tuple], texts: list[tuple[str, float]], text_height: float,
                  crops: list | None = None) -> OcrGrid | None:
    """Text segments of an unruled table → rows of cells (ragged: each row lists its cells left
    to right; the assemblers read a row as label cells then values, as for any grid row)."""
    crops = crops or [None] * len(segments)
    items = [(seg, (*t, crop)) for seg, t, crop in zip(segments, texts, crops) if t[0].strip()]
    if not items:
        return None
    items.sort(key=lambda it: (it[0][1] + it[0][3]) / 2)
    bands: list[list] = []
    for seg, t in items:
        cy = (seg[1] + seg[3]) / 2
        if bands and abs(cy - median((s[1] + s[3]) / 2 for s, _ in bands[-1])) < text_height * 0.5:
            bands[-1].append((seg, t))
        else:
            bands.append([(seg, t)])
    grid, conf, held = [], [], []
    for band in bands:
        band.sort(key=lambda it: it[0][0])
        grid.append([_join([t[0].strip()]) for _, t in band])
        conf.append([t[1] for _, t in band])
        held.append([(t[2],) if t[2] is not None else () for _, t in band])
    bbox = (min(s[0] for s, _ in items), min(s[1] for s, _ in items),
            max(s[2] for s, _ in items), max(s[3] for s, _ in items))
    return OcrGrid(grid, conf, ruled=False, bbox=bbox, crops=held)


def _crop(bgr, rect: tuple, pad: int):
    import numpy as np
    x0, y0, x1, y1 = (int(v) for v in rect)
    piece = bgr[max(0, y0):y1, max(0, x0):x1]
    crop = np.full((piece.shape[0] + 2 * pad, piece.shape[1] + 2 * pad, 3), 255, np.uint8)
    crop[pad:pad + piece.shape[0], pad:pad + piece.shape[1]] = piece
    return crop


# ---------------------------------------------------------------- entry points
def read_page(data: bytes | None = None, *, rgb=None, want_text: bool = True) -> OcrPage:
    """An image (bytes, or an RGB array) → its tables and (``want_text``) the text outside them."""
    import time

    started = time.monotonic()
    if rgb is None:
        rgb = load_image(data)
    ink = ink_mask(rgb)
    if int(ink.max(initial=0)) == 0 or ink.mean() < 255 * BLANK_INK:
        raise OcrError("image: no text found (blank)")       # without loading the engine
    boxes = text_boxes(rgb)
    if not boxes:
        raise OcrError("image: no text found")
    heights = sorted(b[3] - b[1] for b in boxes if b[3] > b[1])
    text_height = median(heights) if heights else 16.0
    bgr = _bgr(rgb)
    found = find_tables(ink, text_height)
    if not found:                                  # no ruling lines: lay the text out by geometry
        pad = max(4, int(text_height * 0.25))
        segments = [seg for b in boxes for seg in box_segments(ink, b, text_height)]
        crops = [_crop(bgr, seg, pad) for seg in segments]
        grid = geometry_grid(segments, recognize(crops), text_height, crops)
        return OcrPage([grid] if grid else [], [], round(time.monotonic() - started, 3))
    crops, owners = [], []
    for t, cells in enumerate(found):
        for i, cell in enumerate(cells):
            for crop in cell_crops(bgr, ink, cell, text_height):
                crops.append(crop)
                owners.append((t, i))
    bboxes = [(min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells),
               max(c[3] for c in cells)) for cells in found]
    outside = []
    if want_text:
        for b in boxes:
            cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
            if not any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in bboxes):
                x0, y0, x1, y1 = (max(0, int(v)) for v in b)
                if x1 > x0 and y1 > y0:
                    outside.append((b, bgr[y0:y1, x0:x1]))
    results = recognize(crops + [crop for _, crop in outside])
    parts: dict = {}
    for owner, result in zip(owners, results):
        parts.setdefault(owner, []).append(result)
    held: dict = {}
    for owner, crop in zip(owners, crops):
        held.setdefault(owner, []).append(crop)
    tables = []
    for t, cells in enumerate(found):
        texts = []
        for i in range(len(cells)):
            got = parts.get((t, i), [])
            kept = [(text, score) for text, score in got if text.strip()]
            texts.append((_join([text.strip() for text, _ in kept]), min(score for _, score in kept))
                         if kept else ("", None))
        tables.append(ruled_grid(cells, texts, text_height, [tuple(held.get((t, i), ())) for i in range(len(cells))]))
    rest = sorted(zip((b for b, _ in outside), results[len(crops):]),
                  key=lambda br: (round(br[0][1] / max(text_height, 1)), br[0][0]))
    text = [t for _, (t, score) in rest if t.strip()]
    return OcrPage(tables, text, round(time.monotonic() - started, 3))


def confirm(grid: OcrGrid, wanted) -> list[list[bool | None]]:
    """A second, independent reading of the cells whose text ``wanted(text)`` accepts: their crops
    enlarged by half and recognised again. Per slot: True (both readings agree), False (they
    differ: the cell is not to be trusted), None (not asked, or nothing kept to read again)."""
    import cv2

    asked: dict[int, tuple] = {}
    for row, crow in zip(grid.cells, grid.crops):
        for text, crops in zip(row, crow):
            if crops and wanted(text):
                asked.setdefault(id(crops), crops)
    flat = [(key, i, cv2.resize(crop, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC))
            for key, crops in asked.items() for i, crop in enumerate(crops)]
    again = recognize([crop for _, _, crop in flat])
    texts: dict[int, list] = {}
    for (key, _, _), (text, _) in zip(flat, again):
        if text.strip():
            texts.setdefault(key, []).append(text.strip())
    return [[(_join(texts.get(id(crops), [])) == text) if crops and id(crops) in asked else None
             for text, crops in zip(row, crow)] for row, crow in zip(grid.cells, grid.crops)]


def read_table_image(data: bytes) -> OcrGrid:
    """The largest table of an image (OcrError when it holds none)."""
    page = read_page(data, want_text=False)
    if not page.tables:
        raise OcrError("image: no table found")
    return max(page.tables, key=lambda t: sum(len(r) for r in t.cells))
