"""Extraction of the three national tables (A active, B applications, C review_litigation).

Input: the normalised body text and, optionally, grids (HTML/DOCX/PDF tables with spans
expanded). Both are reduced to *blocks*: a label (text since the previous numbers) and the
values after it. A grid row or a pipe row is one block (span copies are folded back by
``fit_cells``); plain text (one cell per line, PDF lines ``规章 1 0 11``, pdfminer's
labels-then-columns) is cut into blocks at every switch between label text and numbers.

Assemblers map blocks to the template rows: by label keyword (labels.py), by position
when the row count equals the template's and the labels agree, column by column when N
labels are followed by N×cols numbers one per line (pdfminer). Whatever is not certain is
left out (None, or the table listed in ``missing_tables``): a missing value is better
than a wrong one.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from gicrawler.parsing import labels as L

TABLE_KEYS = ("active", "applications", "review_litigation")

_SPACE_RE = re.compile(r"\s+")
_PAGE_MARK_RE = re.compile(r"(?m)^[ \t]*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,/]?\s*共\s*\d+\s*页)?)[ \t]*$")
# Where a page mark's first visible character can be: a dash or 第 before a digit.
_PAGE_MARK_HINT_RE = re.compile(r"[-—–第]\s*\d")
_VISIBLE_RE = re.compile(r"[^ \t]")
_VALUE_RE = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(万元|万|亿元|亿|元|件|个|条|次|项|家|人)?")
_BLANK = frozenset(("", "&nbsp;", "/", "-", "—", "——", "–", "--", "—-", "\\", "无", "空"))
_LOST_CHARS = frozenset(("?", "\ufffd", "??"))
_PROSE_MAX = 48          # a label token longer than this is a sentence, not a cell


@dataclass(frozen=True)
class Val:
    """A parsed value cell: ``num`` None for a blank cell."""
    num: Decimal | None
    unit: str = ""


@dataclass
class Block:
    label: str                      # whitespace-free label text before the values
    values: list                    # list[Val]
    lines: list = field(default_factory=list)   # values per source line (text blocks)
    row: bool = False               # True: a grid/pipe row (values certainly one row)
    same_line: bool = True          # the label ends on the line where the values start


@lru_cache(maxsize=16384)
def parse_value(cell: str) -> Val | None:
    """A value cell → Val (blank → Val(None)); a label cell → None."""
    s = cell.strip()
    if s[:1] in "?\ufffd" and s:
        s = s.lstrip("?\ufffd ")                        # "? 0": a character lost in conversion
    if s[:1] > "\u2e80" and s not in _BLANK:
        return None                                   # starts with a CJK character: a label
    if s in _BLANK or s.replace("-", "").replace("—", "") == "" and len(s) < 4:
        return Val(None)
    m = _VALUE_RE.fullmatch(s.replace(" ", ""))
    if not m:
        return None
    sign, whole, frac, unit = m.groups()
    num = Decimal(whole.replace(",", "") + ("." + frac if frac else ""))
    return Val(-num if sign == "-" else num, unit or "")


def _drop_page_marks(text: str) -> str:
    """``_PAGE_MARK_RE.sub("", text)``, trying the pattern only at the start of lines whose
    first visible character is a hint (the (?m)^ pattern scans every position otherwise).
    Linear: line starts and first visible characters are found once per line."""
    hints = _positions(text, "-—–第")
    if hints is None:
        return _PAGE_MARK_RE.sub("", text)
    pieces = []
    pos = 0                                   # end of the last mark removed
    match = _PAGE_MARK_RE.match
    hint = _PAGE_MARK_HINT_RE.match
    line_start, visible, scanned = 0, None, 0
    for c in hints:
        nl = text.rfind("\n", scanned, c)
        scanned = c
        if nl >= 0:
            line_start, visible = nl + 1, None
        if visible is None:                   # a mark starts its line: only [ \t] before it
            visible = _VISIBLE_RE.search(text, line_start).start()
        if c != visible or line_start < pos or not hint(text, c):
            continue
        m = match(text, line_start)
        if m:
            pieces.append(text[pos:line_start])
            pos = m.end()
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


@lru_cache(maxsize=8192)
def _num(d: Decimal | None):
    # Cached: ~200 cells a report, mostly the same few numbers (equal Decimals such as 1 and
    # 1.0 give equal results, so sharing a cache entry is safe).
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


# ---------------------------------------------------------------- blocks from input
def _is_prose(token: str) -> bool:
    return len(token) > _PROSE_MAX or "。" in token


_PAREN_RE = re.compile(r"\([^()]*\)")
_NOTE_RE = re.compile(r"\((?![一二三四五六七八九十]\))[^()]*\)")     # not the numbering "(三)"


def _label_part(token: str) -> str:
    """A label cell/token as label text: "" for prose. A long row label is often the row
    name plus a filling instruction in parentheses (规范性文件(行政机关制定…)); the name
    is kept when dropping the parentheses leaves a short label."""
    if not _is_prose(token):
        return token
    core = _PAREN_RE.sub("", token)
    return core if core and not _is_prose(core) else ""


def grid_blocks(grid) -> list[Block]:
    """One block per grid row: label cells (deduplicated span copies) + value cells after them."""
    blocks = []
    for row in grid:
        cells = [c if isinstance(c, str) else ("" if c is None else str(c)) for c in row]
        parsed = list(map(parse_value, cells))
        label_idx = [i for i, v in enumerate(parsed) if v is None]
        # values: from after the last label before the first number, to the next label
        # (a trailing 备注 text column or a leading 序号 column do not shift them)
        first_num = None
        if label_idx:
            for i in range(label_idx[0] + 1, len(parsed)):
                v = parsed[i]
                if v is not None and v.num is not None:
                    first_num = i
                    break
        if first_num is None:
            last_label = label_idx[-1] if label_idx else -1
            end = len(cells)
        else:
            k = bisect_left(label_idx, first_num)       # label_idx is sorted, first_num not in it
            last_label = label_idx[k - 1]
            end = label_idx[k] if k < len(label_idx) else len(cells)
        label_parts = []
        prev = None
        for i in label_idx:
            if i > last_label:
                break
            t = "".join(cells[i].split())               # = _SPACE_RE.sub("", …), faster
            if t != prev:                               # a span copy of the cell before
                label_parts.append(_label_part(t))
                prev = t
        values = parsed[last_label + 1:end]
        blocks.append(Block("".join(label_parts), values, row=True, lines=[len(values)]))
    return blocks


def text_blocks(text: str) -> list[Block]:
    """Cut plain text into label/value blocks. A pipe line of two or more cells is a row
    block; a pipe line of one cell ("规章 |", "0 |") is one cell of cell-per-line text."""
    blocks: list[Block] = []
    label: list[str] = []
    values: list[Val] = []
    lines: list[int] = []
    same_line = False

    def flush():
        nonlocal label, values, lines
        if values or label:
            blocks.append(Block("".join(label), values, lines, same_line=same_line))
        label, values, lines = [], [], []

    cell_lines = False          # the previous line was one "x |" cell (or a blank one)
    for line in text.split("\n"):
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
                    blocks.extend(grid_blocks([cells]))
                continue
        count = 0
        label_here = False
        for tok in line.split():
            if tok in _LOST_CHARS:
                continue            # "? 0": a character lost in conversion before a value
            v = parse_value(tok)
            if v is None:
                if values:
                    if count:
                        lines.append(count)
                        count = 0
                    flush()
                tok = _label_part(tok)
                if tok:
                    label.append(tok)
                    label_here = True
            else:
                if not values:
                    same_line = label_here
                values.append(v)
                count += 1
        if count:
            lines.append(count)
    flush()
    return blocks


# ---------------------------------------------------------------- sections
def find_sections(text: str) -> dict:
    """table key → list of (heading_found, start, end) regions where its table may be.

    A heading may occur more than once (a table of contents, a repeated title): every
    occurrence is a candidate, in order. A region ends at the next heading of any section
    (or 五/六). Without a heading, the region starts at the table's own header text."""
    cands = {key: _find_headings(key, text) for key in TABLE_KEYS}
    bounds = sorted({s for c in cands.values() for s, _ in c} | set(_section_ends(text)) | {len(text)})
    out = {}
    for key in TABLE_KEYS:
        heading = bool(cands[key])
        spans = cands[key]
        if not spans:
            m = L.SECTION_FALLBACK[key].search(text)
            if not m:
                continue
            spans = [(m.start(), m.start())]
        out[key] = [(heading, body, next(b for b in bounds if b > start and b >= body))
                    for start, body in spans[:4]]
    return out


