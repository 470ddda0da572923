"""Tables read from images (ocr.py) → the record's tables, with their source and trust.

An OCR'd grid goes through the same template mapping as an HTML table (tables.extract_tables
with the grid as its only input). What comes out is trusted only when the template's 勾稽
identities (checks.py) hold on it:

- table B: received + carried_over = total + carried_forward, results sum to (七)总计, rows sum
  to 总计 — all three must be checkable and pass;
- table C: every group's 总计 = 维持 + 纠正 + 其他 + 尚未审结;
- table A has no identity: it is trusted only when every number cell was read with confidence
  at least ``MIN_UNCHECKED_CONFIDENCE``.

A table that fails is kept out of ``tables`` (a misread digit must never pass as a trusted
number): ``missing_tables[key]`` says ``"ocr unverified: …"`` with the failing rule, and
``tables_source[key]`` records the OCR with ``verified: false`` and what failed, so the values can
be looked at again (the image is stored raw). ``tables_source[key]`` is, for every OCR'd table,
``{"source": "ocr", "confidence": mean cell confidence, "min_confidence": …, "verified": bool}``.
"""
from __future__ import annotations

from typing import Callable, Iterable

from gicrawler.parsing import checks as C
from gicrawler.parsing.ocr import OcrGrid
from gicrawler.parsing.tables import TABLE_KEYS, extract_tables, parse_value

# A lone "0" reads at about 0.8 (the model hesitates between "0" and "o", both 0 here).
MIN_UNCHECKED_CONFIDENCE = 0.75


def _verify(key: str, table: dict) -> tuple[bool, list[str]]:
    """(passed, failures): the identities of table ``key`` on an OCR'd table."""
    if key == "applications":
        checks = (C.check_balance, C.check_results_sum, C.check_row_sums)
    elif key == "review_litigation":
        checks = (C.check_review_sums,)
    else:
        return False, []
    results = [fn(table) for fn in checks]
    if not all(results):
        # e.g. no 总计 column read: the row sums cannot be checked, so neither can the columns' order
        missing = [fn.__name__.removeprefix("check_") for fn, r in zip(checks, results) if not r]
        return False, ["identity not checkable: " + ", ".join(missing)]
    failed = [f"{r['rule']} ({r['detail']})" for r in results if not r["ok"]]
    return not failed, failed


def _number_confidence(grid: OcrGrid) -> float | None:
    """The lowest confidence among the grid's number cells."""
    scores = [conf for row, crow in zip(grid.cells, grid.confidence) for text, conf in zip(row, crow)
              if conf is not None and text and (v := parse_value(text)) is not None and v.num is not None]
    return min(scores) if scores else None


def tables_from_grids(grids: Iterable[OcrGrid], normalize: Callable[[str], str] | None = None) -> dict:
    """OCR'd grids → {"tables", "template", "missing_tables", "tables_source"} (tables trusted only).

    ``normalize``: applied to every cell first (the document readers' text normalisation)."""
    tables, templates, missing, sources = {}, {}, {}, {}
    for grid in grids:
        cells = [[normalize(c) if normalize else c for c in row] for row in grid.cells]
        found = extract_tables("", [cells])
        for key in TABLE_KEYS:
            table = found["tables"].get(key)
            if not table or key in tables:
                continue
            source = {"source": "ocr", "confidence": grid.table_confidence,
                      "min_confidence": grid.min_confidence}
            if key == "active":
                low = _number_confidence(grid)
                ok = low is not None and low >= MIN_UNCHECKED_CONFIDENCE
                failed = [] if ok else [f"no identity to check and a number read with confidence "
                                        f"{low if low is None else round(low, 3)} < {MIN_UNCHECKED_CONFIDENCE}"]
            else:
                ok, failed = _verify(key, table)
            source["verified"] = ok
            if ok:
                tables[key] = table
                if found["template"]:
                    templates.setdefault(key, found["template"])
                missing.pop(key, None)
            else:
                source["failed"] = failed
                missing[key] = "ocr unverified: " + "; ".join(failed)[:300]
            sources[key] = source
    template = templates.get("active") or templates.get("applications")
    return {"tables": tables, "template": template, "missing_tables": missing, "tables_source": sources}


# ---------------------------------------------------------------- documents → OCR'd grids
MAX_OCR_SECONDS = 180.0     # OCR of one document's pictures; what is left is reported, not waited for


def ocr_image(data: bytes) -> tuple[list[str], list[OcrGrid], list[str]]:
    """A PNG/JPEG/GIF document (an attachment, a table picture): (text lines, grids, errors)."""
    from gicrawler.parsing.ocr import OcrError, read_page
    try:
        page = read_page(data)
    except OcrError as exc:
        return [], [], [str(exc)]
    errors = [] if page.tables else ["image: no table found"]
    return page.lines, page.tables, errors


def ocr_pdf_pages(data: bytes, pages: list[int]) -> tuple[list[str], list[OcrGrid], list[str]]:
    """PDF pages that are pictures (pdf.parse_pdf's image_pages), rendered and OCR'd."""
    import time

    from gicrawler.parsing.ocr import OcrError, read_page
    from gicrawler.parsing.pdf import MAX_OCR_PAGES, render_pages

    lines: list[str] = []
    grids: list[OcrGrid] = []
    errors: list[str] = []
    if len(pages) > MAX_OCR_PAGES:
        errors.append(f"pdf: only the first {MAX_OCR_PAGES} of {len(pages)} image pages OCR'd")
    started = time.monotonic()
    try:
        for index, rgb in render_pages(data, pages):
            if isinstance(rgb, Exception):
                errors.append(f"pdf: page {index + 1} not rendered for OCR ({type(rgb).__name__})")
                continue
            try:
                page = read_page(rgb=rgb)
            except OcrError as exc:
                errors.append(f"pdf: page {index + 1}: {exc}")
                continue
            lines.extend(page.lines)
            grids.extend(page.tables)
            if time.monotonic() - started > MAX_OCR_SECONDS:
                errors.append(f"pdf: OCR stopped after page {index + 1} ({MAX_OCR_SECONDS:.0f} s limit)")
                break
    except Exception as exc:   # pdfium could not open what pdfplumber read: no OCR, the text stands
        errors.append(f"pdf: pages not rendered for OCR ({type(exc).__name__}: {str(exc)[:80]})")
    return lines, grids, errors
