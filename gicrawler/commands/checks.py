"""``gicrawler checks``: the checks across the stored records (gicrawler/analysis/crosschecks.py).

Prints the failing findings as a table (``--all``: the passing ones too) and a count per rule,
or every finding as JSON lines (``--format jsonl``). Exit status 1 when a check fails, 2 when
the store cannot be read or holds no reports.
"""
from __future__ import annotations

import json
import sys
import unicodedata
from collections import Counter

from gicrawler.analysis import crosschecks
from gicrawler.commands import reader_gone, store_errors
from gicrawler.parsing.checks import STORE_RULES
from gicrawler.store import open_store

help = "run the checks across the stored reports (carried forward/over, copies, changes, duplicates)"


def add_arguments(parser) -> None:
    parser.add_argument("--store", default=None,
                        help="store URI (mongodb://…/dbname or sqlite:///path); default $GICRAWLER_STORE "
                             "or sqlite:///data/gicrawler.sqlite3")
    parser.add_argument("--portal", default=None, help="only this portal's reports")
    parser.add_argument("--format", choices=("table", "jsonl"), default="table")
    parser.add_argument("--all", action="store_true", help="list the passing findings too (table format)")
    parser.add_argument("--no-reparse", action="store_true",
                        help="judge a changed page by its versions alone, without re-parsing its raw versions")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_table(findings: list[dict], show_all: bool = False) -> str:
    rows = [f for f in findings if show_all or not f["ok"]]
    lines = []
    if rows:
        agency_w = max(6, *(_width(f["agency"] or "?") for f in rows))
        rule_w = max(len(r) for r in STORE_RULES)
        lines.append(f"{_pad('rule', rule_w)}  ok    {_pad('agency', agency_w)}  year  detail")
        for f in rows:
            lines.append(f"{_pad(f['rule'], rule_w)}  {'yes' if f['ok'] else 'NO ':<4}  "
                         f"{_pad(f['agency'] or '?', agency_w)}  {f['year'] if f['year'] is not None else '?':<4}  "
                         f"{f['detail']}  {' '.join(f['urls'])}")
        lines.append("")
    checked, failed = Counter(f["rule"] for f in findings), Counter(f["rule"] for f in findings if not f["ok"])
    lines.append(f"{'rule':<34}{'checked':>8}{'failed':>8}")
    for rule in STORE_RULES:
        lines.append(f"{rule:<34}{checked[rule]:>8}{failed[rule]:>8}")
    return "\n".join(lines)


@store_errors
def run(args) -> int:
    with open_store(args.store, create=False) as store:
        if not store.count(portal=args.portal):
            print(f"gicrawler checks: no reports in {store.display}"
                  + (f" for portal {args.portal}" if args.portal else ""), file=sys.stderr)
            return 2
        verify = None if args.no_reparse else crosschecks.page_change_verifier(store)
        findings = crosschecks.run(store.find(portal=args.portal), verify=verify)
    try:
        if args.format == "jsonl":
            for f in findings:
                sys.stdout.write(json.dumps(f, ensure_ascii=False) + "\n")
        else:
            print(format_table(findings, args.all))
        sys.stdout.flush()
    except BrokenPipeError:
        return reader_gone()
    return 1 if any(not f["ok"] for f in findings) else 0