def _positions(text: str, chars: str) -> list[int] | None:
    """Sorted indices of ``chars`` in text (str.find is several times faster than a regex
    character class over a long CJK text); None when they are dense (over 1 in 16
    characters): then trying a regex at each would cost more than scanning with it."""
    if sum(map(text.count, chars)) * 16 > len(text):
        return None
    out = []
    for ch in chars:
        i = text.find(ch)
        while i >= 0:
            out.append(i)
            i = text.find(ch, i + 1)
    out.sort()
    return out


def _section_ends(text: str) -> list[int]:
    """Where ``L.SECTION_END.finditer(text)`` matches start, found faster: a match can only
    begin at 五/六 (or the whitespace before it), 存 or 其, so the pattern is tried at those
    positions only (scanning every position was the slowest step of extract_tables).
    Same leftmost, non-overlapping order as finditer."""
    hints = _positions(text, "五六存其")
    if hints is None:
        return [m.start() for m in L.SECTION_END.finditer(text)]
    starts = []
    pos = 0
    match = L.SECTION_END.match
    for c in hints:
        if c < pos:
            continue
        if text[c] in "存其":
            p = c                             # 存在的主要问题 / 其他需要报告的事项
        elif c > pos and text[c - 1].isspace():
            p = c - 1                         # whitespace, then 五/六
        elif c == 0:
            p = 0                             # ^五/六
        else:
            continue
        m = match(text, p)
        if m:
            starts.append(p)
            pos = m.end()
    return starts


