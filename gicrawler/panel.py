"""The panel: one row per report, its columns declared once (docs/panel.md is generated from here).

``gicrawler export --format csv|parquet|datapackage`` writes two tables:

- ``reports``: one row per report (a stored record with content): the record's metadata, one
  column per cell of the national tables of BOTH templates (``applications.received.total``:
  dotted record paths, from ``template.cells()`` — a cell printed in both templates is one column,
  a cell of one template only keeps its own, and the row's ``template`` says which apply), then one
  column per check (``check.<rule>``: true/false/empty).
- ``unreachable``: one row per listed link that could not be fetched (no content was ever
  stored: a dead link), with the agency and year its list title names.

Every column has a type (Table Schema: string, integer, number, boolean, date, datetime), a
Chinese label (the template's own, for table cells), an English description and a unit; the
Data Package descriptor, the Parquet schema (with the pandas metadata that makes
``pandas.read_parquet`` give nullable ``Int64`` columns) and ``pandas_dtypes()`` (for CSV)
are views of the same list. Values are converted row by row (``Panel.row``): a value that does
not fit its column (a count that is not a whole number) is left blank and reported, never
written wrong.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from gicrawler import schema, template
from gicrawler.parsing.checks import RULES as CHECK_RULES
from gicrawler.parsing.metadata import derive_agency, derive_year

STRING, INTEGER, NUMBER, BOOLEAN, DATE, DATETIME = "string", "integer", "number", "boolean", "date", "datetime"


@dataclass(frozen=True)
class Column:
    name: str
    type: str                       # a Table Schema type
    description: str                # English
    label: str | None = None        # Chinese: the template's label (cells), the page's own label (metadata)
    unit: str | None = None         # template.COUNT | TEN_THOUSAND_YUAN | YUAN, "year" …
    templates: tuple | None = None  # table cells: the template years that print the cell
    labels: dict = field(default_factory=dict)  # table cells: template year → label, when they differ

    def descriptor(self) -> dict:
        """The Table Schema field (Data Package ``schema.fields`` entry)."""
        out = {"name": self.name, "type": self.type, "description": self.description}
        if self.label:
            out["title"] = self.label
        if self.unit:
            out["unit"] = self.unit
        if self.templates:
            out["templates"] = list(self.templates)
        if len(set(self.labels.values())) > 1:
            out["labels"] = dict(self.labels)
        return out


# ------------------------------------------------------------------------------ metadata columns
_META_TYPES = {"year": INTEGER, "published": DATE, "list_date": DATE,
               "first_seen": DATETIME, "last_crawled": DATETIME, "last_changed": DATETIME}
_META_LABELS = {"url": "网址", "portal": "门户网站", "region": "地区", "agency": "机关", "year": "年度",
                "title": "标题", "published": "发布日期", "publisher": "发布机构", "index_number": "索引号",
                "document_number": "文号", "category": "分类", "template": "年度报告格式",
                "list_title": "列表标题", "list_date": "列表日期", "tables_source": "表格来源",
                "missing_tables": "缺少的表格", "parse_error": "解析错误", "fetch_error": "抓取错误",
                "raw_hash": "原始页面哈希", "first_seen": "首次采集", "last_crawled": "最近采集",
                "last_changed": "最近变更", "list_url": "列表页", "agency_kind": "机关类别"}
_META_UNITS = {"year": "year"}
_META_NOTES = {
    "template": "; it says which table columns apply (docs/panel.md)",
    "missing_tables": " (as `table:reason;…`)",
    "fetch_error": " (a report whose content is stored and whose last re-fetch failed)",
    "published": " (the date part)", "list_date": " (the date part)",
}


# A column whose cell is not the record's value as it stands: its own description.
_META_DESCRIPTIONS = {
    "tables_source": "where a table was read when not from the page's own text, one cell: `table:source` "
                     "per table (source: ocr or attachment), for OCR its confidence and `unverified` when "
                     "its check failed, then the picture's or attachment's URL; joined by `;` (e.g. "
                     "`active:attachment http://…/r.pdf;applications:ocr 0.95 http://…/b.png`); empty "
                     "when every table comes from the page itself (the record keeps each table's whole "
                     "entry: docs/record.md)",
}


def _plain(text: str) -> str:
    return text.replace("`", "")


def _meta(name: str, description: str | None = None) -> Column:
    doc = description or _plain(_META_DESCRIPTIONS.get(name) or schema.BY_NAME[name].doc + _META_NOTES.get(name, ""))
    return Column(name, _META_TYPES.get(name, STRING), doc, _META_LABELS.get(name), _META_UNITS.get(name))


# ------------------------------------------------------------------------------ check columns
CHECK_PREFIX = "check."
_CHECK_LABELS = {"applications.balance": "依申请公开：第一项加第二项之和等于第三项加第四项之和",
                 "applications.results_sum": "依申请公开：办理结果之和等于总计",
                 "applications.row_sums": "依申请公开：各类申请人之和等于总计",
                 "review_litigation.sums": "行政复议、行政诉讼：各项结果之和等于总计",
                 "tables.ocr_verified": "图片中识别的表格通过核验",
                 "published_on_time": "按期发布年度报告",
                 "prose.numbers": "正文所述数字与表格一致",
                 "template.year": "表格格式与报告年度相符",
                 "sections.complete": "六个部分齐全，第五部分不为空",
                 "fees.information_fee": "信息处理费的表述前后一致"}


def _check(rule: str) -> Column:
    return Column(f"{CHECK_PREFIX}{rule}", BOOLEAN,
                  f"the check {rule} (docs/record.md, Checks): true passed, false failed, empty: not run "
                  "(its inputs are absent)", _CHECK_LABELS.get(rule))


# ------------------------------------------------------------------------------ the two tables
def _cell(cell: template.Cell) -> Column:
    kind = INTEGER if cell.unit == template.COUNT else NUMBER
    label = cell.labels[cell.templates[-1]]  # the latest template's label; both in ``labels``
    description = (f"{cell.description} ({template.UNIT_EN[cell.unit]}; "
                   f"template{'s' if len(cell.templates) > 1 else ''} {' and '.join(cell.templates)})")
    return Column(cell.path, kind, description, label, cell.unit, cell.templates, dict(cell.labels))


def report_columns() -> list[Column]:
    """The columns of the ``reports`` table, in order."""
    return ([_meta(name) for name in schema.PANEL_FIELDS] + [_cell(c) for c in template.cells()]
            + [_check(rule) for rule in CHECK_RULES])


UNREACHABLE_FIELDS = ("url", "portal", "region", "agency", "year", "list_title", "list_date", "list_url",
                      "fetch_error", "first_seen", "last_crawled")


def unreachable_columns() -> list[Column]:
    """The columns of the ``unreachable`` table (links that could not be fetched), in order."""
    notes = {"agency": "who reports, as the list title names it (the page itself could not be read)",
             "year": "the year the report covers, as the list title names it",
             "fetch_error": "why the page could not be fetched (e.g. HTTP 404)"}
    return [_meta(name, notes.get(name)) for name in UNREACHABLE_FIELDS]


def is_unreachable(record: dict) -> bool:
    """A listed link whose page was never stored (its fetch failed): not a report of the panel."""
    return bool(record.get("fetch_error")) and not record.get("raw_hash")


def list_title_agency_year(record: dict) -> tuple[str | None, int | None]:
    """Agency and year as the record says, else as its list title names them (a dead link)."""
    title = record.get("list_title")
    agency = record.get("agency") or derive_agency(None, title)
    year = record.get("year")
    if year is None:
        year = derive_year(title, None, None)
    return agency, year


# ------------------------------------------------------------------------------ values
def flatten(value, prefix: str = "", out: dict | None = None) -> dict:
    """Nested dicts → one dict of dotted paths (``applications.received.total``)."""
    out = {} if out is None else out
    if isinstance(value, dict):
        for key, inner in value.items():
            flatten(inner, f"{prefix}.{key}" if prefix else key, out)
    else:
        out[prefix] = value
    return out


def check_results(record: dict) -> dict[str, bool]:
    """rule → passed (a rule reported twice passes only if both passed)."""
    results: dict[str, bool] = {}
    for check in record.get("checks") or ():
        rule = check.get("rule") if isinstance(check, dict) else None
        if rule:
            results[rule] = results.get(rule, True) and bool(check.get("ok"))
    return results


class Unfit(ValueError):
    """A value that does not fit its column's type."""


