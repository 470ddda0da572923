"""Rows whose numbers lost their cell boundaries, found in a table's source and decoded.

The assemblers read rows whose cells are there. A row printed ``一、本年新收政府信息公开申请数量640020470``
(or ``…数量 64 0020470``) gives them nothing: its digits are one label or too few values. This
step finds such rows in the source the table came from (its grid rows or its text lines), names
their template row by label, and has gicrawler/parsing/glued.py split the digits with the
template's identities, jointly with every row the assembler did read. Rows that decode are
filled in; the others stay null, and the notes say ``ambiguous`` (the record's ``errors``).
"""
from __future__ import annotations

import re
from functools import lru_cache

from gicrawler import template as T
from gicrawler.parsing import glued, labels
from gicrawler.parsing.tables.applications import row_keys

_B_WIDTH = len(T.APPLICANT_COLUMNS)
_DIGIT_RE = re.compile(r"\d")
_C_WIDTH = len(T.REVIEW_COLUMNS) * len(T.REVIEW_GROUP_KEYS)
_C_WORDS = labels.KIND_MARKERS["review_litigation"]


def _row_text(row) -> str:
    return row if isinstance(row, str) else " ".join(_filled(row))


def _filled(row) -> list[str]:
    try:
        return list(filter(str.strip, row))     # every cell a str: the usual case
    except TypeError:
        return [c for c in row if isinstance(c, str) and c.strip()]


def _numbers_after_label(filled: list[str], width: int) -> bool:
    """A grid row whose last ``width`` filled cells are numbers is not glued: glued.glued_row
    would find at least ``width`` digit pieces after its label (str.isdecimal is exactly its \\d).
    Most rows of a grid are such rows; this answers for them without joining and matching."""
    return len(filled) >= width and all(map(str.isdecimal, map(str.strip, filled[-width:])))


def _may_end_in_digits(filled: list[str]) -> bool:
    """Whether the row's text can end in digits, as glued.glued_row needs: its last filled cell
    holds a digit, or only separators ("|"). Rows with blank value cells (常见: 0 printed as
    blank) end in a label otherwise; this answers for them without joining and matching."""
    last = filled[-1]
    return _DIGIT_RE.search(last) is not None or not last.replace("|", "").strip()


@lru_cache(maxsize=8192)
def _digit_count(cell: str) -> int:
    """How many digits (``\\d``, as glued.glued_row counts them) a cell holds; a row's text is its
    filled cells joined by spaces, so the row's count is their sum (cached: template labels
    and small numbers recur in every report)."""
    return len(_DIGIT_RE.findall(cell))


def glued_application_rows(raw_rows) -> dict:
    """Table B row key → Glued, for every glued row of the source (first one per row key)."""
    out: dict = {}
    for row in raw_rows:
        if isinstance(row, str):
            text = row
        else:
            filled = _filled(row)
            if not filled or _numbers_after_label(filled, _B_WIDTH) or not _may_end_in_digits(filled):
                continue
            if sum(map(_digit_count, filled)) < _B_WIDTH:
                continue                        # glued.glued_row's first test, cell by cell
            text = " ".join(filled)             # = _row_text(row)
        found = glued.glued_row(text, _B_WIDTH)
        if not found:
            continue
        keys = row_keys("".join(found[0].split()))
        if keys and keys[-1] not in out:
            out[keys[-1]] = found[1]
    return out


def _year(raw_rows, found: dict) -> str:
    """Which template the glued rows follow, as the assembler decides it (align_runs)."""
    text = "".join("".join(_row_text(r).split()) for r in raw_rows)
    return "2021" if labels.B_MARKERS_2021.search(text) or any(k.startswith("other.") for k in found) else "2019"


def _get(table: dict, key: str):
    node = table
    for part in _path(key):
        node = node.get(part) if isinstance(node, dict) else None
    return node


@lru_cache(maxsize=256)
def _path(key: str) -> tuple[str, ...]:
    """"denied.state_secret" → ("denied", "state_secret") (cached: the template's row keys)."""
    return tuple(key.split("."))


def _put(table: dict, key: str, row: dict) -> None:
    group, _, sub = key.partition(".")
    if not sub:
        table[group] = row
        return
    rows = table.setdefault(group, {})
    if not isinstance(rows.get("total", {}), dict):
        return                  # the group printed as one row (2019's 其他处理): it stands
    rows[sub] = row


