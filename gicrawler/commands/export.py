"""``gicrawler export``: the stored records as JSON lines, or as a panel (CSV / Parquet).

The panel has one row per report and one column per table cell of BOTH national templates
(``applications.received.total``, ``active.regulations.issued``, …: dotted record paths, always
all of them, in a fixed order), then the check results (``check.<rule>``: true/false/empty).
"""
from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from typing import Iterable

from gicrawler.commands import reader_gone
from gicrawler.parsing.checks import RULES as CHECK_RULES
from gicrawler.schema import PANEL_FIELDS
from gicrawler.store import StoreError, open_store
from gicrawler.template import COUNT, cell_paths, unit_of

help = "export stored records: jsonl (as stored) or a csv/parquet panel (one column per table cell)"

META_COLUMNS = PANEL_FIELDS
cell_columns = cell_paths     # every cell of tables A, B, C in both templates, in a fixed order


def flatten(value, prefix: str = "", out: dict | None = None) -> dict:
    """Nested dicts → one dict of dotted paths (`applications.received.total`)."""
    out = {} if out is None else out
    if isinstance(value, dict):
        for key, inner in value.items():
            flatten(inner, f"{prefix}.{key}" if prefix else key, out)
    else:
        out[prefix] = value
    return out


def _check_results(record: dict) -> dict[str, bool]:
    results: dict[str, bool] = {}
    for check in record.get("checks") or ():
        rule = check.get("rule")
        if rule:
            results[rule] = results.get(rule, True) and bool(check.get("ok"))
    return results


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def panel_row(record: dict, cells: list[str], rules: list[str]) -> dict:
    row = {key: _plain(record.get(key)) for key in META_COLUMNS}
    missing = record.get("missing_tables") or {}
    row["missing_tables"] = ";".join(f"{k}:{v}" for k, v in sorted(missing.items())) or None
    row["tables_source"] = _sources_text(record.get("tables_source"))
    flat = flatten(record.get("tables") or {}, "", {})
    row.update({column: flat.get(column) for column in cells})
    checks = _check_results(record)
    row.update({f"check.{rule}": checks.get(rule) for rule in rules})
    return row


def _sources_text(sources) -> str | None:
    """``{"applications": {"source": "ocr", "confidence": 0.95, "url": …}}`` → one cell:
    ``applications:ocr 0.95 <url>`` (a plain string, as older records stored it, passes through)."""
    if not isinstance(sources, dict):
        return sources
    parts = []
    for key, src in sorted(sources.items()):
        if not isinstance(src, dict):
            parts.append(f"{key}:{src}")
            continue
        text = f"{key}:{src.get('source')}"
        if src.get("source") == "ocr":
            text += f" {src.get('confidence')}" + ("" if src.get("verified") else " unverified")
        if src.get("url"):
            text += f" {src['url']}"
        parts.append(text)
    return ";".join(parts) or None


def panel(records: Iterable[dict]) -> tuple[list[str], list[dict]]:
    records = list(records)
    cells = cell_columns()
    extra_rules = sorted({rule for r in records for rule in _check_results(r)} - set(CHECK_RULES))
    rules = list(CHECK_RULES) + extra_rules
    columns = list(META_COLUMNS) + cells + [f"check.{rule}" for rule in rules]
    return columns, [panel_row(r, cells, rules) for r in records]


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_jsonl(records: Iterable[dict], out) -> int:
    n = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, default=_plain) + "\n")
        n += 1
    return n


def write_csv(records: Iterable[dict], out) -> int:
    columns, rows = panel(records)
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row[c]) for c in columns])
    return len(rows)


def parquet_table(records: Iterable[dict]):
    import pyarrow as pa

    columns, rows = panel(records)
    arrays, fields = [], []
    for column in columns:
        values = [row[column] for row in rows]
        if column.startswith("check."):
            kind = pa.bool_()
        elif column == "year" or ("." in column and unit_of(column) == COUNT):
            kind = pa.int64()  # counts
        elif "." in column:
            kind = pa.float64()  # amounts
        else:
            kind = pa.string()
        try:
            array = pa.array(values, type=kind)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            # a count the parser read as a fraction, a year it could not read as a number…
            array = pa.array([None if v is None else float(v) for v in values], type=pa.float64()) \
                if kind == pa.int64() and all(isinstance(v, (int, float, type(None))) for v in values) \
                else pa.array([None if v is None else str(v) for v in values], type=pa.string())
        arrays.append(array)
        fields.append(pa.field(column, array.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def add_arguments(parser) -> None:
    parser.add_argument("--store", default=None,
                        help="store URI (mongodb://…/dbname or sqlite:///path); default $GICRAWLER_STORE "
                             "or sqlite:///data/gicrawler.sqlite3")
    parser.add_argument("--format", choices=("jsonl", "csv", "parquet"), default="jsonl")
    parser.add_argument("--portal", default=None, help="only this portal's reports")
    parser.add_argument("--year", type=int, default=None, help="only reports on this year")
    parser.add_argument("-o", "--output", default=None, help="output file (default: standard output)")


def run(args) -> int:
    if args.format == "parquet" and not args.output:
        print("gicrawler export: --format parquet needs -o FILE", file=sys.stderr)
        return 2
    try:
        store = open_store(args.store)
    except StoreError as exc:
        print(f"gicrawler export: {exc}", file=sys.stderr)
        return 2
    try:
        records = store.find(portal=args.portal, year=args.year)
        if args.format == "parquet":
            import pyarrow.parquet as pq
            table = parquet_table(records)
            pq.write_table(table, args.output)
            n = table.num_rows
        else:
            writer = write_jsonl if args.format == "jsonl" else write_csv
            if args.output:
                with open(args.output, "w", encoding="utf-8", newline="") as out:
                    n = writer(records, out)
            else:
                n = writer(records, sys.stdout)
    except StoreError as exc:
        print(f"gicrawler export: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return reader_gone()
    except OSError as exc:  # -o in a missing directory, a full disk…: the user's to fix, no traceback
        print(f"gicrawler export: cannot write {args.output or 'standard output'}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"exported {n} records", file=sys.stderr)
    return 0
