"""Extraction of the three national tables (A active, B applications, C review_litigation).

Input: the normalised body text and, optionally, grids (HTML/DOCX/PDF tables with spans
expanded). The steps, one module each: ``sections`` (where the tables are in the text),
``blocks`` (text and grid rows → label/value blocks), ``cells`` (a cell's value), then one
assembler per table (``active``, ``applications``, ``review``) mapping blocks to the template
rows (gicrawler/template.py). Whatever is not certain is left out (None, or the table listed in
``missing_tables``): a missing value is better than a wrong one.
"""
from __future__ import annotations

from gicrawler.parsing import labels
from gicrawler.parsing.tables.active import assemble_active
from gicrawler.parsing.tables.applications import assemble_applications, conform_other, remap_grid
from gicrawler.parsing.tables.blocks import Block, grid_blocks, text_blocks
from gicrawler.parsing.tables.cells import parse_value
from gicrawler.parsing.tables.glued_rows import fill_applications, fill_review
from gicrawler.parsing.tables.review import assemble_review
from gicrawler.parsing.tables.sections import drop_page_marks, find_sections
from gicrawler.template import TABLE_KEYS

__all__ = ["TABLE_KEYS", "classify_grid", "extract_tables", "parse_value"]


def classify_grid(grid) -> str | None:
    """Which table a grid holds, by counting each table's words in it (None: neither)."""
    try:
        text = "".join(["".join(row) for row in grid])       # all cells str: the usual case
    except TypeError:
        text = "".join(c for row in grid for c in row if isinstance(c, str))
    text = "".join(text.split())                            # = re.sub(r"\s+", "", text), faster
    scores = {k: len(rx.findall(text)) for k, rx in labels.KIND_MARKERS.items()}
    kind = max(scores, key=scores.get)
    return kind if scores[kind] >= 2 else None


def extract_tables(text: str, grids=(), image_sections=frozenset(), explain: list | None = None) -> dict:
    """Tables A/B/C from a report's normalised text and (optional) expanded HTML grids.

    ``explain``, if given, gets one entry per row found: table, row, the rule that placed it,
    its label and where it came from (``grid 2 row 5: …`` or ``line 240: …``, lines of the
    normalised text)."""
    given_text = text
    text = None                         # the text without page marks: only if some table needs it

    def page_text() -> str:
        nonlocal text
        if text is None:
            text = drop_page_marks((given_text or "").replace("\x0c", "\n"))
        return text

    by_kind: dict[str, list[Block]] = {k: [] for k in TABLE_KEYS}
    rows_of: dict[str, list] = {k: [] for k in TABLE_KEYS}     # the grid rows, for glued_rows
    origins: dict[int, object] = {}     # explain: block → (grid number, grid), or its text's offset
    for number, grid in enumerate(grids or (), 1):
        grid = [list(r) for r in grid or () if isinstance(r, (list, tuple))]
        if not grid:
            continue
        kind = classify_grid(grid)
        if kind:
            blocks = grid_blocks(grid)
            if kind == "applications":
                blocks = remap_grid(grid, blocks)
            by_kind[kind].extend(blocks)
            rows_of[kind].extend(grid)
            if explain is not None:
                origins.update((id(b), (number, grid)) for b in blocks)

    images = _image_tables(image_sections)
    found = None

    def sections() -> dict:     # found only if some table is not in the grids
        nonlocal found
        if found is None:
            found = find_sections(page_text())
        return found

    tables, templates, missing, notes = {}, {}, {}, []
    for key in TABLE_KEYS:
        result = None
        sources, raws = [], []
        # The grids first; the sections' text is cut into blocks only when they gave no table.
        why = {} if explain is not None else None
        for blocks, offset, raw in _sources(key, by_kind[key], rows_of[key], page_text, sections):
            sources.append(blocks)
            raws.append(raw)
            if why is not None:
                why.clear()
                if offset is not None:
                    origins.update((id(b), offset) for b in blocks)
            result = _assemble(key, blocks, why, by_kind[key])
            if result[1]:
                break
        template, table = result if result else (None, None)
        if key != "active":
            # rows whose digits lost their cell boundaries: from the source that gave the table,
            # else from the first source that has any
            for raw in raws[-1:] if table else raws:
                template, glued_table, said = _glued(key, template, table, raw)
                if said or glued_table is not table:
                    table = glued_table
                    notes.extend(said)
                    break
        if table:
            tables[key] = table
            if template:
                templates[key] = template
            if why is not None:
                explain.extend(_explained(key, template, why, origins, page_text()))
            continue
        if key in images:
            missing[key] = "image"
        elif any(n.startswith(f"{key}") and "ambiguous" in n for n in notes):
            missing[key] = "ambiguous: glued digits split more than one way"
        elif any(len(b.values) >= 3 for s in sources for b in s):
            missing[key] = "unreadable"         # numbers in table form, but no safe mapping
        else:
            missing[key] = "not found"
    template = templates.get("active") or templates.get("applications")
    if "applications" in tables and template:
        tables["applications"] = conform_other(tables["applications"], template)
    return {"template": template, "tables": tables, "missing_tables": missing, "notes": notes}


