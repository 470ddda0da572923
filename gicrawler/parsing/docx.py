"""DOCX attachment → text lines + table grids (python-docx), behind size and zip-bomb guards.

Only the main document part (word/document.xml) is read: the body is all the parser uses, so
images, styles and the other parts are neither inflated nor parsed (a damaged one is noted in
the record's errors, not fatal). python-docx gets a package of that one part, and repeats a
merged cell's text into every slot it covers, which is exactly the expanded grid shape extract_tables takes
(gicrawler/parsing/tables).

Limits: the archive's declared total (``MAX_UNCOMPRESSED``), the inflation ratio of any member
(``MAX_RATIO``), and the uncompressed size of the document part, ``GICRAWLER_DOCX_MAX_MB``
megabytes (default ``DEFAULT_MAX_MB``): parsing costs about half a second and 15 MB of memory
per MB of XML, and a real report's document part is a few MB at most.
"""
from __future__ import annotations

import io
import os
import posixpath
import re
import struct
import zipfile
import zlib

from .decode import UnreadableDocument
from .html import CJK_GAP_RE, NUMERALS, section_of

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
DEFAULT_MAX_MB = 16.0
MAX_MB_ENV = "GICRAWLER_DOCX_MAX_MB"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAIN = "word/document.xml"
_DOCUMENT_NAME_RE = re.compile(rb"word/document\d*\.xml")
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_TARGET_RE = re.compile(rb'<Relationship\b[^>]*?Type="' + re.escape(_OFFICE_DOCUMENT.encode())
                        + rb'"[^>]*?Target="([^"]+)"|<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Type="'
                        + re.escape(_OFFICE_DOCUMENT.encode()) + rb'"')
# What zipfile raises for a damaged member: bad headers, unsupported versions/methods
# (NotImplementedError), encryption (RuntimeError), corrupt deflate data (zlib.error), …
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, zlib.error,
               EOFError, OSError, ValueError, KeyError, OverflowError)
_MINIMAL_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  b'<Override PartName="/word/document.xml" ContentType="application/'
                  b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_MINIMAL_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 b'<Relationship Id="rId1" Type="' + _OFFICE_DOCUMENT.encode() + b'" Target="word/document.xml"/>'
                 b'</Relationships>')


