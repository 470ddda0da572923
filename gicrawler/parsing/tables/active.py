"""Table A (主动公开政府信息情况): blocks → (template, {row: {column: value}}).

Rows are found by label keyword (labels.A_ROWS, from the template); a grid row gives its cells,
a text block the numbers after its label, and pdfminer's labels-then-columns block is read column
by column. Whatever is not certain is left out.
"""
from __future__ import annotations

from functools import lru_cache

from gicrawler.parsing import labels
from gicrawler.parsing.tables.blocks import PAREN_RE, Block
from gicrawler.parsing.tables.cells import Val, fit_cells, number


def template_of(label_text: str) -> str:
    n19 = len(labels.A_MARKERS_2019.findall(label_text))
    n21 = len(labels.A_MARKERS_2021.findall(label_text))
    return "2019" if n19 > n21 else "2021"


_ROW_PATTERNS = list(labels.A_ROWS.items())


@lru_cache(maxsize=8192)
def row_keys(label: str, template: str) -> tuple:
    """A row keys in a label, in order of appearance, restricted to the template's rows
    (cached: the same template labels recur in every report).

    Row names inside parentheses are notes, not rows: "其他对外管理服务事项(含行政处罚、
    行政强制)" is the 其他对外管理服务事项 row only, "其他主动公开文件(除规范性文件以外)"
    no row at all."""
    cols = labels.A_COLUMNS[template]
    found = []
    if "(" in label:
        label = PAREN_RE.sub("", label)
    for key, rx in _ROW_PATTERNS:
        if key in cols:
            for m in rx.finditer(label):
                found.append((m.start(), key))
    # "规范性文件" inside "行政规范性文件" etc. are one hit each; drop repeats of one key
    found.sort()
    keys = []
    for _, k in found:
        if k not in keys:
            keys.append(k)
    return tuple(keys)


def assemble_active(blocks: list[Block], why: dict | None = None):
    """Table A rows → (template, {row: {col: value}}) or (None, None). ``why``, if given, gets
    row key → (the rule that placed the row, its block)."""
    all_labels = "".join(b.label for b in blocks)
    if not any(rx.search(all_labels) for _, rx in _ROW_PATTERNS):
        return None, None
    template = template_of(all_labels)
    cols = labels.A_COLUMNS[template]
    rows: dict[str, list] = {}
    for b in blocks:
        if not b.values:
            continue
        keys = [k for k in row_keys(b.label, template) if k not in rows]
        if not keys:
            continue
        if b.row:
            fitted = fit_cells(b.values, len(cols[keys[-1]]))
            if fitted is not None:
                rows[keys[-1]] = fitted
                if why is not None:
                    why[keys[-1]] = ("row label, the row's cells", b)
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
                    if why is not None:
                        why[key] = (f"{k} row labels, then the numbers column by column (pdfminer)", b)
            else:
                pos = 0
                for key, w in zip(keys, need):
                    rows[key] = b.values[pos:pos + w]
                    pos += w
                    if why is not None:
                        why[key] = (f"{len(keys)} row labels, then their numbers in label order", b)
        elif len(keys) > 1 and not b.same_line:
            continue        # several labels, numbers that fit none of them exactly: ambiguous
        elif n == need[-1]:
            rows[keys[-1]] = b.values
            if why is not None:
                why[keys[-1]] = ("row label, then exactly the row's numbers", b)
        elif b.same_line and b.lines and b.lines[0] == need[-1]:
            rows[keys[-1]] = b.values[:need[-1]]      # more numbers on later lines: prose
            if why is not None:
                why[keys[-1]] = ("row label, then the row's numbers on its line (the later ones: prose)", b)
    if not rows:
        return None, None
    in_10k = bool(labels.PROCUREMENT_IN_10K.search(all_labels))
    table = {}
    for key in cols:
        if key not in rows:
            continue
        out = {}
        for col, v in zip(cols[key], rows[key]):
            out[col] = cell_value(col, v, in_10k)
        table[key] = out
    return template, table


def cell_value(col: str, v: Val, in_10k: bool):
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
    return number(d)
