"""Rows whose numbers lost their cell boundaries ("glued"), decoded with the template's identities.

Text taken from some pages and PDFs prints a table row's cells with nothing between them:
``一、本年新收政府信息公开申请数量640020470`` is 64, 0, 0, 2, 0, 4, 70. The digits alone do not
say where the cells end; the national template's identities (docs/record.md, the 勾稽 checks
in checks.py) often do:

- table B, every row: the six applicant columns sum to 总计 (the 7th column);
- table B, every column: 本年新收 + 上年结转 = (七)总计 + 结转下年度;
- table B, every column: the result rows (予以公开 … 其他处理) sum to (七)总计;
- table C, every group: 维持 + 纠正 + 其他 + 尚未审结 = 总计.

A glued row is a sequence of digit *pieces* (a cell never spans two pieces: "64 0020470" is
two pieces). Every split of the pieces into the row's cells that satisfies the row's own sum is
enumerated (numbers are printed without leading zeros, so "05" is never a cell; the 总计 cell is
not enumerated at all: it must read as the sum of the cells before it; with ``blanks`` a cell
may also be blank — a 0 printed as nothing leaves no digit, and a split that ignores it reads
12|_|0|10 as 1|20|1|0, the same sum — and tables/glued_rows.py asks for that). Rows are then decoded
jointly: every combination of candidate splits satisfying every column identity is a solution,
and a row is filled only when it has the same value in every solution. Anything else — several
splits left, no split at all, the search bound reached — is reported ambiguous and left out:
a missing number is acceptable, a wrong one is not.

The decoder trusts the identities: a printed table that itself breaks one could in principle
decode to a split that satisfies it. Decoded rows are therefore named on the record (see
``Decoded.decoded``) so a reader knows which numbers came from glued digits.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from gicrawler import template

MAX_CELL_DIGITS = 7          # no count in these tables reaches ten million
MAX_ROW_NODES = 200_000      # split steps tried for one row before it is called ambiguous
MAX_SOLVER_NODES = 200_000   # combinations tried across rows before giving up (ambiguous)

_DIGITS_RE = re.compile(r"\d+")
_TRAILING_DIGITS_RE = re.compile(r"^(.*?[^\d\s.,、])\s*(\d[\d\s]*)$")

# Table B rows that are not results: the balance identity's four rows.
_BALANCE = (("received", 1), ("carried_over", 1), ("total", -1), ("carried_forward", -1))
_NOT_RESULTS = frozenset(k for k, _ in _BALANCE)


@dataclass(frozen=True)
class Glued:
    """The digits of one row whose cell boundaries were lost; boundaries only between pieces."""
    pieces: tuple[str, ...]

    @classmethod
    def of(cls, *texts: str) -> "Glued":
        """From text: every run of digits is a piece ("64 0020470" → ("64", "0020470"))."""
        return cls(tuple(p for t in texts for p in _DIGITS_RE.findall(t)))

    @property
    def digits(self) -> int:
        return sum(map(len, self.pieces))


class TooMany(Exception):
    """The enumeration bound was reached: the row (or table) is ambiguous."""


@dataclass
class Decoded:
    rows: dict = field(default_factory=dict)        # key → tuple of ints (decoded glued rows only)
    decoded: list = field(default_factory=list)     # keys decoded from glued digits
    ambiguous: dict = field(default_factory=dict)   # key → why it was left out


def split_label(text: str) -> tuple[str, Glued] | None:
    """``"一、本年新收政府信息公开申请数量640020470"`` → (label, Glued(("640020470",))).

    None when the text does not end in digits after a label (a label's own numbering,
    "1.属于国家秘密", is not taken for cells)."""
    m = _TRAILING_DIGITS_RE.match(text.strip())
    if not m:
        return None
    return m.group(1), Glued.of(m.group(2))


_PIECES_RE = re.compile(r"^(.*?[^\d\s.,、])[\s|]*((?:\d+[\s|]*)+)$")
# A label token that is a number ("5345", "0人次"), not a row's numbering ("1.属于国家秘密").
_NUMBER_TOKEN_RE = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?![\d.,、．)）])")


def glued_row(cells, width: int) -> tuple[str, Glued] | None:
    """A table row whose numbers are glued: (label, Glued) or None.

    ``cells``: one text line ("一、本年新收…申请数量640020470", "申请数量 64 0020470") or a grid
    row (["一、本年新收…", "64", "0020470"]). Glued means: a label, then runs of digits only, fewer
    runs than the ``width`` cells the row has but at least ``width`` digits. A row whose cells
    are all there (or that holds anything but digits after its label: units, signs, decimals,
    blanks) is not glued."""
    text = cells if isinstance(cells, str) else " ".join(c.strip() for c in cells if c and c.strip())
    if sum(map(len, _DIGITS_RE.findall(text))) < width:
        return None           # fewer digits in all than the row has cells (no regex scan needed)
    m = _PIECES_RE.match(text.strip())
    if not m:
        return None
    pieces = tuple(_DIGITS_RE.findall(m.group(2)))      # = Glued.of(m.group(2)).pieces
    if len(pieces) >= width or sum(map(len, pieces)) < width:
        return None
    label = m.group(1).strip()
    if any(map(_NUMBER_TOKEN_RE.match, label.split())):
        # numbers before the "label" ends: the row's cells are there, one of them unreadable
        # ("5345 129 O 41 19 14 5548"); its last digits are not one glued run
        return None
    return label, Glued(pieces)


# ---------------------------------------------------------------- one row
def splits(glued: Glued, groups: Sequence[tuple[int, bool]], *, blanks: bool = False,
           max_nodes: int = MAX_ROW_NODES) -> list[tuple]:
    """Every split of ``glued`` into consecutive groups of cells.

    ``groups``: (cells, summed) for each group in order; a summed group's last cell equals the
    sum of its other cells (B's 总计, C's 总计). ``blanks``: a cell may also be blank (a 0
    printed as nothing leaves no digit in the glued text): None in the split, 0 in the sums.
    Raises TooMany past ``max_nodes`` steps."""
    s = "".join(glued.pieces)
    ends, pos = [], 0
    for p in glued.pieces:                  # piece ends: every cell stops at the next one
        pos += len(p)
        ends.append(pos)
    # where the piece holding position i ends: no cell may run past it
    next_end = [ends[bisect_right(ends, i)] if i < len(s) else len(s) for i in range(len(s) + 1)]
    cells = [(g, k == size - 1 and summed) for g, (size, summed) in enumerate(groups) for k in range(size)]
    pieces_after = [sum(1 for e in ends if e > i) for i in range(len(s) + 1)]
    out: list[tuple] = []
    nodes = 0
    acc: list[int] = []

    def cell_at(i: int, length: int) -> int | None:
        if i + length > next_end[i] or (length > 1 and s[i] == "0"):
            return None
        return int(s[i:i + length])

    def walk(i: int, c: int, group_sum: int):
        nonlocal nodes
        nodes += 1
        if nodes > max_nodes:
            raise TooMany(f"over {max_nodes} splits tried")
        left = len(cells) - c
        if left == 0:
            if i == len(s):
                out.append(tuple(acc))
            return
        # every remaining piece needs a cell; every remaining cell needs a digit (unless blank)
        if pieces_after[i] > left or (not blanks and len(s) - i < left) or len(s) - i > left * MAX_CELL_DIGITS:
            return
        g, is_total = cells[c]
        last_of_group = c + 1 == len(cells) or cells[c + 1][0] != g
        if blanks and (not is_total or group_sum == 0):
            acc.append(None)                # a blank cell: no digit, 0 in the group's sum
            walk(i, c + 1, 0 if last_of_group else group_sum)
            acc.pop()
        if is_total:
            text = str(group_sum)
            if s.startswith(text, i) and cell_at(i, len(text)) is not None:
                acc.append(group_sum)
                walk(i + len(text), c + 1, 0)
                acc.pop()
            return
        for length in range(1, min(MAX_CELL_DIGITS, next_end[i] - i) + 1):
            v = cell_at(i, length)
            if v is None:
                break
            acc.append(v)
            walk(i + length, c + 1, 0 if last_of_group else group_sum + v)
            acc.pop()

    walk(0, 0, 0)
    return out


def decode_row(glued: Glued, groups: Sequence[tuple[int, bool]]) -> tuple | None:
    """The row's values when exactly one split exists, else None."""
    try:
        found = splits(glued, groups)
    except TooMany:
        return None
    return found[0] if len(found) == 1 else None


