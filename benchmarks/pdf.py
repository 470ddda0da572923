"""PDF reading per page: the pdfplumber route (before) against PDFium + pdfplumber's table finder (now).

    python benchmarks/pdf.py [--rounds 15]

The inputs are the five sample reports rendered as PDF by the project's writer
(gicrawler/replicas/writers.py: ruled tables with merged cells, tables cut by page breaks).
"Before" is what ``parse_pdf`` did until PDFium took over: pdfplumber's ``extract_text`` and
``find_tables`` on every page (pdfminer interprets the page for both), and its grid assembly. "Now" is
``gicrawler.parsing.pdf.parse_pdf``. Both run in the same process, rounds alternating, so load
from other processes hits both alike; a round reads every document once. Prints CPU
milliseconds per page (median round, best round) of each, the median of the per-round ratios, and whether
both routes give the same table grids on every document (the parser's tables come from them).
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time

from gicrawler.parsing import pdf as pdf_module
from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.writers import report_pdf

SAMPLES = ("000", "001", "002", "003", "004")


def _grid_before(texts: dict, xs: list) -> list:
    """The former grid assembly (each slot looks through every cell), as it was."""
    cells = list(texts)
    ys = pdf_module._edges([c[1] for c in cells] + [max(c[3] for c in cells)])
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


def pdfplumber_route(data: bytes) -> tuple[list[str], list]:
    """The former reader, as it was: pdfplumber text + table cells on every page, the same
    grid assembly."""
    import pdfplumber

    lines, grids, last = [], [], None
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            lines.extend((page.extract_text() or "").splitlines())
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
                    grids[-1].extend(_grid_before(texts, xs))
                else:
                    grids.append(_grid_before(texts, xs))
                last = (grids[-1], xs, table.bbox[3], page.height, number)
            bool(page.images)
            page.flush_cache()
    return lines, grids


def pdfium_route(data: bytes) -> tuple[list[str], list]:
    lines, grids, _, _ = pdf_module.parse_pdf(data)
    return lines, grids


def per_page_ms(route, docs, pages: int) -> float:
    """CPU milliseconds per page of this process (both routes are single-threaded, in-process):
    less at the mercy of other processes on a shared machine than the wall clock."""
    start = time.process_time()
    for data in docs:
        route(data)
    return (time.process_time() - start) * 1000 / pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="alternating rounds (default 15)")
    args = parser.parse_args()

    docs = []
    for name in SAMPLES:
        sample = load_sample(name)
        docs.append(report_pdf(sample.record, sample.paragraphs, **sample.options))
    import pypdfium2
    pages = sum(len(pypdfium2.PdfDocument(d)) for d in docs)

    same = True
    for name, data in zip(SAMPLES, docs):
        old, new = pdfplumber_route(data)[1], pdfium_route(data)[1]
        if old != new:
            same = False
            print(f"sample {name}: the grids differ ({len(old)} tables before, {len(new)} now)")
    before, now = [], []
    for _ in range(args.rounds):
        before.append(per_page_ms(pdfplumber_route, docs, pages))
        now.append(per_page_ms(pdfium_route, docs, pages))
    ratios = [b / n for b, n in zip(before, now)]
    print(f"{len(docs)} PDFs, {pages} pages, {args.rounds} rounds")
    print(f"before (pdfplumber text + tables): {statistics.median(before):6.2f} ms/page "
          f"(best {min(before):.2f})")
    print(f"now (PDFium + pdfplumber's table finder): {statistics.median(now):6.2f} ms/page "
          f"(best {min(now):.2f})")
    print(f"ratio before/now: median {statistics.median(ratios):.1f}x "
          f"(rounds {min(ratios):.1f}x-{max(ratios):.1f}x)")
    print(f"same table grids on every document: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
