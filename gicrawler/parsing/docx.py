"""DOCX attachment → text lines + table grids (python-docx), behind a zip-bomb guard.

python-docx repeats a merged cell's text into every slot it covers, which is exactly the
expanded grid shape extract_tables takes (gicrawler/parsing/tables).
"""
from __future__ import annotations

import io
import zipfile

from .decode import UnreadableDocument
from .html import CJK_GAP_RE, NUMERALS, section_of

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_zip(data: bytes) -> None:
    """Refuse archives whose declared sizes would blow up memory — before anything inflates.
    (zipfile never returns more than a member's declared size, so the declaration binds.)"""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise UnreadableDocument(f"docx: not a readable zip ({exc})") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise UnreadableDocument(f"docx: refused, {total / 2**20:.0f} MB uncompressed (zip bomb?)")
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnreadableDocument(
                f"docx: refused, {info.filename} inflates {info.file_size // max(info.compress_size, 1)}x (zip bomb?)")


def _cell_text(cell) -> str:
    text = " ".join(cell.text.split())
    return CJK_GAP_RE.sub("", text) if " " in text else text


def parse_docx(data: bytes) -> tuple[list[str], list[list[list[str]]], frozenset[str], list[str]]:
    """Returns (text lines, grids, image-only sections as numerals 二/三/四, errors)."""
    check_zip(data)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise UnreadableDocument(f"docx: cannot open ({type(exc).__name__}: {str(exc)[:120]})") from None

    lines: list[str] = []
    grids: list[list[list[str]]] = []
    errors: list[str] = []
    section = None
    images: set = set()
    tables: set = set()
    for child in document.element.body.iterchildren():
        if child.tag == _W + "p":
            para = Paragraph(child, document)
            text = " ".join(para.text.split())
            if text:
                lines.append(text)
                section = section_of(text) or section
            if child.find(f".//{_W}drawing") is not None or child.find(f".//{_W}pict") is not None:
                images.add(section)
        elif child.tag == _W + "tbl":
            try:
                table = Table(child, document)
                rows = [row.cells for row in table.rows]
                grid = [[_cell_text(c) for c in cells] for cells in rows]
            except Exception as exc:   # malformed table XML: keep the rest of the document
                errors.append(f"docx: table unreadable ({type(exc).__name__})")
                continue
            width = max((len(r) for r in grid), default=0)
            grid = [r + [""] * (width - len(r)) for r in grid]
            if any(any(r) for r in grid):
                grids.append(grid)
                tables.add(section)
                seen: set = set()
                for cells, row in zip(rows, grid):
                    for cell, text in zip(cells, row):   # one line per cell; merged slots once
                        if text and id(cell._tc) not in seen:
                            lines.append(text)
                        seen.add(id(cell._tc))
    image_sections = frozenset(NUMERALS[s] for s in images - tables if s in (2, 3, 4))
    return lines, grids, image_sections, errors