# ---------------------------------------------------------------- several rows jointly
def _solve(cands: dict, known: dict, identities: list, width: int, max_nodes: int) -> dict | None:
    """For each variable row, the set of its values over every solution of the identities.

    ``identities``: lists of (key, coefficient), each meaning sum(coefficient × row) = 0 in every
    column where all its known rows have a value. None when ``max_nodes`` is reached."""
    prepared = []
    for terms in identities:
        const = [0] * width
        usable = [True] * width
        for key, coeff in terms:
            if key in cands:
                continue
            row = known[key]
            for j in range(width):
                if row[j] is None:
                    usable[j] = False
                else:
                    const[j] += coeff * row[j]
        cols = [j for j in range(width) if usable[j]]
        variables = [(k, c) for k, c in terms if k in cands]
        if cols and variables:
            prepared.append((const, cols, variables))
    order = sorted(cands, key=lambda k: len(cands[k]))
    rank = {k: i for i, k in enumerate(order)}
    # each identity is checked when its last variable (in search order) is assigned
    closing: dict = {k: [] for k in order}
    for ident in prepared:
        closing[max(ident[2], key=lambda kc: rank[kc[0]])[0]].append(ident)
    values: dict = {k: set() for k in order}
    chosen: dict = {}
    nodes = 0

    def fits(key, cand) -> bool:
        for const, cols, variables in closing[key]:
            for j in cols:
                total = const[j]
                for k, coeff in variables:
                    total += coeff * ((cand[j] if k == key else chosen[k][j]) or 0)     # a blank: 0
                if total != 0:
                    return False
        return True

    def walk(i: int) -> bool:          # False: stop (bound reached)
        nonlocal nodes
        if i == len(order):
            for k, v in chosen.items():
                values[k].add(v)
            return True
        key = order[i]
        for cand in cands[key]:
            nodes += 1
            if nodes > max_nodes:
                return False
            if fits(key, cand):
                chosen[key] = cand
                if not walk(i + 1):
                    return False
                del chosen[key]
                if all(len(v) > 1 for v in values.values()):
                    return True        # nothing can be decided any more: stop early
        return True

    if not walk(0):
        return None
    return values


