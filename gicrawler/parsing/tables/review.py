"""Table C (行政复议、行政诉讼): fifteen numbers (twelve without the 总计 columns) in header
order, or one row per group (行政复议 / 直接起诉 / 复议后起诉)."""
from __future__ import annotations

from itertools import chain

from gicrawler.parsing import labels
from gicrawler.parsing.tables.blocks import Block
from gicrawler.parsing.tables.cells import number


def assemble_review(blocks: list[Block], why: dict | None = None, grid: list[Block] = ()):
    """Table C: 15 numbers (12 without 总计 columns) in header order, or one row per group.
    ``why``, if given, gets group key → (the rule that placed the group, its block). ``grid``:
    the document's grid rows of table C when ``blocks`` are its text (a 总计 in them counts)."""
    labels_text = "".join(b.label for b in blocks)
    if not labels.KIND_MARKERS["review_litigation"].search(labels_text):
        return None
    totals_printed = any(labels.C_TOTAL_HEADER.search(b.label) for b in chain(blocks, grid))
    by_label = _review_by_group_rows(blocks, why, totals_printed)
    if by_label:
        return by_label
    with_values = [b for b in blocks if b.values]
    vals = [v for b in with_values for v in b.values]
    rule = f"the table's {len(vals)} numbers in header order"
    if len(vals) == 12 and totals_printed:
        # Twelve numbers are the table without 总计 columns only where its header prints none:
        # under a 总计 header they are fifteen cells whose three blanks the page's text dropped
        # (HTML text holds one line per non-empty cell), so no number's column is known.
        return None
    if len(vals) not in (15, 12):
        # the first row that holds a number (a header row padded with blank cells holds none)
        first = next((b for b in with_values if any(v.num is not None for v in b.values)), None)
        if first is None or not _ends_line_at(first.lines, 15):
            return None
        vals = first.values[:15]        # numbers after the table (prose) on later lines
        with_values = [first]
        rule = "the first 15 numbers, in header order (the later ones: prose)"
    if why is not None:
        owners = [b for b in with_values for _ in b.values]     # the block of each number
        for g, group in enumerate(labels.C_GROUPS):
            why[group] = (rule, owners[g * (len(vals) // 3)])
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
    for g, group in enumerate(labels.C_GROUPS):
        cells = vals[g * per:(g + 1) * per]
        table[group] = {c: (number(cells[i].num) if i < per else None) for i, c in enumerate(labels.C_COLUMNS)}
    return table


def _review_by_group_rows(blocks, why: dict | None = None, totals_printed: bool = False):
    """A transposed layout: one row per group (行政复议 / 直接起诉 / 复议后起诉) with 5 or 4 numbers
    (4 only under a header without 总计: else 5 cells whose blank one the text dropped)."""
    found = {}
    for b in blocks:
        if len(b.values) in (4, 5) and (b.row or b.same_line or b.lines == [1] * len(b.values)):
            group = next((g for g, rx in labels.C_GROUP_LABELS if rx.search(b.label)), None)
            if group and group not in found:
                found[group] = b
    widths = {len(b.values) for b in found.values()}
    if len(found) != 3 or len(widths) != 1 or widths == {4} and totals_printed:
        return None
    if why is not None:
        why.update({g: ("one row per group, by its label", b) for g, b in found.items()})
    return _review_table([v for g in labels.C_GROUPS for v in found[g].values])