def _find_headings(key: str, text: str) -> list:
    """(start, end) of each heading of a section: the numbered ones, then the bare ones."""
    numbered, bare = [], []
    numeral = L.SECTION_NUMERALS[key]
    for m in L.SECTION_KEYWORDS[key].finditer(text):
        before = text[max(0, m.start() - 8):m.start()]
        p = L.HEADING_PREFIX.search(before)
        if p and p.group(1) == numeral:
            numbered.append((m.start() - (len(before) - p.start(1)), m.end()))
        elif L.LINE_START.search(text[max(0, m.start() - 40):m.start()]):
            bare.append((m.start(), m.end()))
    return numbered + bare


# ---------------------------------------------------------------- table A
def _a_template(label_text: str) -> str:
    n19 = len(L.A_MARKERS_2019.findall(label_text))
    n21 = len(L.A_MARKERS_2021.findall(label_text))
    return "2019" if n19 > n21 else "2021"


_A_PATTERNS = list(L.A_ROWS.items())


def _a_keys(label: str, template: str):
    """A row keys in a label, in order of appearance, restricted to the template's rows.

    Row names inside parentheses are notes, not rows: "其他对外管理服务事项(含行政处罚、
    行政强制)" is the 其他对外管理服务事项 row only, "其他主动公开文件(除规范性文件以外)"
    no row at all."""
    cols = L.A_COLUMNS[template]
    found = []
    if "(" in label:
        label = _PAREN_RE.sub("", label)
    for key, rx in _A_PATTERNS:
        if key in cols:
            for m in rx.finditer(label):
                found.append((m.start(), key))
    # "规范性文件" inside "行政规范性文件" etc. are one hit each; drop repeats of one key
    found.sort()
    keys = []
    for _, k in found:
        if k not in keys:
            keys.append(k)
    return keys


