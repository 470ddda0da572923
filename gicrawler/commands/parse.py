"""``gicrawler parse FILE [FILE ...]``: parse report documents, one JSON record per line.

A file that cannot be read at all is reported on stderr (one line naming it) and the run
goes on; the exit code is then 1. A record that parsed with errors is still exit 0.

Each document is parsed in a child process under the crawl's per-document time limit
(``--timeout``, default $GICRAWLER_PARSE_TIMEOUT or 300 s; 0 = none): a document past it has
its parse killed and gets a JSON line with every field null and ``parse_error`` saying so
(and a line on stderr); the run goes on and exits 1.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from gicrawler.commands import reader_gone

help = "parse report files (HTML, text, PDF, DOCX; '-' = stdin) and print one JSON record per line"

OUTPUT_KEYS = ("title", "index_number", "document_number", "publisher", "published", "category",
               "agency", "agency_kind", "year", "template", "tables", "missing_tables", "checks", "format", "errors")


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="report file, or - for stdin")
    parser.add_argument("--text", action="store_true", help="include the normalised body text")
    parser.add_argument("--explain", action="store_true",
                        help="instead of JSON: per table row, its values, the rule that placed them and the "
                             "source block or line")
    parser.add_argument("--content-type", default=None,
                        help="HTTP Content-Type to assume (e.g. 'text/html; charset=gbk')")
    parser.add_argument("--timeout", default=None, metavar="SECONDS",
                        help="time limit per document (default $GICRAWLER_PARSE_TIMEOUT, else 300; 0 = none)")


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    return Path(name).read_bytes()


def parse_explained(data: bytes, **options) -> tuple[dict, list | None]:
    """parse_report, with what --explain prints collected (module level: the child runs it)."""
    from gicrawler.parsing import parse_report
    explained: list | None = [] if options.pop("explain", False) else None
    return parse_report(data, explain=explained, **options), explained


def run(args) -> int:
    from gicrawler.parsing import UnreadableDocument
    from gicrawler.runner import ChildDied, ChildRunner, RunTimeout, parse_timeout

    try:
        timeout = parse_timeout(args.timeout)
    except ValueError as exc:
        print(f"gicrawler parse: --timeout: {exc}", file=sys.stderr)
        return 2
    keys = OUTPUT_KEYS + (("text",) if args.text else ())
    failed = 0
    out = sys.stdout
    with ChildRunner() as runner:
        for name in args.files:
            label = "<stdin>" if name == "-" else name
            explained = None
            try:
                data = _read(name)
                options = {"filename": None if name == "-" else Path(name).name,
                           "content_type": args.content_type, "explain": args.explain}
                if timeout:
                    record, explained = runner.run(parse_explained, data, timeout=timeout, **options)
                else:
                    record, explained = parse_explained(data, **options)
                line = {key: record.get(key) for key in keys}
            except (RunTimeout, ChildDied) as exc:   # (before OSError: RunTimeout is a TimeoutError)
                print(f"gicrawler parse: {label}: {exc}", file=sys.stderr)
                record, line = None, {**dict.fromkeys(keys), "parse_error": str(exc)}
                failed += 1
            except (OSError, UnreadableDocument) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                print(f"gicrawler parse: {label}: {reason}", file=sys.stderr)
                failed += 1
                continue
            except Exception as exc:  # noqa: BLE001 - a parser bug on one file: say so, go on with the rest
                print(f"gicrawler parse: {label}: parser error: {type(exc).__name__}: {exc}", file=sys.stderr)
                failed += 1
                continue
            line["source_file"] = label
            try:
                if explained is not None:
                    from gicrawler.parsing.explain import explain_lines
                    out.write("\n".join([f"== {label}", *explain_lines(record, explained)]) + "\n")
                elif args.explain:       # timed out: nothing to explain
                    out.write(f"== {label}\n{line['parse_error']}\n")
                else:
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
                out.flush()
            except BrokenPipeError:
                return reader_gone()
    return 1 if failed else 0