def fill_applications(year: str | None, table: dict | None, raw_rows) -> tuple[str | None, dict | None, list]:
    """Table B with its glued rows decoded: (year, table, notes)."""
    if year and table and _every_row_read(table, year):
        return year, table, []          # a glued row only fills a row the assembler left empty
    found = glued_application_rows(raw_rows)
    if not found:
        return year, table, []
    year = year or _year(raw_rows, found)
    table = {k: v for k, v in (table or {}).items()}
    rows = _rows(year)
    if not any(key in found and _empty(_get(table, key)) for key in rows):
        return year, table or None, []  # every glued row names a row the assembler read
    given: dict = {}
    for key in rows:
        row = _get(table, key)
        values = tuple(map(row.get, T.APPLICANT_COLUMNS)) if isinstance(row, dict) else (None,) * _B_WIDTH
        if key in found and all(v is None for v in values):
            given[key] = found[key]
        else:
            given[key] = values
    # a 0 printed as nothing leaves no digit: 12|_|0|10 glued reads 1|20|1|0 too, same sum
    result = glued.decode_applications(given, year, blanks=True)
    for key, values in result.rows.items():
        _put(table, key, dict(zip(T.APPLICANT_COLUMNS, values)))
    for key in rows:                              # a table built from glued rows only: every row
        if _get(table, key) is None:
            _put(table, key, dict.fromkeys(T.APPLICANT_COLUMNS))
    notes = []
    if result.decoded:
        notes.append("applications: glued digits decoded with the template's identities: "
                     + ", ".join(result.decoded))
    notes += [f"applications.{key}: {why}" for key, why in result.ambiguous.items()]
    return year, (table if result.rows or any(v is not None for v in _cells(table)) else None), notes


def _every_row_read(table: dict, year: str) -> bool:
    """Every row of the template has a value in some column."""
    return not any(_empty(_get(table, key)) for key in _rows(year))


def _empty(row) -> bool:
    """A table B row with no value in any column (or no row)."""
    return not isinstance(row, dict) or tuple(map(row.get, T.APPLICANT_COLUMNS)) == _NO_VALUES


_NO_VALUES = (None,) * _B_WIDTH


def _rows(year: str) -> tuple[str, ...]:
    return labels.B_ROWS.get(year) or T.application_rows(year)      # B_ROWS: worked out once


def _cells(table: dict):
    for value in table.values():
        if isinstance(value, dict):
            yield from _cells(value)
        else:
            yield value


def fill_review(table: dict | None, raw_rows) -> tuple[dict | None, list]:
    """Table C from one glued run of its numbers, when the assembler found no table.

    Only the 总计 identities can fix where glued digits part, so a run is decoded only under a
    header that prints 总计 (no header, or one without 总计 columns: twelve cells that no
    identity ties, refused), and with every cell allowed to be blank: a 0 printed as nothing
    leaves no digit, and a split that ignores it shifts every cell after it."""
    if table:
        return table, []
    for row in raw_rows:
        text = _row_text(row).strip()
        found = glued.glued_row(text, _C_WIDTH - 3) or (
            ("", glued.Glued.of(text)) if text and text.replace(" ", "").isdigit() else None)
        if not found:
            continue
        if found[0] and not _C_WORDS.search(found[0]):
            continue                # a row of another table among C's (四、结转下年度继续办理 783 6 0 …)
        digits = found[1]
        if len(digits.pieces) >= _C_WIDTH - 3 or digits.digits < _C_WIDTH - 3:
            continue                               # cells all there (the assembler's job) or too few
        if not any(labels.C_TOTAL_HEADER.search("".join(_row_text(r).split())) for r in raw_rows):   # "总 计"
            return None, ["review_litigation: ambiguous: glued digits under no 总计 header: "
                          "no identity fixes their split"]
        values = glued.decode_review(digits, blanks=True)
        if values is None:
            return None, ["review_litigation: ambiguous: no single split of its glued digits"]
        table = glued.review_table(values)
        groups = [g for g in T.REVIEW_GROUP_KEYS if all(v is None for v in table[g].values())]
        if len(groups) == len(T.REVIEW_GROUP_KEYS):
            return None, ["review_litigation: ambiguous: several digit splits satisfy the identities"]
        notes = ["review_litigation: glued digits decoded with the template's identities"]
        notes += [f"review_litigation.{g}: ambiguous: several digit splits satisfy the identities" for g in groups]
        return table, notes
    return None, []