def fit_cells(vals: list, c: int):
    """The ``c`` cell values of a grid row whose cells may be span copies.

    Colspans are expanded by repeating the text, and header and data rows are not always
    split alike (上一年项目数量 over one column, its value over two). Every way of cutting
    the cells into ``c`` runs of equal copies is tried; the row is kept only if they all
    give the same values. Extra blank cells at the end (an empty 备注 column) are dropped."""
    vals = list(vals)
    while len(vals) > c and vals[-1].num is None:
        vals.pop()
    if len(vals) == c:
        return vals
    if len(vals) < c or len(vals) - c > 6:
        return None
    outcomes: set = set()

    def cut(i: int, k: int, acc: tuple):
        if len(outcomes) > 1:
            return
        if k == 0:
            if i == len(vals):
                outcomes.add(acc)
            return
        for j in range(i + 1, len(vals) - k + 2):
            if vals[j - 1] != vals[i]:
                break
            cut(j, k - 1, acc + (vals[i],))

    cut(0, c, ())
    return list(next(iter(outcomes))) if len(outcomes) == 1 else None


def assemble_active(blocks: list[Block]):
    """Table A rows → (template, {row: {col: value}}) or (None, None)."""
    all_labels = "".join(b.label for b in blocks)
    if not any(rx.search(all_labels) for _, rx in _A_PATTERNS):
        return None, None
    template = _a_template(all_labels)
    cols = L.A_COLUMNS[template]
    rows: dict[str, list] = {}
    for b in blocks:
        if not b.values:
            continue
        keys = [k for k in _a_keys(b.label, template) if k not in rows]
        if not keys:
            continue
        if b.row:
            fitted = fit_cells(b.values, len(cols[keys[-1]]))
            if fitted is not None:
                rows[keys[-1]] = fitted
            continue
        need = [len(cols[k]) for k in keys]
        n = len(b.values)
        one_per_line = all(c == 1 for c in b.lines)
        if len(keys) > 1 and n == sum(need):
            if one_per_line and len(set(need)) == 1 and need[0] > 1:
                # pdfminer: labels block, then the numbers column by column
                k = len(keys)
                for r, key in enumerate(sorted(keys, key=list(cols).index)):
                    rows[key] = [b.values[c * k + r] for c in range(need[0])]
            else:
                pos = 0
                for key, w in zip(keys, need):
                    rows[key] = b.values[pos:pos + w]
                    pos += w
        elif len(keys) > 1 and not b.same_line:
            continue        # several labels, numbers that fit none of them exactly: ambiguous
        elif n == need[-1]:
            rows[keys[-1]] = b.values
        elif b.same_line and b.lines and b.lines[0] == need[-1]:
            rows[keys[-1]] = b.values[:need[-1]]      # more numbers on later lines: prose
    if not rows:
        return None, None
    in_10k = bool(L.PROCUREMENT_IN_10K.search(all_labels))
    table = {}
    for key in cols:
        if key not in rows:
            continue
        out = {}
        for col, v in zip(cols[key], rows[key]):
            out[col] = _a_value(col, v, in_10k)
        table[key] = out
    return template, table


def _a_value(col: str, v: Val, in_10k: bool):
    if v.num is None:
        return None
    d, unit = v.num, v.unit
    if col == "amount_yuan":
        if "亿" in unit:
            d *= 100_000_000
        elif "万" in unit or (in_10k and unit != "元"):
            d *= 10_000
    elif col == "amount_10k_yuan":
        if "亿" in unit:
            d *= 10_000
        elif unit == "元":
            d /= 10_000
    return _num(d)


