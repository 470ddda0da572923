"""``gicrawler report``: the store as one self-contained HTML page (gicrawler/analysis/report.py)."""
from __future__ import annotations

import sys
from pathlib import Path

from gicrawler.analysis import coverage, report
from gicrawler.commands import store_errors
from gicrawler.store import open_store

help = "write one self-contained HTML page: the coverage matrix (agency × year), failed checks, reports " \
       "changed after publication, plots of applications received and granted"


def add_arguments(parser) -> None:
    parser.add_argument("--store", default=None,
                        help="store URI (mongodb://…/dbname or sqlite:///path); default $GICRAWLER_STORE "
                             "or sqlite:///data/gicrawler.sqlite3")
    parser.add_argument("--portal", default=None, help="only this portal's reports")
    parser.add_argument("-o", "--output", default="report.html", help="the HTML file (default: report.html)")
    parser.add_argument("--no-reparse", action="store_true",
                        help="judge a changed page by its versions alone, without re-parsing its raw versions")


@store_errors
def run(args) -> int:
    with open_store(args.store, create=False) as store:
        summary = coverage.read_store(store, report.Summary(), args.portal, reparse=not args.no_reparse)
        display = store.display
    found = coverage.totals(summary.coverage.rows())["found"]
    if not found:
        print(f"gicrawler report: no records in {display}" + (f" for portal {args.portal}" if args.portal else ""),
              file=sys.stderr)
        return 1
    page = report.render(summary, store=display + (f" (portal {args.portal})" if args.portal else ""))
    try:
        Path(args.output).write_text(page, encoding="utf-8")
    except OSError as exc:
        print(f"gicrawler report: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}: {found} report links, {len(summary.failed)} failed checks, "
          f"{len(summary.changed)} changed after publication", file=sys.stderr)
    return 0
