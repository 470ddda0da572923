"""Consistency (勾稽关系) and compliance checks over a parsed record.

One result per rule: ``{"rule", "ok", "detail"}``. A rule whose inputs are absent is
not emitted. Blank cells (None) count as 0. Details name the failing column/row and
both sides of the equation, e.g.
``natural_person: received 3 + carried_over 0 = 3 ≠ total 2 + carried_forward 0 = 2``.
"""
from __future__ import annotations

import datetime as _dt
import re
from functools import cached_property

from gicrawler import template
from gicrawler.parsing import outline, quoted
from gicrawler.template import APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUP_KEYS, result_parts

_SIX = APPLICANT_COLUMNS[:6]


_NUMERIC = (int, float)


def _n(x) -> float | int:
    """A cell as a number; blank (None) and anything odd count as 0."""
    return x if type(x) in _NUMERIC else 0


def _fmt(x) -> str:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return str(x)


def _leaf_rows(table: dict, prefix: str = "", out: list | None = None) -> list:
    """(path prefix, key, row) for every applicant row of table B, nested groups flattened
    (the row's path is prefix + key, built only for a failure's detail)."""
    out = [] if out is None else out
    for key, val in table.items():
        if not isinstance(val, dict):
            continue
        for v in val.values():
            if isinstance(v, dict):
                _leaf_rows(val, f"{prefix}{key}.", out)
                break
        else:
            out.append((prefix, key, val))
    return out


def _group_sums(table: dict, key: str) -> list:
    """Per applicant column, the value of row ``key`` or the sum of its group's rows."""
    val = table.get(key)
    if not isinstance(val, dict):
        return [0] * len(APPLICANT_COLUMNS)
    subs = [sub for sub in val.values() if isinstance(sub, dict)]
    sums = []
    for col in APPLICANT_COLUMNS:
        if col in val and not isinstance(val[col], dict):
            sums.append(_n(val[col]))
            continue
        s = 0
        for sub in subs:               # (_n inlined: these sums read some 150 cells a report)
            v = sub.get(col)
            if type(v) in _NUMERIC:
                s += v
        sums.append(s)
    return sums


def _result(rule: str, failures: list[str], ok_detail: str) -> dict:
    if failures:
        return {"rule": rule, "ok": False, "detail": "; ".join(failures)}
    return {"rule": rule, "ok": True, "detail": ok_detail}


def check_balance(app: dict) -> dict | None:
    needed = ("received", "carried_over", "total", "carried_forward")
    if not all(isinstance(app.get(k), dict) for k in needed):
        return None
    failures = []
    for col in APPLICANT_COLUMNS:
        r, c = _n(app["received"].get(col)), _n(app["carried_over"].get(col))
        t, f = _n(app["total"].get(col)), _n(app["carried_forward"].get(col))
        if r + c != t + f:
            failures.append(f"{col}: received {_fmt(r)} + carried_over {_fmt(c)} = {_fmt(r + c)} ≠ "
                            f"total {_fmt(t)} + carried_forward {_fmt(f)} = {_fmt(t + f)}")
    return _result("applications.balance", failures,
                   f"received + carried_over = total + carried_forward in all {len(APPLICANT_COLUMNS)} columns")


_RESULT_PARTS = result_parts()


def check_results_sum(app: dict) -> dict | None:
    if not isinstance(app.get("total"), dict) or not any(isinstance(app.get(k), dict) for k in _RESULT_PARTS):
        return None
    by_part = [_group_sums(app, k) for k in _RESULT_PARTS]
    failures = []
    for i, col in enumerate(APPLICANT_COLUMNS):
        s = 0
        for sums in by_part:
            s += sums[i]
        t = _n(app["total"].get(col))
        if s != t:
            terms = " + ".join(f"{k} {_fmt(sums[i])}" for k, sums in zip(_RESULT_PARTS, by_part))
            failures.append(f"{col}: total {_fmt(t)} ≠ {terms} = {_fmt(s)}")
    return _result("applications.results_sum", failures,
                   f"total = sum of the results in all {len(APPLICANT_COLUMNS)} columns")