# ---------------------------------------------------------------- table B
def _b_runs(blocks: list[Block], ncols: int):
    """Blocks → list of (anchor_key|None, [Val]*ncols) rows in document order."""
    runs = []
    for b in blocks:
        vals = b.values
        if not vals:
            continue
        keys = _b_keys(b.label)
        anchor = keys[-1] if keys else None
        # A label on the line(s) above numbers printed several per line may belong to the
        # row above (PDF cells wrap): such an anchor is only a hint for the positional path.
        strong = b.row or b.same_line or all(c == 1 for c in b.lines)
        if b.row:
            if anchor is None and all(v.num is None for v in vals):
                continue                           # header/heading row padded with empty cells
            if len(vals) >= ncols and all(v.num is None for v in vals[ncols:]):
                runs.append((anchor, vals[:ncols], True))
            continue
        n = len(vals)
        one_per_line = all(c == 1 for c in b.lines)
        if n == ncols:
            if len(keys) > 1 and not b.same_line:
                # several row labels, one row of numbers (a lost row or a lost cell):
                # which label they belong to is not knowable
                runs.append((None, vals, False))
            else:
                runs.append((anchor, vals, strong))
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
                for key, row in zip(sorted(keys, key=_b_index), rows):
                    runs.append((key, row, True))
            continue                               # stray numbers (prose) otherwise
        first = True
        pos = 0
        for c in b.lines:
            if c == ncols:
                runs.append((anchor if first else None, vals[pos:pos + c], strong and first))
            first = False
            pos += c
    return runs


@lru_cache(maxsize=8192)
def _b_keys(label: str) -> tuple:
    """B row keys in a label, ordered by where their match ends (the last is the anchor).
    Cached: the same template labels recur in every report. A note in parentheses is not a
    row ("1.本机关不掌握相关政府信息(含重复申请)"); the numbering "(一)"…"(七)" stays."""
    if "(" in label:
        label = _NOTE_RE.sub("", label)
    found = sorted(L.row_matches(L.B_PATTERNS, label), key=lambda kv: kv[1])
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


def _b_index(key: str) -> int:
    for rows in (L.B_ROWS["2021"], L.B_ROWS["2019"]):
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


def assemble_applications(blocks: list[Block]):
    """Table B → (template, table) or (None, None)."""
    labels_text = "".join(b.label for b in blocks)
    if not L.KIND_MARKERS["applications"].search(labels_text):
        return None, None
    best = None
    for ncols in (7, 6):
        runs = _b_runs(blocks, ncols)
        if runs is None:
            continue
        rows, template = _align_b(runs, labels_text)
        if rows and (best is None or len(rows) > len(best[0])):
            best = (rows, template, ncols)
    if best is None:
        return None, None
    rows, template, ncols = best
    if len(rows) < 3:
        return None, None
    table: dict = {}
    for key in L.B_ROWS[template]:
        vals = rows.get(key)
        if vals is None:
            row = dict.fromkeys(L.APPLICANT_COLUMNS)
        else:
            row = {c: _num(v.num) for c, v in zip(L.APPLICANT_COLUMNS, vals)}
            row.setdefault("total", None)
        if "." in key:
            group, sub = key.split(".")
            table.setdefault(group, {})[sub] = row
        else:
            table[key] = row
    return template, table


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


