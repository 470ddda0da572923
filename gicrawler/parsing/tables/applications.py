"""Table B (收到和处理政府信息公开申请情况): blocks → (template, {row: {applicant column: value}}).

Blocks become *runs* (a row label, if any, and seven or six values); runs are mapped to the
template's rows by position when their count is the template's and the labels agree, else by
the longest chain of reliable labels, gaps filled by position only when the counts match.
"""
from __future__ import annotations

import re
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

from gicrawler.parsing import labels
from gicrawler.parsing.tables.blocks import NOTE_RE, Block
from gicrawler.parsing.tables.cells import Val, fit_cells, number, parse_value

_SPACE_RE = re.compile(r"\s+")
# How a run was cut from its block (for gicrawler parse --explain).
ROW_CELLS, LINE, COLUMNS = "the row's cells", "a line of the row's numbers", "numbers column by column (pdfminer)"


class Run(NamedTuple):
    """One row of values cut from a block, with the row label it may belong to."""
    anchor: str | None          # the row key its label names (the last one), if any
    values: list                # ncols Vals
    strong: bool                # the label is certainly this row's (not a wrapped neighbour's)
    block: Block
    how: str


def value_runs(blocks: list[Block], ncols: int):
    """Blocks → list of Runs (rows of ``ncols`` values) in document order."""
    runs = []
    for b in blocks:
        vals = b.values
        if not vals:
            continue
        keys = row_keys(b.label)
        anchor = keys[-1] if keys else None
        # A label on the line(s) above numbers printed several per line may belong to the
        # row above (PDF cells wrap): such an anchor is only a hint for the positional path.
        strong = b.row or b.same_line or all(c == 1 for c in b.lines)
        if b.row:
            if anchor is None and all(v.num is None for v in vals):
                continue                           # header/heading row padded with empty cells
            if len(vals) == ncols or len(vals) > ncols and all(v.num is None for v in vals[ncols:]):
                runs.append(Run(anchor, vals[:ncols], True, b, ROW_CELLS))
            continue
        n = len(vals)
        one_per_line = all(c == 1 for c in b.lines)
        if n == ncols and len(b.lines) > 1 and not one_per_line:
            # the row's numbers on two lines, some on each (8.属于行政查询事项 0 0 0 0 / 10 0 0):
            # a line short of cells dropped its blanks, the next may be the next row's numbers
            continue
        if n == ncols:
            if len(keys) > 1 and not b.same_line:
                # several row labels, one row of numbers (a lost row or a lost cell):
                # which label they belong to is not knowable
                runs.append(Run(None, vals, False, b, LINE))
            else:
                runs.append(Run(anchor, vals, strong, b, LINE))
            continue
        if one_per_line:
            k = n // ncols
            if n % ncols == 0 and k == len(keys) and k > 1:
                # pdfminer: a block of k row labels, then each column's k numbers top to
                # bottom. The numbers follow the printed (template) row order; the label
                # text may not (layout analysis moves boxes), so pair them in template order.
                rows = [[vals[c * k + r] for c in range(ncols)] for r in range(k)]
                rows = _fix_total_column(rows)
                if rows is None:
                    continue                       # column order unknowable: rows left out
                for key, row in zip(sorted(keys, key=printed_position), rows):
                    runs.append(Run(key, row, True, b, COLUMNS))
            continue                               # stray numbers (prose) otherwise
        first = True
        pos = 0
        for c in b.lines:
            if c == ncols:
                runs.append(Run(anchor if first else None, vals[pos:pos + c], strong and first, b, LINE))
            first = False
            pos += c
    return runs


@lru_cache(maxsize=8192)
def row_keys(label: str) -> tuple:
    """B row keys in a label, ordered by where their match ends (the last is the anchor).
    Cached: the same template labels recur in every report. A note in parentheses is not a
    row ("1.本机关不掌握相关政府信息(含重复申请)"); the numbering "(一)"…"(七)" stays."""
    if "(" in label:
        label = NOTE_RE.sub("", label)
    found = sorted(labels.row_matches(labels.B_PATTERNS, label), key=lambda kv: kv[1])
    return tuple(_drop_group_duplicates([k for k, _ in found]))


def _drop_group_duplicates(keys):
    # "(六)其他处理" is a row only in the 2019 template; when the 2021 sub-rows are
    # there it is their group heading.
    if "other" in keys and any(k.startswith("other.") for k in keys):
        keys = [k for k in keys if k != "other"]
    out = []
    for k in keys:
        if k not in out:
            out.append(k)
    return out


def printed_position(key: str) -> int:
    for rows in (labels.B_ROWS["2021"], labels.B_ROWS["2019"]):
        if key in rows:
            return rows.index(key)
    return 99