def check_row_sums(app: dict) -> dict | None:
    failures, count, any_total = [], 0, False
    for prefix, key, row in _leaf_rows(app):
        t = row.get("total")
        if t is None and all(v is None for v in row.values()):
            continue                   # a blank row: not checked
        count += 1
        any_total = any_total or t is not None
        s = 0
        for v in map(row.get, _SIX):   # (_n inlined: some 150 cells a report)
            if type(v) in _NUMERIC:
                s += v
        t = _n(t)
        if s != t:
            terms = " + ".join(_fmt(_n(row.get(c))) for c in _SIX)
            failures.append(f"{prefix}{key}: total {_fmt(t)} ≠ {terms} = {_fmt(s)}")
    if not any_total:
        return None                    # no 总计 column at all (or no row): nothing to check
    return _result("applications.row_sums", failures,
                   f"total = sum of the six applicant columns in all {count} rows")


def check_review_sums(rl: dict) -> dict | None:
    failures, count = [], 0
    for group in REVIEW_GROUP_KEYS:
        g = rl.get(group)
        if not isinstance(g, dict) or all(g.get(c) is None for c in REVIEW_COLUMNS):
            continue
        count += 1
        parts = [(c, _n(g.get(c))) for c in REVIEW_COLUMNS[:4]]
        s = sum(v for _, v in parts)
        t = _n(g.get("total"))
        if s != t:
            terms = " + ".join(f"{c} {_fmt(v)}" for c, v in parts)
            failures.append(f"{group}: total {_fmt(t)} ≠ {terms} = {_fmt(s)}")
    if not count:
        return None
    return _result("review_litigation.sums", failures,
                   f"total = upheld + corrected + other + pending in all {count} groups")


def _as_date(x):
    if isinstance(x, _dt.datetime):
        return x.date()
    if isinstance(x, _dt.date):
        return x
    if isinstance(x, str):
        try:
            return _dt.date.fromisoformat(x[:10])
        except ValueError:
            return None
    return None


# 条例 art. 49: which date each kind of body publishes by (month, day of year + 1), and why.
DEADLINES = {
    "government": ((3, 31), "a 县级以上地方人民政府's own report on its region: art. 49, by 31 March"),
    "department": ((1, 31), "a department of a 县级以上 government: art. 49, by 31 January"),
    "township": ((3, 31), "a township (乡镇/街道): art. 49 sets no date of its own; 31 March, the latest it sets"),
    "other": ((3, 31), "not a government or its department: art. 49 sets no date for it; 31 March, the latest it sets"),
    None: ((3, 31), "kind of body unknown: 31 March, the latest date art. 49 sets"),
}


def check_published_on_time(published, year, kind=None) -> dict | None:
    day = _as_date(published)
    try:
        year = int(year)
    except (TypeError, ValueError):
        return None
    if day is None:
        return None
    (month, mday), rule = DEADLINES.get(kind, DEADLINES[None])
    deadline = _dt.date(year + 1, month, mday)
    if day <= deadline:
        return {"rule": "published_on_time", "ok": True,
                "detail": f"published {day} ≤ deadline {deadline} ({rule})"}
    late = (day - deadline).days
    return {"rule": "published_on_time", "ok": False,
            "detail": f"published {day} > deadline {deadline} ({late} day{'s' if late != 1 else ''} late; {rule})"}


def check_ocr(tables_source) -> dict | None:
    """Tables read from pictures: each must have passed its identities (image_tables.py). A
    table that did not is kept out of ``tables``; this check says so among the checks."""
    if not isinstance(tables_source, dict):
        return None
    read = {k: v for k, v in tables_source.items() if isinstance(v, dict) and v.get("source") == "ocr"}
    if not read:
        return None
    failures = [f"{k}: ocr unverified ({'; '.join(v.get('failed') or ())[:200]})"
                for k, v in read.items() if not v.get("verified")]
    return _result("tables.ocr_verified", failures,
                   "read by OCR and verified: " + ", ".join(
                       f"{k} (confidence {v.get('confidence')})" for k, v in read.items()))


# Every rule run_checks may emit, in its order (the export's check columns).
RULES = ("applications.balance", "applications.results_sum", "applications.row_sums",
         "review_litigation.sums", "tables.ocr_verified", "published_on_time")
