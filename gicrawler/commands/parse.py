"""``gicrawler parse FILE [FILE ...]``: parse report documents, one JSON record per line.

A file that cannot be read at all is reported on stderr (one line naming it) and the run
goes on; the exit code is then 1. A record that parsed with errors is still exit 0.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from gicrawler.commands import reader_gone

help = "parse report files (HTML, text, PDF, DOCX; '-' = stdin) and print one JSON record per line"

OUTPUT_KEYS = ("title", "index_number", "document_number", "publisher", "published", "category",
               "agency", "year", "template", "tables", "missing_tables", "checks", "format", "errors")


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="report file, or - for stdin")
    parser.add_argument("--text", action="store_true", help="include the normalised body text")
    parser.add_argument("--explain", action="store_true",
                        help="instead of JSON: per table row, its values, the rule that placed them and the "
                             "source block or line")
    parser.add_argument("--content-type", default=None,
                        help="HTTP Content-Type to assume (e.g. 'text/html; charset=gbk')")


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    return Path(name).read_bytes()


def run(args) -> int:
    from gicrawler.parsing import UnreadableDocument, parse_report

    failed = 0
    out = sys.stdout
    for name in args.files:
        label = "<stdin>" if name == "-" else name
        explained = [] if args.explain else None
        try:
            data = _read(name)
            record = parse_report(data, filename=None if name == "-" else Path(name).name,
                                  content_type=args.content_type, explain=explained)
        except (OSError, UnreadableDocument) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            print(f"gicrawler parse: {label}: {reason}", file=sys.stderr)
            failed += 1
            continue
        except Exception as exc:  # noqa: BLE001 - a parser bug on one file: say so, go on with the rest
            print(f"gicrawler parse: {label}: parser error: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed += 1
            continue
        keys = OUTPUT_KEYS + (("text",) if args.text else ())
        line = {key: record.get(key) for key in keys}
        line["source_file"] = label
        try:
            if explained is not None:
                from gicrawler.parsing.explain import explain_lines
                out.write("\n".join([f"== {label}", *explain_lines(record, explained)]) + "\n")
            else:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            out.flush()
        except BrokenPipeError:
            return reader_gone()
    return 1 if failed else 0