def _decode(rows: Mapping, groups, identities, width: int, max_nodes: int, blanks: bool = False) -> Decoded:
    result = Decoded()
    cands, known = {}, {}
    for key, row in rows.items():
        if isinstance(row, Glued):
            try:
                found = splits(row, groups, blanks=blanks)
            except TooMany:
                result.ambiguous[key] = "ambiguous: too many digit splits"
                continue
            if not found:
                result.ambiguous[key] = "ambiguous: no digit split satisfies the row total"
                continue
            cands[key] = found
        else:
            known[key] = tuple(row) if row is not None else (None,) * width
    if not cands:
        return result
    # an identity naming a row that is absent or left out cannot be used
    usable = [terms for terms in identities if all(k in cands or k in known for k, _ in terms)]
    values = _solve(cands, known, usable, width, max_nodes)
    for key in cands:
        if values is None:
            result.ambiguous[key] = "ambiguous: too many combinations across rows"
        elif not values[key]:
            result.ambiguous[key] = "ambiguous: no digit split satisfies the table's identities"
        elif len(values[key]) > 1:
            result.ambiguous[key] = f"ambiguous: {len(values[key])} digit splits satisfy the identities"
        else:
            result.rows[key] = next(iter(values[key]))
            result.decoded.append(key)
    return result


def applications_identities(year: str) -> list[list[tuple[str, int]]]:
    """Table B's column identities over its row keys in template ``year``: balance, results sum."""
    results = [k for k in template.application_rows(year) if k not in _NOT_RESULTS]
    return [list(_BALANCE), [(k, 1) for k in results] + [("total", -1)]]


def decode_applications(rows: Mapping[str, Sequence | Glued], year: str = "2021", *,
                        with_total: bool = True, blanks: bool = False, max_nodes: int = MAX_SOLVER_NODES) -> Decoded:
    """Table B rows (key → 7 values, None for an unknown cell, or Glued) → Decoded.

    ``with_total``: the rows have the 总计 column (7 cells, the row-sum identity applies);
    without it 6 cells and only the column identities. ``blanks``: a glued cell may be blank
    (see splits; 0 in the identities, None when blank in every solution)."""
    width = len(template.APPLICANT_COLUMNS) - (0 if with_total else 1)
    groups = ((width, with_total),)
    return _decode(rows, groups, applications_identities(year), width, max_nodes, blanks)


def decode_review(glued: Glued, *, groups: int = 3, with_total: bool = True, blanks: bool = False) -> tuple | None:
    """Table C's numbers (``groups`` × 5 cells, 4 without 总计, in header order) from glued
    digits. A group whose cells differ between the splits is None in every cell; the result
    is None when no split (or too many) exists. ``blanks``: cells may be blank (see splits);
    a cell blank in every split is None."""
    size = len(template.REVIEW_COLUMNS) - (0 if with_total else 1)
    try:
        found = splits(glued, ((size, with_total),) * groups, blanks=blanks)
    except TooMany:
        return None
    if not found:
        return None
    out: list = []
    for g in range(groups):
        seen = {f[g * size:(g + 1) * size] for f in found}
        out.extend(next(iter(seen)) if len(seen) == 1 else (None,) * size)
    return tuple(out)


def review_table(values: Sequence[int]) -> dict:
    """Decoded table C numbers (15, or 12 without 总计) → the record's review_litigation shape."""
    per = len(values) // len(template.REVIEW_GROUP_KEYS)
    return {g: {c: (values[i * per + j] if j < per else None) for j, c in enumerate(template.REVIEW_COLUMNS)}
            for i, g in enumerate(template.REVIEW_GROUP_KEYS)}
