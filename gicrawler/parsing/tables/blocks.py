"""Blocks: a label (the text since the previous numbers) and the values after it.

A grid row or a pipe row is one block (span copies are folded back later by ``fit_cells``);
plain text (one cell per line, PDF lines ``规章 1 0 11``, pdfminer's labels-then-columns) is cut
into blocks at every switch between label text and numbers. Each block remembers where it came
from (``origin``), for ``gicrawler parse --explain``.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain

from gicrawler.parsing.tables.cells import UNREAD, Val, parse_value, unread_unit

_LOST_CHARS = frozenset(("?", "\ufffd", "??"))
_PROSE_MAX = 48          # a label token longer than this is a sentence, not a cell


@dataclass(slots=True)
class Block:
    label: str                      # whitespace-free label text before the values
    values: list                    # list[Val]
    lines: list = field(default_factory=list)   # values per source line (text blocks)
    row: bool = False               # True: a grid/pipe row (values certainly one row)
    same_line: bool = True          # the label ends on the line where the values start
    start: int = -1                 # where it comes from: its grid row, or its first and last
    end: int = -1                   # text line (indices; for gicrawler parse --explain)


def _is_prose(token: str) -> bool:
    return len(token) > _PROSE_MAX or "。" in token


PAREN_RE = re.compile(r"\([^()]*\)")
NOTE_RE = re.compile(r"\((?![一二三四五六七八九十]\))[^()]*\)")     # not the numbering "(三)"


def label_part(token: str) -> str:
    """A label cell/token as label text: "" for prose. A long row label is often the row
    name plus a filling instruction in parentheses (规范性文件(行政机关制定…)); the name
    is kept when dropping the parentheses leaves a short label."""
    if not _is_prose(token):
        return token
    core = PAREN_RE.sub("", token)
    return core if core and not _is_prose(core) else ""


def grid_blocks(grid, first_row: int = 0) -> list[Block]:
    """One block per grid row: label cells (deduplicated span copies) + value cells after them."""
    blocks = []
    every_str = _STR.issuperset(map(type, chain.from_iterable(grid)))     # once, not per row
    for r, row in enumerate(grid, first_row):
        cells = row if every_str or _all_str(row) else [
            c if isinstance(c, str) else ("" if c is None else str(c)) for c in row]
        parsed = list(map(parse_value, cells))
        k = parsed.count(None)                          # label cells (parse_value None)
        if k > 1 or k and parsed[0] is not None:
            # "3人次" among the values holds its column (a label there would shift the rest);
            # a row of one label cell, its first, has none
            for i in range(1, len(cells)):
                if parsed[i] is None and unread_unit(cells[i]):
                    parsed[i] = UNREAD
                    k -= 1
        if None not in parsed[k:]:
            # the usual row: the k label cells first, then value cells only
            label = _label_text(tuple(cells[:k]))
            values = parsed[k:]
        else:
            label_idx, last_label, end = _value_span(parsed)
            label = _label_text(tuple(cells[i] for i in label_idx if i <= last_label))
            values = parsed[last_label + 1:end]
        blocks.append(Block(label, values, [len(values)], True, True, r, r))
    return blocks


@lru_cache(maxsize=8192)
def _label_text(cells: tuple) -> str:
    """A row's label cells as its label: span copies of the cell before dropped (cached: the
    template's label cells recur in every report)."""
    parts = []
    prev = None
    for cell in cells:
        t, part = _label_cell(cell)
        if t != prev:                                   # a span copy of the cell before
            parts.append(part)
            prev = t
    return "".join(parts)


def _value_span(parsed) -> tuple[list, int, int]:
    """(label cell indices, last label before the values, end of the values) of a row with
    labels among its values: the values run from after the last label before the first
    number to the next label (a trailing 备注 text column or a leading 序号 column do not
    shift them)."""
    label_idx = [i for i, v in enumerate(parsed) if v is None]
    first_num = None
    for i in range(label_idx[0] + 1, len(parsed)):
        v = parsed[i]
        if v is not None and v.num is not None:
            first_num = i
            break
    if first_num is None:
        return label_idx, label_idx[-1], len(parsed)
    k = bisect_left(label_idx, first_num)           # label_idx is sorted, first_num not in it
    return label_idx, label_idx[k - 1], label_idx[k] if k < len(label_idx) else len(parsed)


def _all_str(row) -> bool:
    return set(map(type, row)) == _STR


_STR = {str}


@lru_cache(maxsize=8192)
def _label_cell(cell: str) -> tuple[str, str]:
    """A label cell whitespace-free, and as label text (cached: template labels recur in every
    report)."""
    t = "".join(cell.split())                           # = re.sub(r"\s+", "", …), faster
    return t, label_part(t)


def text_blocks(text: str) -> list[Block]:
    """Cut plain text into label/value blocks. A pipe line of two or more cells is a row
    block; a pipe line of one cell ("规章 |", "0 |") is one cell of cell-per-line text."""
    blocks: list[Block] = []
    label: list[str] = []
    values: list[Val] = []
    lines: list[int] = []
    same_line = False
    start = last = 0

    def flush():
        nonlocal label, values, lines
        if values or label:
            blocks.append(Block("".join(label), values, lines, same_line=same_line, start=start, end=last))
        label, values, lines = [], [], []

    cell_lines = False          # the previous line was one "x |" cell (or a blank one)
    for n, line in enumerate(text.split("\n")):
        if "|" in line:
            cells = [c.strip() for c in line.split("|")]
            filled = [c for c in cells if c]
            if len(filled) <= 1 and not (filled and set(filled[0]) <= set("-: ")):
                # "规章 |", "0 |", "|", "第二十条第(五)项 | |||": a page converter's
                # one-cell-per-line output, not a row: read it as a plain text line.
                # Where every cell is printed "x |", a bare "|" is an empty cell ("||" pads
                # a row); where cells are bare lines, a "|" line only separates them.
                bare = line.strip() == "|"
                if bare and cell_lines:
                    line = "-"
                else:
                    line = filled[0] if filled else ""
                    cell_lines = bool(filled) and len(cells) == 2 and cells[1] == ""
            else:
                cell_lines = False
                flush()
                while cells and cells[-1] == "":
                    cells.pop()
                if cells and cells[0] == "" and len(cells) > 1 and (
                        parse_value(cells[1]) is None or line.lstrip().startswith("|")):
                    cells.pop(0)            # markdown's leading "|" opens no cell
                if cells and not all(set(c) <= set("-: ") for c in cells):
                    blocks.extend(grid_blocks([cells], n))
                continue
        count = 0
        label_here = False
        for tok in line.split():
            if tok in _LOST_CHARS:
                continue            # "? 0": a character lost in conversion before a value
            v = parse_value(tok)
            if v is None and tok[:1].isdigit() and unread_unit(tok):
                v = UNREAD          # "0人次" among a row's numbers: a value, not a label that cuts the row
            if v is None:
                if values:
                    if count:
                        lines.append(count)
                        count = 0
                    flush()
                tok = label_part(tok)
                if tok:
                    if not label:
                        start = n
                    label.append(tok)
                    label_here = True
                    last = n
            else:
                if not values:
                    same_line = label_here
                    if not label:
                        start = n
                values.append(v)
                count += 1
                last = n
        if count:
            lines.append(count)
    flush()
    return blocks