def max_document_bytes() -> int:
    """The document part's size limit: $GICRAWLER_DOCX_MAX_MB megabytes, else the default."""
    value = os.environ.get(MAX_MB_ENV)
    try:
        mb = float(value) if value else DEFAULT_MAX_MB
    except ValueError:
        mb = DEFAULT_MAX_MB
    return int((mb if mb > 0 else DEFAULT_MAX_MB) * 1024 * 1024)


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Refuse archives whose declared sizes would blow up memory — before anything inflates.
    (zipfile never returns more than a member's declared size, so the declaration binds.)"""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _ZIP_ERRORS as exc:
        raise UnreadableDocument(f"docx: not a readable zip ({type(exc).__name__}: {str(exc)[:120]})") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise UnreadableDocument(f"docx: refused, {total / 2**20:.0f} MB uncompressed (zip bomb?)")
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnreadableDocument(
                f"docx: refused, {info.filename} inflates {info.file_size // max(info.compress_size, 1)}x (zip bomb?)")
    return archive


def _damage(info: zipfile.ZipInfo) -> str | None:
    """Why zipfile would refuse to open this member, judged from its directory entry."""
    if info.extract_version > zipfile.MAX_EXTRACT_VERSION:
        return f"zip version {info.extract_version / 10:.1f} not supported"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        return f"compression method {info.compress_type} not supported"
    if info.flag_bits & 0x1:
        return "encrypted"
    if info.flag_bits & 0x20:
        return "patched data not supported"
    return None


def _main_part(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The main document part named by the package relationships (word/document.xml, or
    word/document2.xml as some editors save it)."""
    if "_rels/.rels" in names:
        try:
            with archive.open("_rels/.rels") as fh:
                rels = fh.read(1 << 20)
        except _ZIP_ERRORS:
            rels = b""
        m = _TARGET_RE.search(rels)
        if m:
            target = posixpath.normpath((m.group(1) or m.group(2)).decode("utf-8", "replace").lstrip("/"))
            if target in names:
                return target
    return _MAIN


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")     # zip local file header (APPNOTE 4.3.7)


def _from_local_header(data: bytes, limit: int, why: str) -> tuple[bytes, list[str]]:
    """The document part read through its local header, when zipfile cannot use the central
    directory (a truncated download, a damaged directory entry): local headers carry the
    part's name, method and data, and a deflate stream ends by itself."""
    pos = data.find(b"PK\x03\x04")
    while pos >= 0 and pos + _LOCAL_HEADER.size <= len(data):
        (_, _, flags, method, _, _, _, csize, _, name_len, extra_len) = _LOCAL_HEADER.unpack_from(data, pos)
        start = pos + _LOCAL_HEADER.size + name_len + extra_len
        name = data[pos + _LOCAL_HEADER.size: pos + _LOCAL_HEADER.size + name_len]
        if _DOCUMENT_NAME_RE.fullmatch(name) and not flags & 0x1 and method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            end = start + csize if csize and not flags & 0x8 else len(data)
            if method == zipfile.ZIP_STORED:
                xml = data[start:end][: limit + 1]
                complete = bool(csize) and not flags & 0x8 and end <= len(data)
            else:
                inflate = zlib.decompressobj(-15)
                try:
                    xml = inflate.decompress(data[start:end], limit + 1)
                except zlib.error as exc:
                    raise UnreadableDocument(f"docx: {why}; document part damaged too ({exc})") from None
                complete = inflate.eof
            if len(xml) > limit:
                raise UnreadableDocument(f"docx: refused, {name.decode()} is over the {limit / 2**20:g} MB limit "
                                         f"({MAX_MB_ENV})")
            note = f"docx: {why}; document part read from its local header"
            if complete:
                return xml, [note]
            return _recovered(xml), [note + " (cut short: what was there is read)"]
        pos = data.find(b"PK\x03\x04", pos + 4)
    raise UnreadableDocument(f"docx: {why}")


def _recovered(xml: bytes) -> bytes:
    """The well-formed part of a cut-short document part (lxml's recovering parser closes
    what was open), for python-docx to read. It ends at the last complete paragraph: a cell's
    number cut in two ("1234" read as "12") would be a wrong value, not a missing one."""
    from lxml import etree
    end = xml.rfind(b"</w:p>")
    xml = xml[: end + len(b"</w:p>")] if end >= 0 else b""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        raise UnreadableDocument("docx: the document part is cut short before any content")
    return etree.tostring(root)


def _read_document_part(data: bytes) -> tuple[bytes, list[str]]:
    limit = max_document_bytes()
    try:
        archive = check_zip(data)
    except UnreadableDocument as exc:
        if "zip bomb" in str(exc) or not str(exc).startswith("docx: not a readable zip"):
            raise
        return _from_local_header(data, limit, str(exc)[len("docx: "):])
    infos = archive.infolist()
    names = {i.filename for i in infos}
    name = _main_part(archive, names)
    errors = []
    for info in infos:
        problem = _damage(info)
        if problem and info.filename != name:
            errors.append(f"docx: part {info.filename} unreadable ({problem}); not needed")
    if name not in names:
        raise UnreadableDocument(f"docx: no document part ({_MAIN})")
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise UnreadableDocument(
            f"docx: refused, {name} is {info.file_size / 2**20:.0f} MB uncompressed, over the "
            f"{limit / 2**20:g} MB limit ({MAX_MB_ENV})")
    try:
        with archive.open(info) as fh:
            xml = fh.read(limit + 1)
    except _ZIP_ERRORS as exc:
        raise UnreadableDocument(f"docx: {name} unreadable ({type(exc).__name__}: {str(exc)[:120]})") from None
    if len(xml) > limit:      # (a declared size zipfile did not hold to)
        raise UnreadableDocument(f"docx: refused, {name} is over the {limit / 2**20:g} MB limit ({MAX_MB_ENV})")
    return xml, errors


def _package(document_xml: bytes) -> io.BytesIO:
    """A package of the document part alone: what python-docx needs to read the body."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", _MINIMAL_TYPES)
        z.writestr("_rels/.rels", _MINIMAL_RELS)
        z.writestr(_MAIN, document_xml)
    buf.seek(0)
    return buf


def _cell_text(cell) -> str:
    text = " ".join(cell.text.split())
    return CJK_GAP_RE.sub("", text) if " " in text else text


def parse_docx(data: bytes) -> tuple[list[str], list[list[list[str]]], frozenset[str], list[str]]:
    """Returns (text lines, grids, image-only sections as numerals 二/三/四, errors)."""
    document_xml, errors = _read_document_part(data)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(_package(document_xml))
        body = document.element.body
    except Exception as exc:   # malformed XML, not a WordprocessingML document, …
        raise UnreadableDocument(f"docx: cannot open ({type(exc).__name__}: {str(exc)[:120]})") from None
    del document_xml
    if body is None:
        raise UnreadableDocument("docx: the document has no body")

    lines: list[str] = []
    grids: list[list[list[str]]] = []
    section = None
    images: set = set()
    tables: set = set()
    for child in body.iterchildren():
        if child.tag == _W + "p":
            try:
                text = " ".join(Paragraph(child, document).text.split())
            except Exception as exc:   # malformed run XML: keep the rest of the document
                errors.append(f"docx: paragraph unreadable ({type(exc).__name__})")
                continue
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