def _fix_total_column(rows):
    """Column-major text may put the 总计 column anywhere; find it by the row sums.

    Accept only if unambiguous: the columns that shift left are identical (e.g. all 0)."""
    ncols = len(rows[0])
    val = [[(v.num or 0) for v in r] for r in rows]

    def is_total(j):
        return all(r[j] == sum(r) - r[j] for r in val)

    outcomes = {}
    if is_total(ncols - 1):
        outcomes[None] = rows                  # in place already
    for j in range(ncols - 1 if not outcomes else 0):
        if not is_total(j):
            continue
        shifted = [[r[c] for r in val] for c in range(j + 1, ncols)]
        if any(col != shifted[0] for col in shifted):
            continue                    # moving this column would reorder real data
        moved = [r[:j] + r[j + 1:] + [r[j]] for r in rows]
        outcomes[tuple(tuple(v.num for v in r) for r in moved)] = moved
    # several candidates are fine only when they all give the same table
    if len(outcomes) != 1:
        return None
    rows = next(iter(outcomes.values()))
    # The order of the five organisation columns cannot be checked: keep them only if
    # it does not matter (they are equal, typically all 0).
    middle = [[r[c].num for r in rows] for c in range(1, ncols - 1)]
    if any(col != middle[0] for col in middle):
        rows = [[r[0]] + [Val(None)] * (ncols - 2) + [r[-1]] for r in rows]
    return rows


_NUM = attrgetter("num")
_MOST_ROWS = max(map(len, labels.B_ROWS.values()))


def assemble_applications(blocks: list[Block], why: dict | None = None):
    """Table B → (template, table) or (None, None). ``why``, if given, gets row key → (the rule
    that placed the row, its block)."""
    labels_text = "".join(b.label for b in blocks)
    if not labels.KIND_MARKERS["applications"].search(labels_text):
        return None, None
    best = None
    for ncols in (7, 6) if not _total_column_printed(blocks) else (7,):
        if best is not None and _most_runs(blocks, ncols) <= len(best[0]):
            break                       # (the check below, without cutting the runs)
        runs = value_runs(blocks, ncols)
        if runs is None:
            continue
        if best is not None and len(runs) <= len(best[0]):
            continue                    # align_runs places a run in one row at most: no more rows
        rows, template = align_runs(runs, labels_text)
        if rows and (best is None or len(rows) > len(best[0])):
            best = (rows, template, ncols)
            if len(rows) == _MOST_ROWS:
                break                   # every row of the longer template: six columns cannot beat it
    if best is None:
        return None, None
    rows, template, ncols = best
    if len(rows) < 3:
        return None, None
    table: dict = {}
    columns = labels.APPLICANT_COLUMNS
    for key, group, sub in _ROW_PATHS[template]:
        placed = rows.get(key)
        if placed is None:
            row = dict.fromkeys(columns)
        else:
            if why is not None:
                why[key] = (_rule(placed, template, len(rows)), placed[0].block)
            row = dict(zip(columns, map(number, map(_NUM, placed[0].values))))
            if len(row) < len(columns):
                row["total"] = None
        if sub:
            table.setdefault(group, {})[sub] = row
        else:
            table[key] = row
    return template, table


# The (七)总计 row's label; a 总计 anywhere else in a label is the 总计 column's header.
_TOTAL_ROW_RE = next(rx for key, rx in labels.B_PATTERNS if key == "total")


def _total_column_printed(blocks: list[Block]) -> bool:
    """Whether the table prints a 总计 column: then its rows have seven cells, and a row of six
    numbers is one whose blank cell (a 0 printed as nothing) the text dropped, not the table
    without 总计 columns (its numbers would each be read a column off)."""
    return any(labels.B_TOTAL_HEADER.search(_TOTAL_ROW_RE.sub("", b.label)) for b in blocks if "计" in b.label)


# Each template's rows as (key, group, sub-row or ""): "denied.state_secret" → table["denied"]["state_secret"].
_ROW_PATHS = {template: [(key, *key.partition(".")[::2]) for key in keys] for template, keys in labels.B_ROWS.items()}


