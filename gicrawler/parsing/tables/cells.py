"""Table cells: a value cell's number and unit (``parse_value``), and a grid row's values with
span copies folded back (``fit_cells``)."""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from itertools import groupby
from typing import NamedTuple

_VALUE_RE = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(万元|万|亿元|亿|元|件|个|条|次|项|家|人)?")
_DIGIT_GAP_RE = re.compile(r"\d\s+\d")
_BLANK = frozenset(("", "&nbsp;", "/", "-", "—", "——", "–", "--", "—-", "\\", "无", "空"))
_ZEROS = frozenset(("〇", "零"))                 # zero as a Chinese numeral
# A number with a unit the reader does not know ("3人次", "2宗"): a value cell, not a label.
_UNKNOWN_UNIT_RE = re.compile(r"[+-]?\d+(?:[.,]\d+)*\s*(?![年月日])[\u3400-\u9fff]{1,3}")


class Val(NamedTuple):
    """A parsed value cell: ``num`` None for a blank cell. (A tuple: comparing and hashing
    values, as fit_cells does for every span copy, runs in C.)"""
    num: Decimal | None
    unit: str = ""


BLANK = Val(None)
# A value cell that holds no number the reader can take (two numbers, an unknown unit): null
# like a blank, but it is not one, so it is never dropped as an empty trailing column and never
# merged with a blank neighbour as a span copy — the cells after it keep their columns.
UNREAD = Val(None, "?")
_ZERO = Val(Decimal(0))


@lru_cache(maxsize=16384)
def parse_value(cell: str) -> Val | None:
    """A value cell → Val (blank → Val(None)); a label cell → None."""
    s = cell.strip()
    if s[:1] in "?\ufffd" and s:
        s = s.lstrip("?\ufffd ")                        # "? 0": a character lost in conversion
    if s[:1] > "\u2e80" and s not in _BLANK:
        return _ZERO if s in _ZEROS else None         # starts with a CJK character: a label (but 〇)
    if s in _BLANK or s.replace("-", "").replace("—", "") == "" and len(s) < 4:
        return BLANK
    if _DIGIT_GAP_RE.search(s):
        return UNREAD           # "6 0": two numbers in one cell, or a cut one; 60 would be invented
    m = _VALUE_RE.fullmatch(s.replace(" ", ""))
    if not m:
        return None
    sign, whole, frac, unit = m.groups()
    num = Decimal(whole.replace(",", "") + ("." + frac if frac else ""))
    return Val(-num if sign == "-" else num, unit or "")


@lru_cache(maxsize=8192)
def unread_unit(cell: str) -> bool:
    """Whether a cell parse_value calls a label is a number with a unit it does not know
    (cached: it is asked of label cells, which recur in every report)."""
    return _UNKNOWN_UNIT_RE.fullmatch(cell.strip()) is not None


@lru_cache(maxsize=8192)
def number(d: Decimal | None):
    # Cached: ~200 cells a report, mostly the same few numbers (equal Decimals such as 1 and
    # 1.0 give equal results, so sharing a cache entry is safe).
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def fit_cells(vals: list, c: int):
    """The ``c`` cell values of a grid row whose cells may be span copies.

    Colspans are expanded by repeating the text, and header and data rows are not always
    split alike (上一年项目数量 over one column, its value over two). Of every way of cutting
    the cells into ``c`` runs of equal copies, the row is kept only if they all give the
    same values. Extra blank cells at the end (an empty 备注 column) are dropped."""
    vals = list(vals)
    while len(vals) > c and vals[-1] == BLANK:
        vals.pop()
    if len(vals) == c:
        return vals
    if len(vals) < c or len(vals) - c > 6:
        return None
    # A cut keeps each maximal run of equal values (adjacent runs differ) as 1..len copies:
    # a cut is a number of copies per run, distinct cuts give distinct rows, so the row is
    # certain only when a single choice makes ``c`` cells.
    runs = [(v, len(list(copies))) for v, copies in groupby(vals)]
    extra = c - len(runs)                  # copies beyond one per run (fewer than len(vals) - len(runs))
    if extra == 0:
        return [v for v, _ in runs]        # one cell per run: the usual span copies
    flexible = [n for _, n in runs if n > 1]
    if extra < 0 or len(flexible) != 1:
        return None                        # no cut, or several runs could take the extra copies
    return [v for v, n in runs for _ in range(1 + extra if n > 1 else 1)]
