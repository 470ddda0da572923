"""``gicrawler coverage``: agencies × years of a store — found, parsed, tables missing, image-only,
unreachable, checks failing (gicrawler/analysis/coverage.py computes it)."""
from __future__ import annotations

import csv
import json
import sys
import unicodedata

from gicrawler.analysis import coverage
from gicrawler.commands import reader_gone, store_errors
from gicrawler.store import open_store

help = "print the coverage of a store: agencies × years — found, parsed, tables missing, image-only, " \
       "unreachable, checks failing"

HEADINGS = {"agency": "agency", "year": "year", "status": "status", "found": "found", "parsed": "parsed",
            "tables_missing": "tables missing", "image_only": "image-only", "unreachable": "unreachable",
            "checks_failing": "checks failing", "failed_rules": "failed rules", "portals": "portals"}
_NUMERIC = set(coverage.COUNTS) | {"year"}


def add_arguments(parser) -> None:
    parser.add_argument("--store", default=None,
                        help="store URI (mongodb://…/dbname or sqlite:///path); default $GICRAWLER_STORE "
                             "or sqlite:///data/gicrawler.sqlite3")
    parser.add_argument("--portal", default=None, help="only this portal's reports")
    parser.add_argument("--format", choices=("table", "jsonl", "csv"), default="table")
    parser.add_argument("-o", "--output", default=None, help="output file (default: standard output)")
    parser.add_argument("--no-reparse", action="store_true",
                        help="judge a changed page by its versions alone, without re-parsing its raw versions")


def _cell(value) -> str:
    if value is None:
        return "?"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def format_table(rows: list[dict]) -> str:
    columns = list(coverage.COLUMNS)
    total = {"agency": "total", "year": "", "status": "", **coverage.totals(rows), "failed_rules": [], "portals": []}
    cells = [[HEADINGS[c] for c in columns]] + [[_cell(r[c]) for c in columns] for r in rows + [total]]
    widths = [max(_width(line[i]) for line in cells) for i in range(len(columns))]
    return "\n".join("  ".join(_pad(text, widths[i], columns[i] in _NUMERIC) for i, text in enumerate(line)).rstrip()
                     for line in cells)


def write(rows: list[dict], fmt: str, out) -> None:
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(coverage.COLUMNS)
        writer.writerows([["" if row[c] is None else _cell(row[c]) for c in coverage.COLUMNS] for row in rows])
    else:
        out.write(format_table(rows) + "\n")


@store_errors
def run(args) -> int:
    with open_store(args.store, create=False) as store:
        rows = coverage.of_store(store, args.portal, reparse=not args.no_reparse)
    if not rows:
        print(f"gicrawler coverage: no records in {store.display}"
              + (f" for portal {args.portal}" if args.portal else ""), file=sys.stderr)
        return 1
    try:
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                write(rows, args.format, out)
        else:
            write(rows, args.format, sys.stdout)
    except BrokenPipeError:
        return reader_gone()
    except OSError as exc:
        print(f"gicrawler coverage: cannot write {args.output or 'standard output'}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    return 0
