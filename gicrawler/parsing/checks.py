"""Consistency (勾稽关系) and compliance checks over a parsed record.

One result per rule: ``{"rule", "ok", "detail"}``. A rule whose inputs are absent is
not emitted. Blank cells (None) count as 0. Details name the failing column/row and
both sides of the equation, e.g.
``natural_person: received 3 + carried_over 0 = 3 ≠ total 2 + carried_forward 0 = 2``.
"""
from __future__ import annotations

import datetime as _dt

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


def _leaf_rows(table: dict, prefix=""):
    """(path, row) for every applicant row of table B, nested groups flattened."""
    for key, val in table.items():
        if not isinstance(val, dict):
            continue
        path = f"{prefix}{key}"
        if not any(isinstance(v, dict) for v in val.values()):
            yield path, val
        else:
            yield from _leaf_rows(val, path + ".")


def _group_sum(table: dict, key: str, col: str):
    val = table.get(key)
    if not isinstance(val, dict):
        return 0
    if col in val and not isinstance(val[col], dict):
        return _n(val[col])
    return sum(_n(sub.get(col)) for sub in val.values() if isinstance(sub, dict))


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
    failures = []
    for col in APPLICANT_COLUMNS:
        parts = [(k, _group_sum(app, k, col)) for k in _RESULT_PARTS]
        s = sum(v for _, v in parts)
        t = _n(app["total"].get(col))
        if s != t:
            terms = " + ".join(f"{k} {_fmt(v)}" for k, v in parts)
            failures.append(f"{col}: total {_fmt(t)} ≠ {terms} = {_fmt(s)}")
    return _result("applications.results_sum", failures,
                   f"total = sum of the results in all {len(APPLICANT_COLUMNS)} columns")


def check_row_sums(app: dict) -> dict | None:
    rows = [(path, row) for path, row in _leaf_rows(app) if any(v is not None for v in row.values())]
    if not any(row.get("total") is not None for _, row in rows):
        return None                    # no 总计 column at all: nothing to check
    failures, count = [], 0
    for path, row in rows:
        count += 1
        s = sum(_n(row.get(c)) for c in _SIX)
        t = _n(row.get("total"))
        if s != t:
            terms = " + ".join(_fmt(_n(row.get(c))) for c in _SIX)
            failures.append(f"{path}: total {_fmt(t)} ≠ {terms} = {_fmt(s)}")
    if not count:
        return None
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


def check_published_on_time(published, year) -> dict | None:
    day = _as_date(published)
    try:
        year = int(year)
    except (TypeError, ValueError):
        return None
    if day is None:
        return None
    deadline = _dt.date(year + 1, 1, 31)
    if day <= deadline:
        return {"rule": "published_on_time", "ok": True, "detail": f"published {day} ≤ deadline {deadline}"}
    late = (day - deadline).days
    return {"rule": "published_on_time", "ok": False,
            "detail": f"published {day} > deadline {deadline} ({late} day{'s' if late != 1 else ''} late)"}


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


def run_checks(record: dict) -> list[dict]:
    """All applicable checks for a record (uses tables, published, year)."""
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
    r = check_published_on_time(record.get("published"), record.get("year"))
    if r:
        out.append(r)
    return out