def _integer(value):
    if isinstance(value, bool):
        raise Unfit
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    raise Unfit


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Unfit
    return value


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise Unfit


def _datetime(value):
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise Unfit from None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    raise Unfit


def _string(value):
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _boolean(value):
    if isinstance(value, bool):
        return value
    raise Unfit


CONVERT = {STRING: _string, INTEGER: _integer, NUMBER: _number, BOOLEAN: _boolean, DATE: _date, DATETIME: _datetime}


def missing_text(missing) -> str | None:
    if not isinstance(missing, dict):
        return None if missing is None else _string(missing)
    return ";".join(f"{k}:{v}" for k, v in sorted(missing.items())) or None


def sources_text(sources) -> str | None:
    """``tables_source`` as one cell: ``{"applications": {"source": "ocr", "confidence": 0.95,
    "url": …}}`` → ``applications:ocr 0.95 <url>`` (tables in key order, joined by ``;``; an OCR
    table whose check failed adds ``unverified``)."""
    if not isinstance(sources, dict):
        return None if sources is None else _string(sources)
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


class Panel:
    """Turns records into typed rows of one table, counting what it could not place.

    ``problems`` counts (column, why) pairs; ``examples`` keeps the first few as one-line notes
    (``url column: value``) for the command to print."""

    def __init__(self, columns: list[Column], max_examples: int = 5):
        self.columns = columns
        self.names = [c.name for c in columns]
        self._convert = {c.name: CONVERT[c.type] for c in columns}
        self._known = set(self.names)
        self._cells = any(n.split(".", 1)[0] in template.TABLE_KEYS for n in self.names)
        self._checks = any(n.startswith(CHECK_PREFIX) for n in self.names)
        self.problems: dict[str, int] = {}
        self.examples: list[str] = []
        self.max_examples = max_examples

    def _problem(self, url, column: str, value, why: str) -> None:
        self.problems[f"{column}: {why}"] = self.problems.get(f"{column}: {why}", 0) + 1
        if len(self.examples) < self.max_examples:
            self.examples.append(f"{url} {column}: {value!r} {why}")

    def _put(self, row: dict, url, name: str, value) -> None:
        if value is None:
            row[name] = None
            return
        try:
            row[name] = self._convert[name](value)
        except Unfit:
            row[name] = None
            self._problem(url, name, value, f"not a {self.columns[self.names.index(name)].type}, left blank")

    def row(self, record: dict) -> dict:
        url = record.get("url")
        values = {name: record.get(name) for name in self.names if "." not in name}
        if "missing_tables" in values:
            values["missing_tables"] = missing_text(record.get("missing_tables"))
        if "tables_source" in values:
            values["tables_source"] = sources_text(record.get("tables_source"))
        if "agency" in values and is_unreachable(record):
            values["agency"], values["year"] = list_title_agency_year(record)
        tables = record.get("tables") if self._cells else None
        if isinstance(tables, dict) and tables:
            for path, value in flatten(tables).items():
                if path in self._known:
                    values[path] = value
                elif value is not None:
                    self._problem(url, path, value, "not a cell of the national template, left out")
        for rule, ok in (check_results(record) if self._checks else {}).items():
            name = CHECK_PREFIX + rule
            if name in self._known:
                values[name] = ok
            else:
                self._problem(url, name, ok, "not a rule of gicrawler.parsing.checks.RULES, left out")
        row: dict = {}
        for name in self.names:
            self._put(row, url, name, values.get(name))
        return row