def _align_b(runs, labels_text):
    """Map runs (anchor, values, strong) to template rows; returns ({key: vals}, template)."""
    if not runs:
        return {}, "2021"
    anchors = [a for a, _, _ in runs]
    t2021 = bool(L.B_MARKERS_2021.search(labels_text)) or any(a and a.startswith("other.") for a in anchors)
    order = ("2021", "2019") if t2021 else ("2019", "2021")
    # 1. exact row count: position decides, if every reliable label agrees and the others
    #    are at most one row off (a wrapped PDF label may sit above or below its numbers)
    for template in order:
        rows_t = L.B_ROWS[template]
        if len(runs) == len(rows_t):
            named = [(i, a, st) for i, (a, _, st) in enumerate(runs) if a is not None]
            if named and all(a == rows_t[i] if st else a in rows_t[max(0, i - 1):i + 2]
                             for i, a, st in named):
                return {rows_t[i]: vals for i, (_, vals, _) in enumerate(runs)}, template
    # 2. strong anchors in increasing template order (longest chain), gaps between them
    #    filled by position only when the counts match exactly
    template = order[0]
    rows_t = L.B_ROWS[template]
    idx = {k: i for i, k in enumerate(rows_t)}
    cand = [(p, idx[a]) for p, (a, _, strong) in enumerate(runs) if strong and a in idx]
    pinned = _longest_increasing(cand)
    if not pinned:
        return {}, template                        # no reliable label at all: nothing is certain
    out = {}
    bounds = [(-1, -1)] + pinned + [(len(runs), len(rows_t))]
    for (p0, t0), (p1, t1) in zip(bounds, bounds[1:]):
        if p1 < len(runs):
            out[rows_t[t1]] = runs[p1][1]
        if p1 - p0 == t1 - t0 and p1 - p0 > 1:
            for off in range(1, p1 - p0):
                out[rows_t[t0 + off]] = runs[p0 + off][1]
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


# ---------------------------------------------------------------- table C
def assemble_review(blocks: list[Block]):
    """Table C: 15 numbers (12 without 总计 columns) in header order, or one row per group."""
    labels_text = "".join(b.label for b in blocks)
    if not L.KIND_MARKERS["review_litigation"].search(labels_text):
        return None
    by_label = _review_by_group_rows(blocks)
    if by_label:
        return by_label
    vals = [v for b in blocks for v in b.values]
    if len(vals) not in (15, 12):
        first = next((b for b in blocks if b.values), None)
        if first is None or not _ends_line_at(first.lines, 15):
            return None
        vals = first.values[:15]        # numbers after the table (prose) on later lines
    return _review_table(vals)


def _ends_line_at(lines, n) -> bool:
    total = 0
    for c in lines:
        total += c
        if total == n:
            return True
    return False


def _review_table(vals):
    per = len(vals) // 3
    table = {}
    for g, group in enumerate(L.C_GROUPS):
        cells = vals[g * per:(g + 1) * per]
        table[group] = {c: (_num(cells[i].num) if i < per else None) for i, c in enumerate(L.C_COLUMNS)}
    return table


def _review_by_group_rows(blocks):
    """A transposed layout: one row per group (行政复议 / 直接起诉 / 复议后起诉) with 5 or 4 numbers."""
    found = {}
    for b in blocks:
        if len(b.values) in (4, 5) and (b.row or b.same_line or b.lines == [1] * len(b.values)):
            group = next((g for g, rx in L.C_GROUP_LABELS if rx.search(b.label)), None)
            if group and group not in found:
                found[group] = b.values
    if len(found) != 3 or len({len(v) for v in found.values()}) != 1:
        return None
    return _review_table([v for g in L.C_GROUPS for v in found[g]])


# ---------------------------------------------------------------- grids
def classify_grid(grid) -> str | None:
    """Which table a grid holds, by counting each table's words in it (None: neither)."""
    try:
        text = "".join(["".join(row) for row in grid])       # all cells str: the usual case
    except TypeError:
        text = "".join(c for row in grid for c in row if isinstance(c, str))
    text = "".join(text.split())                            # = _SPACE_RE.sub("", text), faster
    scores = {k: len(rx.findall(text)) for k, rx in L.KIND_MARKERS.items()}
    kind = max(scores, key=scores.get)
    return kind if scores[kind] >= 2 else None


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
    return tuple(key for key, rx in L.APPLICANT_HEADERS.items() if rx.match(t))


