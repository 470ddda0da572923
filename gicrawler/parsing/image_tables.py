"""Tables read from images (ocr.py) → the record's tables, with their source and trust.

An OCR'd grid goes through the same template mapping as an HTML table (tables.extract_tables
with the grid as its only input). What comes out is trusted only when the template's 勾稽
identities (checks.py) hold on it:

- table B: received + carried_over = total + carried_forward, results sum to (七)总计, rows sum
  to 总计 — all three must be checkable and pass;
- table C: every group's 总计 = 维持 + 纠正 + 其他 + 尚未审结;
- table A has no identity: each number is read a second time (its crop enlarged, recognised
  again); a number the two readings disagree on is left out (null), the rest is kept.

A table that fails is kept out of ``tables`` (a misread digit must never pass as a trusted
number): ``missing_tables[key]`` says ``"ocr unverified: …"`` with the failing rule, and
``tables_source[key]`` records the OCR with ``verified: false`` and what failed, so the values can
be looked at again (the image is stored raw). ``tables_source[key]`` is, for every OCR'd table,
``{"source": "ocr", "confidence": mean cell confidence, "min_confidence": …, "verified": bool,
"verified_by": "identities" | "second reading"}`` (confidence is the recogniser's own score: a
lone "0" scores 0.5–0.85 although it is read right, so it is reported, not used as a gate).
"""
from __future__ import annotations

from typing import Callable, Iterable

from gicrawler.parsing import checks as C
from gicrawler.parsing.ocr import OcrGrid, confirm
from gicrawler.parsing.tables import TABLE_KEYS, extract_tables, parse_value

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


def _is_number(text: str) -> bool:
    v = parse_value(text) if text else None
    return v is not None and v.num is not None


def _confirmed_cells(grid: OcrGrid, cells: list) -> tuple[list, int]:
    """Cells with every number that a second reading does not confirm blanked; and how many."""
    agree = confirm(grid, lambda text: _is_number(text))
    out, dropped = [], set()
    for r, (row, arow) in enumerate(zip(cells, agree)):
        out.append(list(row))
        for c, ok in enumerate(arow):
            if ok is False:
                out[r][c] = ""
                dropped.add(id(grid.crops[r][c]))
    return out, len(dropped)


def tables_from_grids(grids: Iterable[OcrGrid], normalize: Callable[[str], str] | None = None) -> dict:
    """OCR'd grids → {"tables", "template", "missing_tables", "tables_source", "notes"} (tables
    trusted only; notes: glued rows decoded or ambiguous).

    ``normalize``: applied to every cell first (the document readers' text normalisation)."""
    tables, templates, missing, sources, notes = {}, {}, {}, {}, []
    for grid in grids:
        cells = [[normalize(c) if normalize else c for c in row] for row in grid.cells]
        found = extract_tables("", [cells])
        notes.extend(found.get("notes") or ())
        for key in TABLE_KEYS:
            table = found["tables"].get(key)
            if not table or key in tables:
                continue
            source = {"source": "ocr", "confidence": grid.table_confidence,
                      "min_confidence": grid.min_confidence}
            if key == "active":
                # no identity to check: every number must read the same twice, or it is left out
                confirmed, dropped = _confirmed_cells(grid, cells)
                if dropped:
                    table = extract_tables("", [confirmed])["tables"].get(key)
                    source["unconfirmed_cells"] = dropped
                ok, failed = bool(table), ([] if table else ["no number confirmed by a second reading"])
                source["verified_by"] = "second reading"
            else:
                ok, failed = _verify(key, table)
                source["verified_by"] = "identities"
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
    return {"tables": tables, "template": template, "missing_tables": missing, "tables_source": sources,
            "notes": notes}


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
