"""HTML report page → body text lines, table grids, image-only sections, metadata lines.

One lxml parse and one walk over the tree (``etree.iterwalk``) produce everything: the walk
records line ranges of candidate body containers, so choosing the container afterwards is
slicing, not a second pass. Spans in tables are expanded the way extract_tables expects:
the cell text is repeated into every slot a rowspan/colspan covers, empty cells stay "".
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import not_

from lxml import etree

_tostring = etree.tostring

# One parser per thread (lxml parsers are not thread-safe): explicit UTF-8 (we feed re-encoded
# text, so a stale <meta charset=gbk> cannot re-decode it), huge_tree for 20 MB pages. Plain
# etree elements: lxml.html's per-element class lookup doubles the cost of walking the tree.
_local = threading.local()


def _parser() -> etree.HTMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.HTMLParser(encoding="utf-8", huge_tree=True)
    return parser

_SKIP = frozenset({"script", "style", "noscript", "template", "head", "select", "textarea",
                   "iframe", "object", "button", "svg"})
_HEADINGS = frozenset({"h1", "h2", "h3"})
_BLOCK = frozenset({
    "p", "div", "li", "ul", "ol", "table", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "nav", "aside", "main", "form", "center",
    "blockquote", "pre", "dl", "dt", "dd", "address", "hr", "caption", "tbody", "thead", "tfoot",
    "body", "html", "fieldset", "figure", "figcaption", "option", "details", "summary",
})
# Elements whose direct prose counts towards the "most text" fallback.
_CONTAINERS = frozenset({"div", "td", "article", "section", "main", "body", "form", "center"})

# Where real portals put the report body (docs/families.md: Report bodies and columns; hanweb), most specific first.
_BODY_IDS = ("zoom", "Zoom", "ivs_content", "UCAP-CONTENT", "webeditorview")
_BODY_CLASSES = ("TRS_UEDITOR", "TRS_Editor", "Custom_UnionStyle", "article", "artile_zw",
                 "article_zoom", "xxgk_content")
_BODY_RANK = {name: i for i, name in enumerate(_BODY_IDS + _BODY_CLASSES)}
_RANKED = frozenset({"div", "td", "article", "section", "main", "span", "font", "center", "form"})
_MARKER_BEGIN = "ZJEG_RSS.content.begin"
_MARKER_END = "ZJEG_RSS.content.end"

_SECTION_RE = re.compile(r"^\s*([一二三四五六七八])\s*[、.．,，]")
_SECTION_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
NUMERALS = {n: c for c, n in _SECTION_NUM.items()}
# Whitespace left between two CJK characters by line wrapping or cell padding.
CJK_GAP_RE = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff])\s+(?=[\u3400-\u9fff\uf900-\ufaff])")
_DIGITS_RE = re.compile(r"\d+")
# what a table reader may take for a number: digits and separators, a unit after them (元, 万元, 件)
_NUMBER_CELL_RE = re.compile(r"\s*\d[\d.,\s]*\D{0,3}")

# Cells with a cell inside them, one XPath per table (a per-cell descendant search cost more
# than the rest of reading the cell).
_CELL_HOSTS = etree.XPath("descendant::td[descendant::td or descendant::th]"
                          " | descendant::th[descendant::td or descendant::th]")
# Whether there is any: a third of the cost of finding them, and most tables have none.
_HAS_CELL_HOSTS = etree.XPath("boolean(descendant::td//td or descendant::td//th"
                              " or descendant::th//td or descendant::th//th)")
MAX_SPAN = 200          # a colspan="100000" must not allocate a giant row
MAX_GRID_CELLS = 200_000


@dataclass
class PageInfo:
    """What the metadata extractor reads besides the lines: <meta name>, <title>, h1–h3."""
    meta: dict[str, list[str]] = field(default_factory=dict)   # lower-cased name → contents
    title: str | None = None
    headings: list[str] = field(default_factory=list)


@dataclass
class HtmlDocument:
    root: etree._Element
    lines: list[str]                                     # body text, one line per block/cell
    grids: list[list[list[str]]]                         # body tables, spans expanded
    image_sections: frozenset[str]                       # sections 二/三/四 shown only as <img>
    meta_lines: list[str] = field(default_factory=list)  # whole page; table rows as "a | b | c"
    container: str = ""                                  # how the body was found (for debugging)
    info: PageInfo = field(default_factory=PageInfo)


def parse_tree(text: str) -> etree._Element:
    """Parse HTML text once; raises ValueError when lxml finds no document at all."""
    try:
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), _parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(str(exc)) from None
    if root is None:
        raise ValueError("no HTML document")
    return root


@lru_cache(maxsize=256)
def _span(value: str | None) -> int:
    """A colspan/rowspan attribute as a count, 1 to MAX_SPAN (cached: "2", "3" … recur)."""
    if not value:
        return 1
    if value.isdigit() and len(value) < 4:
        return max(1, min(int(value), MAX_SPAN))
    m = _DIGITS_RE.search(value)
    if not m:
        return 1
    return max(1, min(int(m.group()[:6]), MAX_SPAN))


def _one_child_text(cell: etree._Element) -> str | None:
    """The text of a cell whose one child is an element holding text only (``<td><p>12</p>
    </td>``), as the text serialisation gives it; None for any other cell. A child that is a
    cell itself (nested cells, see table_grid) or a comment (its text is not the cell's) is
    left to the general path."""
    child = cell[0]
    tag = child.tag
    if len(child) or not isinstance(tag, str) or tag == "td" or tag == "th" or tag in _SKIP:
        return None
    text = (cell.text or "") + (child.text or "") + (child.tail or "")
    if tag in _LINE_BREAKS and (_holds_text(cell.text) or _holds_text(child.tail)):
        return unglued(cell, text)   # "2<br>2": two numbers, not 22
    return text


# Where walk breaks lines (block elements, <br>). Digits on both sides of one are two numbers,
# not one: libxml2 makes "<td><p>2</p></td" <td><p>2</p></td>" (a broken end tag) one cell of
# two paragraphs, whose text serialisation reads 22.
_LINE_BREAKS = _BLOCK | {"br"}
_DIGIT_GAP_RE = re.compile(r"\d\s+\d")


def _holds_text(text: str | None) -> bool:
    return bool(text) and not text.isspace()


def _in_one_text(cell: etree._Element, text: str) -> bool:
    """Whether the cell's first text node (down its first elements: <td><p><span>12) holds all
    of ``text``: then nothing is glued (the cheap test before unglued; most cells are so)."""
    el = cell
    first = el.text
    while len(el) and (not first or first.isspace()):     # (_holds_text inlined: once a number cell)
        el = el[0]
        first = el.text
    return first is not None and first.strip() == text.strip()


def unglued(cell: etree._Element, text: str) -> str:
    """``text``, the cell's text serialisation — or, where that glued digits across a line break
    (``<p>6</p><p>251000元</p>`` → 6251000元), the text with the break kept: a number nobody
    wrote becomes two the cell shows, which no reader takes for one."""
    lined = _shown_text(cell, " ")
    if _DIGIT_GAP_RE.search(lined) and not _DIGIT_GAP_RE.search(text):
        return lined
    return text


def _shown_text(el: etree._Element, line_break: str = "", between: str = "", skip: frozenset = _SKIP) -> str:
    """The text serialisation of el without what a browser does not show as text — the
    subtrees walk skips (<script>, <style>, <select> …) and comments, their tails kept: a 文号
    cell filled by document.write is not the script's source. ``line_break`` is put at each
    edge of a block element or <br> inside (where a browser breaks the line; unglued's " ");
    ``between`` between every two text nodes; ``skip``: the subtrees left out."""
    parts: list[str] = []
    _shown_parts(el, line_break, parts, skip)
    return between.join(parts)


def _shown_parts(el: etree._Element, line_break: str, parts: list, skip: frozenset) -> None:
    parts.append(el.text or "")
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag not in skip:
            if line_break and tag in _LINE_BREAKS:
                parts.append(line_break)
                _shown_parts(child, line_break, parts, skip)
                parts.append(line_break)
            else:
                _shown_parts(child, line_break, parts, skip)
        parts.append(child.tail or "")


# A cell that holds cells: its own text leaves out the cells, rows and tables inside it.
_ROW_PARTS = frozenset({"td", "th", "tr", "table"})
_SKIP_CELLS = _SKIP | _ROW_PARTS


def _row_cells(tr: etree._Element, hosts) -> Iterator[etree._Element]:
    """The children of a row, each cell that holds cells followed by the cells it holds: where
    a broken end tag leaves a cell open ("<td>2<dtd><td>150"), libxml2 nests the cells after it
    in it, while a browser closes it at the next <td> and shows them beside it."""
    for cell in tr:
        yield cell
        if cell in hosts:
            yield from _nested_cells(cell, hosts)


def _nested_cells(host: etree._Element, hosts) -> Iterator[etree._Element]:
    for el in host.iterdescendants("td", "th"):
        parent = el.getparent()
        while parent is not host and parent.tag not in _ROW_PARTS:
            parent = parent.getparent()
        if parent is host:              # not a cell of a table, row or cell inside the host
            yield el
            if el in hosts:
                yield from _nested_cells(el, hosts)


def table_grid(table: etree._Element, cell_lines: list[str] | None = None, hosts=None) -> list[list[str]]:
    """Rows of cell strings with rowspan/colspan expanded (text repeated into covered slots).
    ``cell_lines`` receives each non-empty cell's text once, in reading order. ``hosts``: the
    cells that hold other cells (broken markup, read as a browser shows them: _row_cells),
    found on first need (a table that has some is then read again, knowing them)."""
    grid: list[list[str]] = []
    pending: dict[int, list] = {}        # column → [rows still covered, text] from a rowspan
    last_start = -1                      # rightmost column where some cell begins
    cells_total = 0
    lines_before = len(cell_lines) if cell_lines is not None else 0
    add_line = (cell_lines if cell_lines is not None else []).append
    hidden = None                        # whether the table holds <script>, <style> … (found on first need)

    def covered(row: list[str], col: int) -> int:
        """Fill slots covered by rowspans from above, starting at col; returns the next column."""
        while col in pending:
            slot = pending[col]
            row.append(slot[1])
            slot[0] -= 1
            if slot[0] <= 0:
                del pending[col]
            col += 1
        return col

    for tr in table.iter("tr"):
        row: list[str] = []
        add = row.append
        col = 0
        start = -1                       # column where the row's last real cell begins
        for cell in (_row_cells(tr, hosts) if hosts else tr):
            tag = cell.tag
            if tag != "td" and tag != "th":
                continue
            if pending and col in pending:
                col = covered(row, col)
            # the cell's text (this loop runs for every cell of every table: the cheap cases first)
            n = len(cell)
            if not n:
                text = cell.text         # most cells are a bare text node
            elif n == 1 and (text := _one_child_text(cell)) is not None:
                pass                     # <td><p>12</p></td>: no serialisation needed
            else:
                text = _tostring(cell, method="text", encoding=str, with_tail=False)
                if text:
                    if hidden is None:       # what the table holds, looked up once it matters
                        hidden = next(table.iter(*_SKIP), None) is not None    # one pass, in C
                        if hosts is None:
                            hosts = set(_CELL_HOSTS(table)) if _HAS_CELL_HOSTS(table) else ()
                            if hosts:        # the cells read so far were read without them
                                if cell_lines is not None:
                                    del cell_lines[lines_before:]
                                return table_grid(table, cell_lines, hosts)
                    if hidden and next(cell.iter(*_SKIP), None) is not None:
                        text = _shown_text(cell)     # <td><script>document.write('无')</script></td>
                    # (isdecimal: what \d matches, so a bare number is a number cell without the regex)
                    if (text.isdecimal() or _NUMBER_CELL_RE.fullmatch(text)) and not _in_one_text(cell, text):
                        text = unglued(cell, text)   # <p>2</p><p>2</p>: two numbers, not 22
                    if hosts and cell in hosts:
                        # its own text, its text nodes parted: whatever the cells inside it
                        # left between them glued would be a number nobody wrote
                        text = _shown_text(cell, between=" ", skip=_SKIP_CELLS)
            if not text:
                text = ""
            elif text.isdigit():         # a bare number needs no whitespace folding
                add_line(text)
            else:
                text = " ".join(text.split())
                if " " in text:
                    text = CJK_GAP_RE.sub("", text)
                if text:
                    add_line(text)
            start = col
            attrs = cell.keys()          # one call: cheaper than two get()s on every cell
            if not attrs or "colspan" not in attrs and "rowspan" not in attrs:     # the common case
                add(text)
                col += 1
                continue
            colspan, rowspan = cell.get("colspan"), cell.get("rowspan")
            colspan = 1 if colspan is None else _span(colspan)
            rowspan = 1 if rowspan is None else _span(rowspan)
            if rowspan > 1:
                for _ in range(colspan):
                    add(text)
                    pending[col] = [rowspan - 1, text]
                    col += 1
            else:
                row.extend([text] * colspan)
                col += colspan
        if start > last_start:
            last_start = start
        # Slots still covered by rowspans to the right of the last real cell.
        while pending and col <= max(pending):
            if col in pending:
                col = covered(row, col)
            else:
                add("")
                col += 1
        grid.append(row)
        cells_total += len(row)
        if cells_total > MAX_GRID_CELLS:
            break
    # Trailing columns where no cell begins hold only copies from an oversized colspan.
    width = last_start + 1
    for r in grid:
        if len(r) < width:
            r.extend([""] * (width - len(r)))
        elif len(r) > width:
            del r[width:]
    return grid


def _layout_tables(root: etree._Element) -> set:
    """Tables that contain other tables: page layout, not data; their cells are prose."""
    layout: set = set()
    for table in root.iter("table"):
        parent = table.getparent()
        while parent is not None:
            if parent.tag == "table":
                if parent in layout:
                    break
                layout.add(parent)
            parent = parent.getparent()
    return layout


def parse_html(text: str) -> HtmlDocument:
    root = parse_tree(text)
    return walk(root)


def _rank(el) -> int | None:
    """Priority of el as a known body container (lower is better), None if it is not one."""
    attrs = el.keys()
    if "id" not in attrs and "class" not in attrs:
        return None                  # most elements: one call instead of two get()s
    ident = el.get("id")
    rank = _BODY_RANK.get(ident) if ident else None
    cls = el.get("class")
    if cls:
        for name in cls.split():
            r = _BODY_RANK.get(name)
            if r is not None and (rank is None or r < rank):
                rank = r
    return rank


def walk(root: etree._Element) -> HtmlDocument:
    """One pass over the tree: text lines (data tables as one line per cell, their subtree
    skipped), grids, <img> positions and the line range of every candidate container.
    The body is then, in order of trust: the ZJEG_RSS.content markers, the best-ranked known
    container (#zoom, .TRS_UEDITOR, …), the container with the most direct prose."""
    layout = _layout_tables(root) if root.find(".//table") is not None else set()

    lines: list[str] = []
    in_table: list[bool] = []                       # parallel to lines: a data-table cell
    grids: list[tuple[int, list[list[str]]]] = []   # (line index where the table starts, grid)
    images: list[int] = []                          # line indices where an <img> sits
    parts: list[str] = []
    ranges: dict = {}                               # element → [start line, end line]
    scores: dict = {}                               # container element → direct text length
    stack: list = []
    # Text length added since the top of the stack last changed: counted into scores when it
    # changes (one dict update per container, not one per piece of text).
    direct = 0
    marker_range = [None, None]
    info = PageInfo()
    heading_at = None
    candidates: list = []                           # (rank, element) of known body containers

    def flush() -> None:
        if parts:
            line = " ".join("".join(parts).split())
            parts.clear()
            if line:
                lines.append(line)
                in_table.append(False)

    walker = etree.iterwalk(root, events=("start", "end", "comment"))
    for event, el in walker:
        tag = el.tag
        if event == "comment":
            body = el.text
            if body and "ZJEG_RSS" in body:
                if _MARKER_BEGIN in body and marker_range[0] is None:
                    if parts:
                        flush()
                    marker_range[0] = len(lines)
                elif _MARKER_END in body and marker_range[0] is not None and marker_range[1] is None:
                    if parts:
                        flush()
                    marker_range[1] = len(lines)
            if (t := el.tail):
                parts.append(t)
                direct += len(t)
            continue
        if not isinstance(tag, str):      # processing instructions, entities
            if event == "end":
                if (t := el.tail):
                    parts.append(t)
                    direct += len(t)
            continue
        if event == "start":
            if tag in _SKIP:
                if tag == "head":
                    _read_head(el, info)
                walker.skip_subtree()
                continue                  # the "end" event still comes and adds the tail
            if tag == "meta":
                _read_meta(el, info)
            elif tag in _HEADINGS:
                if parts:
                    flush()
                heading_at = len(lines)
            if tag in _BLOCK or tag == "br" or tag == "img":
                if parts:
                    flush()
            rank = _rank(el) if tag in _RANKED else None
            if rank is not None:
                ranges[el] = [len(lines), None]
                candidates.append((rank, el))
            if tag == "table" and el not in layout:
                cells: list[str] = []
                grids.append((len(lines), table_grid(el, cells)))
                lines.extend(cells)
                in_table.extend([True] * len(cells))
                direct += sum(map(len, cells))
                walker.skip_subtree()
                continue
            if tag in _CONTAINERS:
                if direct and stack:
                    top = stack[-1]
                    scores[top] = scores.get(top, 0) + direct
                direct = 0                # (text outside every container counts for none)
                stack.append(el)
                if el not in ranges:
                    ranges[el] = [len(lines), None]
            elif tag == "img":
                images.append(len(lines))
            if (t := el.text):
                parts.append(t)
                direct += len(t)
        else:
            if tag in _SKIP:
                if (t := el.tail):
                    parts.append(t)
                    direct += len(t)
                continue
            if tag in _BLOCK:
                if parts:
                    flush()
                if tag in _HEADINGS and heading_at is not None:
                    info.headings.append(" ".join(lines[heading_at:]))
                    heading_at = None
            if tag in _CONTAINERS and stack and stack[-1] is el:
                if direct:
                    scores[el] = scores.get(el, 0) + direct
                    direct = 0
                stack.pop()
            if el in ranges:
                ranges[el][1] = len(lines)
            if (t := el.tail):
                parts.append(t)
                direct += len(t)
    flush()
    if direct and stack:
        scores[stack[-1]] = scores.get(stack[-1], 0) + direct

    start, end = 0, len(lines)
    how = "fallback"
    # A known container that is nearly empty (a "#zoom" font-size widget, a sidebar
    # ".article") must not win over one that holds the report.
    sizes = {el: sum(map(len, lines[ranges[el][0]:ranges[el][1]])) for _, el in candidates
             if ranges[el][1] is not None}
    enough = min(200, 0.2 * max(sizes.values(), default=0))
    candidates = sorted((rank, i, el) for i, (rank, el) in enumerate(candidates)
                        if sizes.get(el, 0) > 0 and sizes[el] >= enough)
    if marker_range[0] is not None:
        how, start = "marker", marker_range[0]
        end = marker_range[1] if marker_range[1] is not None else len(lines)
    elif candidates:
        el = candidates[0][2]
        how, (start, end) = "selector", ranges[el]
    else:
        best = max(scores.items(), key=lambda kv: kv[1], default=(None, 0))[0]
        if best is not None and best in ranges:
            start, end = ranges[best][0], ranges[best][1] or len(lines)
            how = "fallback"
        else:
            how = "document"
    if end <= start:          # an empty container: better the whole page than nothing
        start, end, how = 0, len(lines), how + "+document"

    real = [(pos, g) for pos, g in grids if any(any(r) for r in g)]
    body_grids = [g for pos, g in real if start <= pos < end]
    image_sections = _image_only_sections(lines, in_table, start, end, [pos for pos, _ in real], images)
    return HtmlDocument(root=root, lines=lines[start:end], grids=body_grids, image_sections=image_sections,
                        meta_lines=_meta_lines(lines, in_table, real, start, end), container=how, info=info)


def _read_meta(el, info: "PageInfo") -> None:
    name, content = el.get("name"), el.get("content")
    if name and content:
        info.meta.setdefault(name.lower(), []).append(content)


def _read_head(head, info: "PageInfo") -> None:
    for el in head.iter("meta", "title"):
        if el.tag == "meta":
            _read_meta(el, info)
        elif info.title is None:
            info.title = " ".join((el.text or "").split()) or None


META_BODY_LINES = 200     # labels sit above the body; the body's head may hold a title line
META_LINE_CHARS = 300     # prose paragraphs hold no label block (metadata.MAX_LABEL_LINE)
META_BODY_CHARS = 160     # …and inside the body only short lines are labels or a title
META_TABLE_ROWS = 8       # a metadata table is small; report tables are not searched for labels


def _meta_lines(lines, in_table, grids, start, end) -> list[str]:
    """Lines to search for labels: everything outside the body, the body's first lines, and
    tables (as ``a | b | c`` rows) outside the body or small ones inside it."""
    out: list[str] = []
    pending = iter(grids)
    nxt = next(pending, None)
    head_end = start + META_BODY_LINES
    # Only the lines that are not table cells (a table is its rows, above): most lines of a
    # small report are cells.
    for i in compress(range(len(lines)), map(not_, in_table)):
        line = lines[i]
        while nxt is not None and nxt[0] <= i:
            pos, grid = nxt
            if not (start <= pos < end) or len(grid) <= META_TABLE_ROWS:
                out.extend(" | ".join(r) for r in grid if any(r))
            nxt = next(pending, None)
        if (i < start or i >= end or (i < head_end and len(line) <= META_BODY_CHARS)) and len(line) <= META_LINE_CHARS:
            out.append(line)
    while nxt is not None:
        pos, grid = nxt
        if not (start <= pos < end) or len(grid) <= META_TABLE_ROWS:
            out.extend(" | ".join(r) for r in grid if any(r))
        nxt = next(pending, None)
    return out


def section_of(line: str) -> int | None:
    if line.lstrip()[:1] not in _SECTION_NUM:
        return None                  # most lines: no regex needed
    m = _SECTION_RE.match(line)
    return _SECTION_NUM[m.group(1)] if m else None


def _image_only_sections(lines, in_table, start, end, table_pos, images) -> frozenset[str]:
    """Sections 二/三/四 in which the body shows an <img> but no data table."""
    if not images:
        return frozenset()
    bounds: list[tuple[int, int]] = []    # (line index, section number)
    for i in range(start, end):
        if not in_table[i]:
            n = section_of(lines[i])
            if n is not None:
                bounds.append((i, n))
    if not bounds:
        return frozenset()

    def section_at(pos: int) -> int | None:
        current = None
        for i, n in bounds:
            if i < pos:
                current = n
            else:
                break
        return current

    with_images = {section_at(p) for p in images if start <= p <= end}
    with_tables = {section_at(p) for p in table_pos if start <= p <= end}
    return frozenset(NUMERALS[s] for s in with_images - with_tables if s in (2, 3, 4))