# ------------------------------------------------------------------------------ views for loaders
_ARROW = {STRING: "string", INTEGER: "int64", NUMBER: "float64", BOOLEAN: "bool_", DATE: "date32"}
# What pandas should make of each type (the pandas metadata of the Parquet file, pandas_dtypes()).
_PANDAS = {STRING: ("unicode", "string"), INTEGER: ("int64", "Int64"), NUMBER: ("float64", "Float64"),
           BOOLEAN: ("bool", "boolean"), DATE: ("date", "object"), DATETIME: ("datetimetz", "datetime64[ms]")}


def arrow_schema(columns: list[Column]):
    """The Parquet schema: int64/float64/bool/date32/timestamp[ms, UTC]/string, with pandas
    metadata so that ``pandas.read_parquet`` gives Int64, Float64, boolean and string columns."""
    import pyarrow as pa

    fields = [pa.field(c.name, pa.timestamp("ms", tz="UTC") if c.type == DATETIME else getattr(pa, _ARROW[c.type])())
              for c in columns]
    pandas = {"index_columns": [], "column_indexes": [], "pandas_version": "2.0.0", "columns": [
        {"name": c.name, "field_name": c.name, "pandas_type": _PANDAS[c.type][0], "numpy_type": _PANDAS[c.type][1],
         "metadata": {"timezone": "UTC"} if c.type == DATETIME else None} for c in columns]}
    return pa.schema(fields, metadata={b"pandas": json.dumps(pandas).encode()})


def pandas_dtypes(columns: list[Column] | None = None) -> dict[str, str]:
    """``pandas.read_csv(path, dtype=pandas_dtypes(), parse_dates=date_columns())`` for a panel CSV:
    counts as nullable Int64 (a blank is <NA>, not a float NaN), amounts Float64, checks boolean
    (dates and datetimes are left to ``parse_dates``)."""
    columns = columns if columns is not None else report_columns() + unreachable_columns()
    return {c.name: _PANDAS[c.type][1] for c in columns if c.type not in (DATE, DATETIME)}


def date_columns(columns: list[Column] | None = None) -> list[str]:
    columns = columns if columns is not None else report_columns()
    return list(dict.fromkeys(c.name for c in columns if c.type in (DATE, DATETIME)))