# The checks that read the report's text (below run_checks), run after those.
TEXT_RULES = ("prose.numbers", "template.year", "sections.complete", "fees.information_fee")
RULES += TEXT_RULES
# The checks across the store (gicrawler/analysis/crosschecks.py: `gicrawler checks`), one
# finding per agency-year or report; not a record's checks.
STORE_RULES = ("store.carried_forward", "store.identical_tables", "store.changed_after_publication",
               "store.duplicate_reports")


def run_checks(record: dict) -> list[dict]:
    """All applicable checks for a record (uses tables, published, year, agency_kind, template, text)."""
    out = []
    tables = record.get("tables") or {}
    app = tables.get("applications")
    if isinstance(app, dict):
        for fn in (check_balance, check_results_sum, check_row_sums):
            r = fn(app)
            if r:
                out.append(r)
    rl = tables.get("review_litigation")
    if isinstance(rl, dict):
        r = check_review_sums(rl)
        if r:
            out.append(r)
    r = check_ocr(record.get("tables_source"))
    if r:
        out.append(r)
    r = check_published_on_time(record.get("published"), record.get("year"), record.get("agency_kind"))
    if r:
        out.append(r)
    out.extend(text_checks(record))
    return out


# ------------------------------------------------------------------ checks that read the text
# What evaluators check beyond the tables' own sums (docs/checks.md): the numbers the prose
# quotes, the template for the year, the six sections, the 信息处理费 statement.

class ReportText:
    """A record's text and what several text checks read from it, each worked out once
    (text_checks makes one per record)."""

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def sentences(self) -> tuple[str, ...]:
        return quoted.sentences(self.text)

    @cached_property
    def fee_sentences(self) -> tuple[str, ...]:
        """The sentences naming a 费 (all the fee statements read): from ``sentences`` when
        a check made them already, else only those pieces of the text cut (quoted.sentences_with)."""
        if "sentences" in self.__dict__:
            return tuple(s for s in self.sentences if "费" in s)
        return quoted.sentences_with(self.text, "费")

    @cached_property
    def sections(self) -> dict:
        return outline.find_sections(self.text)


def check_prose_numbers(record: dict, read: ReportText | None = None) -> dict | None:
    if record.get("agency_kind") not in quoted.SINGLE_BODY_KINDS:
        return None                    # a government's prose is not read (quoted.py)
    tables = record.get("tables") or {}
    read = read or ReportText(record.get("text") or "")
    found = quoted.quotes(read.text, record.get("template"), record.get("year"), record.get("agency_kind"),
                          read.sentences)
    groups: dict[tuple, list] = {}
    for q in found:
        groups.setdefault((q.quantity, q.readings), []).append(q)
    agree, failures = [], []
    for (quantity, readings), qs in groups.items():
        values = {q.value for q in qs}
        if len(values) != 1:
            continue                   # several numbers for one quantity: scopes differ, not checked
        table = {quoted.reading_value(tables, r) for r in readings}
        if None in table or len(table) != 1:
            continue                   # a blank cell, or readings that differ: no single cell to compare
        said, printed = values.pop(), table.pop()
        if said == printed:
            agree.append(f"{quantity} {_fmt(said)}")
        else:
            failures.append(f"{quantity}: prose {_fmt(said)} («{qs[0].snippet}») ≠ table {_fmt(printed)}")
    if not agree and not failures:
        return None
    return _result("prose.numbers", failures, "the prose quotes the tables: " + ", ".join(agree))


def _template_markers() -> dict[str, tuple[str, ...]]:
    """Labels only one template prints, whitespace and units dropped: table A's column headers
    and table B's rows. Row names of table A (规范性文件, 政府集中采购) are left out: prose of
    either year names them. A label another year's label contains (处理决定数量 in 本年处理决定数量)
    does not tell the templates apart."""
    printed: dict[str, set] = {year: set() for year in template.YEARS}
    for row in template.ACTIVE_ROWS:
        for year, cols in row.columns.items():
            printed[year].update(c.label for c in cols)
    for row in template.APPLICATION_ROWS:
        for year, label in row.labels.items():
            printed[year].add(label)
    for label in template.GROUP_LABELS.values():
        for year in template.YEARS:
            printed[year].add(label)
    clean = {year: {_MARKER_CLEAN_RE.sub("", label.split("（")[0]).split("、")[0] for label in labels}
             for year, labels in printed.items()}
    out = {}
    for year, labels in clean.items():
        others = set().union(*(clean[y] for y in template.YEARS if y != year))
        out[year] = tuple(sorted(m for m in labels if len(m) >= 4 and not any(m in o for o in others)))
    return out


