"""``gicrawler export``: every stored record as JSON lines, or the panel (CSV, Parquet, a Data Package).

The panel's columns, types and the split into ``reports`` and ``unreachable`` are declared in
gicrawler/panel.py (docs/panel.md). Records are streamed from the store's ``find()`` iterator and
written as they come — CSV row by row, Parquet in row groups of ``ROW_GROUP`` rows with the
fixed schema — so memory stays flat in the number of reports (benchmarks/export.py measures it):
at most one row group is held, as Arrow columns.
"""
from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from gicrawler import panel
from gicrawler.commands import reader_gone, store_errors
from gicrawler.store import open_store

help = ("export stored records: everything as jsonl (as stored), or the panel as csv, parquet or a "
        "Frictionless Data Package (one row per report, one column per table cell; dead links apart)")

BATCH = 1000        # rows converted to Arrow at a time (Python rows held in memory)
ROW_GROUP = 5_000   # rows per Parquet row group: the file's footer grows by one entry per group
PACKAGE_NAME = "gicrawler-panel"


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_jsonl(records: Iterable[dict], out) -> int:
    n = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, default=_plain) + "\n")
        n += 1
    return n


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):  # one format for the whole column (the store keeps milliseconds)
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


class CsvTable:
    """One panel table as CSV: the header from the columns, then a row at a time."""

    def __init__(self, columns: list[panel.Column], out):
        self.panel = panel.Panel(columns)
        self.writer = csv.writer(out)
        self.writer.writerow(self.panel.names)
        self.rows = 0

    def add(self, record: dict) -> None:
        row = self.panel.row(record)
        self.writer.writerow([_csv_value(row[name]) for name in self.panel.names])
        self.rows += 1

    def close(self) -> None:
        pass


class ParquetTable:
    """One panel table as Parquet with a fixed schema from the columns: rows become Arrow record
    batches every BATCH rows, and the batches a row group every ROW_GROUP rows."""

    def __init__(self, columns: list[panel.Column], path):
        import pyarrow.parquet as pq

        self.panel = panel.Panel(columns)
        self.schema = panel.arrow_schema(columns)
        self.writer = pq.ParquetWriter(str(path), self.schema)
        self.rows_batch: list[dict] = []
        self.batches: list = []
        self.rows = 0

    def add(self, record: dict) -> None:
        self.rows_batch.append(self.panel.row(record))
        self.rows += 1
        if len(self.rows_batch) >= BATCH:
            self._convert()
        if len(self.batches) * BATCH >= ROW_GROUP:
            self._write()

    def _convert(self) -> None:
        import pyarrow as pa

        if self.rows_batch:
            self.batches.append(pa.RecordBatch.from_pylist(self.rows_batch, schema=self.schema))
            self.rows_batch = []

    def _write(self) -> None:
        import pyarrow as pa

        if self.batches:
            table = pa.Table.from_batches(self.batches, schema=self.schema)
            self.writer.write_table(table, row_group_size=table.num_rows)
            self.batches = []

    def close(self) -> None:
        try:
            self._convert()
            self._write()
        finally:
            self.writer.close()


def unreachable_path(output: str) -> Path:
    """``panel.csv`` → ``panel.unreachable.csv``: where a file export puts the dead links."""
    path = Path(output)
    return path.with_name(f"{path.stem}.unreachable{path.suffix}")


def write_panel(records: Iterable[dict], reports, unreachable=None) -> tuple[int, int, int]:
    """Stream records into the two tables (``unreachable`` None: dead links are only counted).
    Returns (reports, unreachable written, unreachable left out)."""
    left_out = 0
    for record in records:
        if panel.is_unreachable(record):
            if unreachable is None:
                left_out += 1
            else:
                unreachable.add(record)
        else:
            reports.add(record)
    return reports.rows, unreachable.rows if unreachable is not None else 0, left_out