def read_csv(path, **kwargs):
    """A panel CSV (either table) as a pandas DataFrame with the documented dtypes."""
    import pandas as pd

    with open(path, encoding="utf-8", newline="") as fh:
        header = next(iter(fh), "").rstrip("\r\n").split(",")
    dtypes = pandas_dtypes()
    return pd.read_csv(path, dtype={k: v for k, v in dtypes.items() if k in header},
                       parse_dates=[c for c in date_columns(report_columns() + unreachable_columns()) if c in header],
                       **kwargs)


def table_schema(columns: list[Column]) -> dict:
    """The Table Schema of a panel table (a Data Package resource's ``schema``)."""
    return {"fields": [c.descriptor() for c in columns], "primaryKey": ["url"], "missingValues": [""]}


# ------------------------------------------------------------------------------ docs/panel.md
def _md(text: str) -> str:
    return text.replace("|", "¦").replace("<", "&lt;")


def markdown() -> str:
    """docs/panel.md (tests/test_docs.py keeps the file equal to this)."""
    out = ["# The panel (generated)", "",
           "Generated from `gicrawler/panel.py` (its cells from `gicrawler/template.py`) by",
           "`python -m gicrawler.panel > docs/panel.md`; do not edit by hand.", "",
           "`gicrawler export --format csv|parquet|datapackage` writes two tables:", "",
           "- **reports** — one row per report: a stored record with content (a page that was fetched, "
           "parsed or not). A dead link is never a row here.",
           "- **unreachable** — one row per listed link that could not be fetched (`fetch_error`, no "
           "content ever stored), with the agency and year its list title names. csv/parquet write it "
           "beside the panel (`panel.csv` → `panel.unreachable.csv`), the Data Package as its "
           "`unreachable` resource; `--format jsonl` gives every record as stored.", "",
           "## One column set for both templates", "",
           "The 2019 and 2021 templates (docs/template.md) print mostly the same rows. A cell whose row "
           "and column keys are the same in both templates means the same thing and is ONE column "
           "(`applications.received.total`, `active.licensing.decisions`: labels may differ slightly, "
           "both are given); a cell of one template only keeps its own column (2019: "
           "`active.regulations.made`, `applications.other.*`, `active.procurement.*`; 2021: "
           "`active.regulations.issued`, `applications.other.no_correction.*`, "
           "`active.fees.amount_10k_yuan`). The row's `template` column says which template the "
           "report follows, and so which columns apply; `templates` below says, per column, where it "
           "applies. A column that does not apply is blank.", "",
           "## Types and loading", "",
           "| type | Parquet | pandas dtype | CSV |", "|---|---|---|---|",
           "| integer | int64 | Int64 | digits, blank for null |",
           "| number | double | Float64 | decimal, blank for null |",
           "| boolean | bool | boolean | `true` / `false`, blank for null |",
           "| date | date32 | object (datetime.date) | `YYYY-MM-DD` |",
           "| datetime | timestamp[ms, UTC] | datetime64[ms, UTC] | ISO 8601 with offset |",
           "| string | string | string | text |", "",
           "Blank means null (not 0): a cell the report leaves empty, a table it does not contain "
           "(`missing_tables` says why), a check not run. Counts are never floats:", "",
           "```python", "import pandas as pd",
           "df = pd.read_parquet(\"panel.parquet\")            # Int64 / Float64 / boolean from the file's metadata",
           "from gicrawler.panel import read_csv",
           "df = read_csv(\"panel.csv\")                        # the same dtypes for the CSV",
           "# without gicrawler: pd.read_csv(\"panel.csv\", dtype_backend=\"numpy_nullable\") reads counts",
           "# as Int64; an all-blank column then needs its dtype from the table below",
           "```", "",
           "The Data Package (`gicrawler export --format datapackage -o DIR`) carries the same in "
           "`DIR/datapackage.json`: every field's type, Chinese label (`title`), English "
           "`description`, `unit` and, for table cells, `templates` (and `labels` where the two "
           "templates print different labels).", "",
           "Units: `count`; `10k_yuan` — 万元 (10,000 yuan); `yuan` — 元; `year`.", ""]
    for title, columns in (("reports", report_columns()), ("unreachable", unreachable_columns())):
        out += [f"## Table `{title}`", "", "| column | type | unit | templates | label | description |",
                "|---|---|---|---|---|---|"]
        for c in columns:
            labels = " / ".join(f"{y}: {v}" for y, v in c.labels.items()) \
                if len(set(c.labels.values())) > 1 else (c.label or "")
            out.append(f"| `{c.name}` | {c.type} | {c.unit or ''} | {', '.join(c.templates or ())} "
                       f"| {_md(labels)} | {_md(c.description)} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown(), end="")