def _remap_b_grid(grid, blocks):
    """Re-read B grid rows through the header column map when it is complete and sane."""
    cmap = _applicant_column_map(grid)
    keys = [k for k in L.APPLICANT_COLUMNS if k in cmap]
    idx = [cmap[k] for k in keys]
    if len(keys) < 6 or any(a >= b for a, b in zip(idx, idx[1:])):
        return blocks                   # incomplete or out of order: not an expanded header
    width = max(idx) + 1
    out = []
    for row, b in zip(grid, blocks):
        if fit_cells(b.values, len(keys)) is not None and len(keys) == 7:
            out.append(b)               # the cells after the label already are the row
            continue
        if len(row) >= width:
            cells = [parse_value(row[j] if isinstance(row[j], str) else "") for j in idx]
            if all(c is not None for c in cells) and b.label and any(c.num is not None for c in cells):
                if len(keys) == 6:
                    cells.append(Val(None))
                out.append(Block(b.label, cells, [len(cells)], row=True))
                continue
        out.append(b)
    return out


# ---------------------------------------------------------------- entry point
def extract_tables(text: str, grids=(), image_sections=frozenset()) -> dict:
    """Tables A/B/C from a report's normalised text and (optional) expanded HTML grids."""
    text = _drop_page_marks((text or "").replace("\x0c", "\n"))
    by_kind: dict[str, list[Block]] = {k: [] for k in TABLE_KEYS}
    for grid in grids or ():
        grid = [list(r) for r in grid or () if isinstance(r, (list, tuple))]
        if not grid:
            continue
        kind = classify_grid(grid)
        if kind:
            blocks = grid_blocks(grid)
            if kind == "applications":
                blocks = _remap_b_grid(grid, blocks)
            by_kind[kind].extend(blocks)

    images = _image_tables(image_sections)
    found = None

    def sections() -> dict:     # found only if some table is not in the grids
        nonlocal found
        if found is None:
            found = find_sections(text)
        return found

    tables, templates, missing = {}, {}, {}
    for key in TABLE_KEYS:
        result = None
        sources = []
        # The grids first; the sections' text is cut into blocks only when they gave no table.
        for blocks in _sources(key, by_kind[key], text, sections):
            sources.append(blocks)
            result = _assemble(key, blocks)
            if result[1]:
                break
        template, table = result if result else (None, None)
        if table:
            tables[key] = table
            if template:
                templates[key] = template
            continue
        if key in images:
            missing[key] = "image"
        elif any(len(b.values) >= 3 for s in sources for b in s):
            missing[key] = "unreadable"         # numbers in table form, but no safe mapping
        else:
            missing[key] = "not found"
    template = templates.get("active") or templates.get("applications")
    if "applications" in tables and template:
        tables["applications"] = conform_other(tables["applications"], template)
    return {"template": template, "tables": tables, "missing_tables": missing}


def _sources(key, grid_blocks_, text, found):
    """Block lists to try for one table, in order: grid rows, then each candidate region
    of ``found()`` (find_sections' result, computed on first use)."""
    if grid_blocks_:
        yield grid_blocks_
    for _, start, end in found().get(key, ()):
        m = L.TABLE_START[key].search(text, start, end)
        yield text_blocks(text[m.start() if m else start:end])


_SECTION_ALIASES = {"二": "active", "2": "active", "三": "applications", "3": "applications",
                    "四": "review_litigation", "4": "review_litigation"}


def _image_tables(image_sections) -> set:
    """Section numbers shown only as images (二/三/四, 2/3/4 or table keys) → table keys."""
    out = set()
    for s in image_sections or ():
        s = str(s).strip()
        out.add(_SECTION_ALIASES.get(s, s))
    return out


def _assemble(key, blocks):
    if key == "active":
        return assemble_active(blocks)
    if key == "applications":
        return assemble_applications(blocks)
    return None, assemble_review(blocks)