def write_datapackage(directory: Path, tables: dict[str, list[panel.Column]]) -> Path:
    """``DIR/datapackage.json`` describing ``DIR/<name>.csv`` for each table (frictionless)."""
    from frictionless import Package, Resource, Schema

    resources = [Resource(name=name, path=f"{name}.csv", format="csv", mediatype="text/csv", encoding="utf-8",
                          schema=Schema.from_descriptor(panel.table_schema(columns)),
                          description=DESCRIPTIONS[name]) for name, columns in tables.items()]
    package = Package(name=PACKAGE_NAME, title="Government information disclosure annual reports: the panel",
                      description="One row per 政府信息公开工作年度报告 (reports) and per listed link that could not "
                                  "be fetched (unreachable), written by gicrawler export; columns in docs/panel.md.",
                      created=datetime.now().astimezone().isoformat(timespec="seconds"), resources=resources)
    path = directory / "datapackage.json"
    path.write_text(json.dumps(package.to_descriptor(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


DESCRIPTIONS = {
    "reports": "one row per report: metadata, one column per cell of the national tables (both templates), "
               "one column per check",
    "unreachable": "one row per listed report link that could not be fetched (no content stored)",
}


def add_arguments(parser) -> None:
    parser.add_argument("--store", default=None,
                        help="store URI (mongodb://…/dbname or sqlite:///path); default $GICRAWLER_STORE "
                             "or sqlite:///data/gicrawler.sqlite3")
    parser.add_argument("--format", choices=("jsonl", "csv", "parquet", "datapackage"), default="jsonl",
                        help="jsonl: every record as stored; csv/parquet: the panel (reports; dead links in "
                             "FILE.unreachable.csv|.parquet beside it); datapackage: -o DIR gets "
                             "datapackage.json, reports.csv and unreachable.csv")
    parser.add_argument("--portal", default=None, help="only this portal's reports")
    parser.add_argument("--year", type=int, default=None, help="only reports on this year")
    parser.add_argument("-o", "--output", default=None,
                        help="output file, or directory for datapackage (default: standard output)")


def _report_problems(tables) -> None:
    for table in tables:
        for what, count in sorted(table.panel.problems.items()):
            print(f"gicrawler export: warning: {count} × {what}", file=sys.stderr)
        for example in table.panel.examples:
            print(f"gicrawler export:   e.g. {example}", file=sys.stderr)


def _export(args, records) -> tuple[str, list]:
    """Write the export; returns the summary line and the panel tables written (for their problems)."""
    if args.format == "jsonl":
        if args.output:
            with open(args.output, "w", encoding="utf-8") as out:
                n = write_jsonl(records, out)
        else:
            n = write_jsonl(records, sys.stdout)
        return f"exported {n} records", []

    columns, dead_columns = panel.report_columns(), panel.unreachable_columns()
    if args.format == "datapackage":
        directory = Path(args.output)
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / "reports.csv", "w", encoding="utf-8", newline="") as out, \
                open(directory / "unreachable.csv", "w", encoding="utf-8", newline="") as dead_out:
            tables = [CsvTable(columns, out), CsvTable(dead_columns, dead_out)]
            n, dead, _ = write_panel(records, *tables)
        write_datapackage(directory, {"reports": columns, "unreachable": dead_columns})
        return f"exported {n} reports and {dead} unreachable links to {directory}/ (datapackage.json)", tables

    if args.format == "parquet":
        tables = [ParquetTable(columns, args.output)]
        try:
            tables.append(ParquetTable(dead_columns, unreachable_path(args.output)))
            n, dead, _ = write_panel(records, *tables)
        finally:
            for table in tables:
                table.close()
        return f"exported {n} reports to {args.output}, {dead} unreachable links to " \
               f"{unreachable_path(args.output)}", tables

    if not args.output:
        table = CsvTable(columns, sys.stdout)
        n, _, left_out = write_panel(records, table)
        note = f"; {left_out} unreachable links left out (-o FILE writes them to FILE.unreachable.csv)" \
            if left_out else ""
        return f"exported {n} reports{note}", [table]
    with open(args.output, "w", encoding="utf-8", newline="") as out, \
            open(unreachable_path(args.output), "w", encoding="utf-8", newline="") as dead_out:
        tables = [CsvTable(columns, out), CsvTable(dead_columns, dead_out)]
        n, dead, _ = write_panel(records, *tables)
    return f"exported {n} reports to {args.output}, {dead} unreachable links to " \
           f"{unreachable_path(args.output)}", tables


@store_errors
def run(args) -> int:
    if args.format in ("parquet", "datapackage") and not args.output:
        print(f"gicrawler export: --format {args.format} needs -o {'DIR' if args.format == 'datapackage' else 'FILE'}",
              file=sys.stderr)
        return 2
    with open_store(args.store, create=False) as store:
        try:
            summary, tables = _export(args, store.find(portal=args.portal, year=args.year))
        except BrokenPipeError:
            return reader_gone()
        except OSError as exc:  # -o in a missing directory, a full disk…: the user's to fix, no traceback
            print(f"gicrawler export: cannot write {getattr(exc, 'filename', None) or args.output or 'standard output'}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return 2
    _report_problems(tables)
    print(summary, file=sys.stderr)
    return 0
