"""``gicrawler parse --explain``: why each table row got its values, as readable lines.

For every row found: its values, the rule that placed them (a row label and the pattern it
matched, a position in the template, pdfminer's column-by-column layout …) and the source block
(``grid 2 row 5: …`` or ``line 240-247: …``, lines of the normalised text that ``--text``
prints). A row that comes out wrong is then looked for where it came from.
"""
from __future__ import annotations

import re

from gicrawler import template

_PATTERNS = {("active", row.key): row.pattern for row in template.ACTIVE_ROWS}
_PATTERNS.update({("applications", row.key): row.pattern for row in template.APPLICATION_ROWS})
_PATTERNS.update({("review_litigation", g.key): g.pattern for g in template.REVIEW_GROUPS})
_LABEL_MAX = 60


def _values(tables: dict, table: str, row: str) -> str:
    node = tables.get(table) or {}
    for part in row.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict) and all(isinstance(v, dict) for v in node.values()):   # 2021 "other" split
        node = next(iter(node.values()), None)
    if not isinstance(node, dict):
        return "?"
    return ", ".join("—" if v is None else str(v) for v in node.values())


def explain_lines(record: dict, explained: list[dict]) -> list[str]:
    """The explanation of one parsed record (``parse_report(..., explain=explained)``)."""
    out = [f"template {record.get('template') or '?'}"]
    tables = record.get("tables") or {}
    for entry in explained:
        table, row = entry["table"], entry["row"]
        label = entry["label"]
        label = label if len(label) <= _LABEL_MAX else "…" + label[-_LABEL_MAX:]
        pattern = _PATTERNS.get((table, row))
        matched = bool(pattern and re.search(pattern, entry["label"]))
        out.append(f"{table}.{row}: {_values(tables, table, row)}")
        out.append(f"    rule: {entry['rule']}"
                   + (f"; label “{label}” matches /{pattern}/" if matched else f"; label “{label}”"))
        out.append(f"    from: {entry['source']}")
    for table, reason in (record.get("missing_tables") or {}).items():
        out.append(f"{table}: missing ({reason})")
    return out