def _most_runs(blocks: list[Block], ncols: int) -> int:
    """At most how many runs value_runs(blocks, ncols) cuts: one per grid row of ``ncols`` or
    more values, one per ``ncols`` values of a text block."""
    return sum(1 if b.row else len(b.values) // ncols for b in blocks if len(b.values) >= ncols)


def conform_other(table: dict, template: str) -> dict:
    """A 2021-template report printing the single 2019 "(六)其他处理" row: the three
    2021 sub-rows are knowable only where the row is 0 (or blank) in every column."""
    other = table.get("other")
    if template != "2021" or not isinstance(other, dict) or "total" not in other:
        return table
    if any(v not in (0, None) for v in other.values()):
        return table                    # cannot split a non-zero count: keep as printed
    table = dict(table)
    table["other"] = {sub: dict(other) for sub in ("no_correction", "unpaid_fee", "other")}
    return table


def _rule(placed, template: str, count: int) -> str:
    run, by = placed
    cut = "" if run.how == ROW_CELLS else f"; {run.how}"
    if by == BY_POSITION:
        return f"position: the {count} value rows are the {template} template's {count} rows, the labels agree{cut}"
    if by == BY_GAP:
        return f"position, between two labelled rows (the gap has as many rows as the template){cut}"
    return f"row label{cut}"


BY_POSITION, BY_LABEL, BY_GAP = "position", "label", "gap"


def align_runs(runs, labels_text):
    """Map runs to template rows; returns ({key: (run, BY_…)}, template)."""
    if not runs:
        return {}, "2021"
    anchors = [r.anchor for r in runs]
    t2021 = bool(labels.B_MARKERS_2021.search(labels_text)) or any(a and a.startswith("other.") for a in anchors)
    order = ("2021", "2019") if t2021 else ("2019", "2021")
    # 1. exact row count: position decides, if every reliable label agrees and the others
    #    are at most one row off (a wrapped PDF label may sit above or below its numbers)
    for template in order:
        rows_t = labels.B_ROWS[template]
        if len(runs) == len(rows_t):
            named = [(i, r.anchor, r.strong) for i, r in enumerate(runs) if r.anchor is not None]
            if named and all(a == rows_t[i] if st else a in rows_t[max(0, i - 1):i + 2]
                             for i, a, st in named):
                return {rows_t[i]: (run, BY_POSITION) for i, run in enumerate(runs)}, template
    # 2. strong anchors in increasing template order (longest chain), gaps between them
    #    filled by position only when the counts match exactly
    template = order[0]
    rows_t = labels.B_ROWS[template]
    idx = {k: i for i, k in enumerate(rows_t)}
    cand = [(p, idx[r.anchor]) for p, r in enumerate(runs) if r.strong and r.anchor in idx]
    pinned = _longest_increasing(cand)
    if not pinned:
        return {}, template                        # no reliable label at all: nothing is certain
    out = {}
    bounds = [(-1, -1)] + pinned + [(len(runs), len(rows_t))]
    for (p0, t0), (p1, t1) in zip(bounds, bounds[1:]):
        if p1 < len(runs):
            out[rows_t[t1]] = (runs[p1], BY_LABEL)
        if p1 - p0 == t1 - t0 and p1 - p0 > 1:
            for off in range(1, p1 - p0):
                out[rows_t[t0 + off]] = (runs[p0 + off], BY_GAP)
    return out, template


def _longest_increasing(pairs):
    """Longest subsequence of (run_pos, tmpl_pos) pairs with strictly increasing tmpl_pos."""
    if not pairs:
        return []
    best = [1] * len(pairs)
    prev = [-1] * len(pairs)
    for i in range(len(pairs)):
        for j in range(i):
            if pairs[j][1] < pairs[i][1] and best[j] + 1 > best[i]:
                best[i], prev[i] = best[j] + 1, j
    i = max(range(len(pairs)), key=best.__getitem__)
    chain = []
    while i != -1:
        chain.append(pairs[i])
        i = prev[i]
    return chain[::-1]


def _applicant_column_map(grid):
    """Column index of each applicant column from header cells (expanded grids only)."""
    found = {}
    for row in grid[:6]:
        for j, c in enumerate(row):
            for key in _applicant_keys(c if isinstance(c, str) else ""):
                if key not in found:
                    found[key] = j
    return found


@lru_cache(maxsize=8192)
def _applicant_keys(cell: str) -> tuple:
    """Applicant columns whose header this cell is (cached: header cells recur in every report)."""
    t = _SPACE_RE.sub("", cell)
    return tuple(key for key, rx in labels.APPLICANT_HEADERS.items() if rx.match(t))


def remap_grid(grid, blocks):
    """Re-read B grid rows through the header column map when it is complete and sane."""
    cmap = _applicant_column_map(grid)
    keys = [k for k in labels.APPLICANT_COLUMNS if k in cmap]
    idx = [cmap[k] for k in keys]
    if len(keys) < 6 or any(a >= b for a, b in zip(idx, idx[1:])):
        return blocks                   # incomplete or out of order: not an expanded header
    if tuple(keys) != labels.APPLICANT_COLUMNS[:len(keys)]:
        return blocks                   # one of the six header cells unread: positions unknown
    width = max(idx) + 1
    out = []
    for row, b in zip(grid, blocks):
        if len(keys) == 7 and (len(b.values) == 7 or fit_cells(b.values, 7) is not None):
            out.append(b)               # the cells after the label already are the row
            continue
        if len(row) >= width and not _number_before(row, idx[0]):
            cells = [parse_value(row[j] if isinstance(row[j], str) else "") for j in idx]
            if all(c is not None for c in cells) and b.label and any(c.num is not None for c in cells):
                if len(keys) == 6:
                    cells.append(Val(None))
                out.append(Block(b.label, cells, [len(cells)], row=True, start=b.start, end=b.end))
                continue
        out.append(b)
    return out


def _number_before(row, first: int) -> bool:
    """Whether a number sits left of the first value column: the row is not aligned with the
    header (a repeated row whose rowspan pushed the rows under it one column to the right)."""
    for c in row[:first]:
        v = parse_value(c) if isinstance(c, str) else None
        if v is not None and v.num is not None:
            return True
    return False