_MARKER_CLEAN_RE = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）.]|\s")
TEMPLATE_MARKERS = _template_markers()


def expected_template(year) -> str | None:
    """The national template a report on ``year`` follows: 2019 for 2019–2020, 2021 from 2021."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        return None
    return "2021" if year >= 2021 else "2019" if year >= 2019 else None


def check_template_year(record: dict, read: ReportText | None = None) -> dict | None:
    expected = expected_template(record.get("year"))
    if expected is None:
        return None
    text = "".join((record.get("text") or "").split())       # = _WS_RE.sub("", …), faster
    if not text:
        return None
    seen = {year: _first_markers(text, markers) for year, markers in TEMPLATE_MARKERS.items()}
    printed = [year for year, found in seen.items() if found]
    if len(printed) != 1:
        return None                    # no template label printed, or labels of both: not evidence
    used = printed[0]
    detail = f"{used} template ({', '.join(seen[used][:3])}) for a report on {record.get('year')}"
    if used == expected:
        return {"rule": "template.year", "ok": True, "detail": detail}
    return {"rule": "template.year", "ok": False,
            "detail": f"{detail}: reports on {'2021 onward' if expected == '2021' else '2019–2020'} "
                      f"follow the {expected} template"}


def _first_markers(text: str, markers: tuple[str, ...], n: int = 3) -> list[str]:
    """The first ``n`` of ``markers`` the text holds (the detail names three; one tells a
    template is printed), without looking for the rest."""
    found = []
    for m in markers:
        if m in text:
            found.append(m)
            if len(found) == n:
                break
    return found


_WS_RE = re.compile(r"\s+")


def check_sections(record: dict, read: ReportText | None = None) -> dict | None:
    read = read or ReportText(record.get("text") or "")
    text, sections = read.text, read.sections
    tables = record.get("tables") or {}
    present = set(sections)
    present |= {template.SECTION_OF[k] for k in template.TABLE_KEYS if tables.get(k)}
    present |= {template.SECTION_OF[k] for k, why in (record.get("missing_tables") or {}).items()
                if why == "image" and k in template.SECTION_OF}
    if not sections:
        return None                    # no section heading at all: not a report's text
    failures = []
    missing = [n for n in outline.NUMERALS if n not in present]
    if missing:
        failures.append("missing section " + ", ".join(missing))
    five = sections.get("五")
    if five is not None and outline.is_empty(five.text(text)):
        body = _WS_RE.sub("", five.text(text))[:20]
        failures.append(f"section 五 (problems and improvements) is empty" + (f": «{body}»" if body else ""))
    return _result("sections.complete", failures, "all six sections present; section 五 says something")


def check_information_fee(record: dict, read: ReportText | None = None) -> dict | None:
    read = read or ReportText(record.get("text") or "")
    statements = quoted.fee_statements(read.text, read.fee_sentences)   # (it reads no other sentence)
    charged = [s for s in statements if s.charged]
    none = [s for s in statements if not s.charged]
    if charged and none:
        return {"rule": "fees.information_fee", "ok": False,
                "detail": f"says a fee was charged («{charged[0].snippet}») and none was («{none[0].snippet}»)"}
    if charged:
        return {"rule": "fees.information_fee", "ok": True,
                "detail": f"信息处理费 charged: {_fmt(sum(s.amount_yuan for s in charged))} 元 («{charged[0].snippet}»)"}
    if none:
        return {"rule": "fees.information_fee", "ok": True,
                "detail": f"no 信息处理费 charged («{none[0].snippet}»)"}
    if expected_template(record.get("year")) == "2021" and "六" in read.sections:
        return {"rule": "fees.information_fee", "ok": False,
                "detail": "no statement of the 信息处理费 collected (the 2021 format asks section 六 to report it)"}
    return None


def text_checks(record: dict) -> list[dict]:
    """The checks that read the report's text, in RULES order (none without text)."""
    if not record.get("text"):
        return []
    read = ReportText(record["text"])
    out = []
    for fn in (check_prose_numbers, check_template_year, check_sections, check_information_fee):
        r = fn(record, read)
        if r:
            out.append(r)
    return out
