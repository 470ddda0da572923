"""``gicrawler reparse``: run the current parser over the stored raw pages, without crawling.

Only the parsed fields of a record are rewritten (tables, metadata, checks, missing_tables,
template, parse_error, ...); its lifecycle (first_seen, last_crawled, versions) is not touched.

Each report (page and attachments) is parsed in a child process under the crawl's
per-document time limit (``--timeout``, default $GICRAWLER_PARSE_TIMEOUT or 300 s; 0 = none).
A report past it keeps its old parse; it is named on stderr, counted in the summary, and the
run exits 1.
"""
from __future__ import annotations

import sys

from tqdm import tqdm

from gicrawler.commands import store_errors
from gicrawler.pipelines.record import parse_page
from gicrawler.runner import ChildDied, ChildRunner, RunTimeout, parse_timeout
from gicrawler.store import open_store
from gicrawler.store.records import PARSED_FIELDS

help = "re-parse the stored raw pages with the current parser and update the records"


def add_arguments(parser) -> None:
    parser.add_argument("--store", default=None,
                        help="store URI (mongodb://…/dbname or sqlite:///path); default $GICRAWLER_STORE "
                             "or sqlite:///data/gicrawler.sqlite3")
    parser.add_argument("--portal", default=None, help="only this portal's reports")
    parser.add_argument("--timeout", default=None, metavar="SECONDS",
                        help="time limit per report (default $GICRAWLER_PARSE_TIMEOUT, else 300; 0 = none)")


def page_item(record: dict, raws: list[dict]) -> dict:
    """The stored record and raw bodies, in the shape of the ReportPage the crawl produced."""
    page = next((r for r in raws if r["role"] == "page"), None)
    by_url = {r["url"]: r for r in raws if r["role"] == "attachment"}
    attachments = []
    for att in record.get("attachments") or ():
        raw = by_url.get(att.get("url"))
        attachments.append({**att, "body": raw["body"] if raw else None,
                            "content_type": att.get("content_type") or (raw or {}).get("content_type")})
    return {**{k: record.get(k) for k in ("url", "portal", "region", "list_url", "list_title", "list_date",
                                          "etag", "last_modified")},
            "body": page["body"] if page else None,
            "content_type": page.get("content_type") if page else None,
            "metadata": {}, "attachments": attachments, "fetch_error": None}


def reparse_record(record: dict, raws: list[dict], runner: ChildRunner | None = None,
                   timeout: float | None = None) -> dict | None:
    """The parsed fields that differ from the stored ones ({} when nothing changed; None when
    the page's raw body is not in the store, so there is nothing to re-parse). With a runner,
    the parse runs in its child process: RunTimeout past ``timeout`` s, ChildDied if it dies."""
    if not any(r["role"] == "page" for r in raws):
        return None
    page = page_item(record, raws)
    fresh = runner.run(parse_page, page, timeout=timeout) if runner is not None else parse_page(page)
    return {key: fresh.get(key) for key in PARSED_FIELDS if fresh.get(key) != record.get(key)}


@store_errors
def run(args) -> int:
    try:
        timeout = parse_timeout(args.timeout)
    except ValueError as exc:
        print(f"gicrawler reparse: --timeout: {exc}", file=sys.stderr)
        return 2
    changed = seen = missing = 0
    failed: list[str] = []
    with open_store(args.store, create=False) as store, ChildRunner() as runner:
        total = store.count(portal=args.portal, with_raw_only=True)  # what iter_raw yields
        pairs = store.iter_raw(portal=args.portal)
        for record, raws in tqdm(pairs, total=total, unit="report", file=sys.stderr, desc="reparse"):
            try:
                update = reparse_record(record, raws, runner if timeout else None, timeout)
            except (RunTimeout, ChildDied) as exc:   # the stored parse stands
                failed.append(record["url"])
                tqdm.write(f"gicrawler reparse: {record['url']}: {exc}; its stored parse is kept", file=sys.stderr)
                continue
            if update is None:
                missing += 1
                continue
            seen += 1
            if update:
                store.set_fields(record["url"], update)
                changed += 1
        store.flush()
    notes = [f"{seen} re-parsed"]
    if missing:
        notes.append(f"{missing} without their raw page in the store")
    if failed:
        notes.append(f"{len(failed)} not re-parsed, over the time limit or crashed: their stored parse is kept")
    print(f"{changed} records changed ({', '.join(notes)})")
    return 1 if failed else 0