def _sources(key, grid_blocks_, grid_rows, page_text, found):
    """(blocks, text offset, raw rows) to try for one table, in order: grid rows, then each
    candidate region of ``found()`` (find_sections' result over ``page_text()``, both computed
    on first use)."""
    if grid_blocks_:
        yield grid_blocks_, None, grid_rows
    text = page_text()
    for _, start, end in found().get(key, ()):
        m = labels.TABLE_START[key].search(text, start, end)
        start = m.start() if m else start
        yield text_blocks(text[start:end]), start, text[start:end].split("\n")


def _glued(key, template, table, raw):
    if key == "applications":
        return fill_applications(template, table, raw)
    table_c, said = fill_review(table, raw)
    return template, table_c, said


_SECTION_ALIASES = {"二": "active", "2": "active", "三": "applications", "3": "applications",
                    "四": "review_litigation", "4": "review_litigation"}


def _image_tables(image_sections) -> set:
    """Section numbers shown only as images (二/三/四, 2/3/4 or table keys) → table keys."""
    out = set()
    for s in image_sections or ():
        s = str(s).strip()
        out.add(_SECTION_ALIASES.get(s, s))
    return out


def _assemble(key, blocks, why, grid):
    if key == "active":
        return assemble_active(blocks, why)
    if key == "applications":
        return assemble_applications(blocks, why)
    return None, assemble_review(blocks, why, grid)


def _explained(key: str, template, why: dict, origins: dict, text: str) -> list[dict]:
    """The explain entries of one table, its rows in printed order."""
    order = {"active": list(labels.A_COLUMNS.get(template or "2021", ())),
             "applications": list(labels.B_ROWS.get(template or "2021", ())),
             "review_litigation": list(labels.C_GROUPS)}[key]
    lines = None
    out = []
    for row, (rule, block) in sorted(why.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99):
        origin = origins.get(id(block))
        if isinstance(origin, int):                     # the offset in the text where the chunk starts
            lines = lines if lines is not None else text.split("\n")
            at = text.count("\n", 0, origin)
            first, last = at + block.start, at + max(block.start, block.end)
            shown = [ln.strip() for ln in lines[first:last + 1] if ln.strip()]
            shown = " / ".join(shown[:8]) + (" / …" if len(shown) > 8 else "")
            source = f"line {first + 1}" + (f"-{last + 1}" if last > first else "") + f": {shown}"
        elif origin is not None:                        # a grid: its row
            number, grid = origin
            cells = [c if isinstance(c, str) else "" for c in grid[block.start]]
            source = f"grid {number} row {block.start + 1}: " + " | ".join(cells)
        else:
            source = "?"
        out.append({"table": key, "row": row, "rule": rule, "label": block.label, "source": source})
    return out
