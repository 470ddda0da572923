"""parse_report: any report document (HTML page, text, PDF, DOCX, legacy binaries) → record.

Reading the document (format-specific) yields text lines, table grids and the sections shown
only as images; metadata, tables and checks are then the same for every format.
"""
from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, unquote, urlsplit

from gicrawler.parsing.agency import agency_kind
from gicrawler.parsing.checks import run_checks
from gicrawler.parsing.decode import UnreadableDocument, decode, extension_format, sniff_format
from gicrawler.parsing.embedded import embedded_html
from gicrawler.parsing.metadata import derive_agency, derive_year, fold
from gicrawler.parsing.metadata_loader import metadata_from
from gicrawler.parsing.normalize import normalize_text
from gicrawler.parsing.tables import extract_tables
from gicrawler.schema import PARSER_FIELDS

log = logging.getLogger(__name__)

RECORD_KEYS = PARSER_FIELDS
# Characters every Chinese report is full of; random binary decoded as UTF-16 rarely hits them.
_COMMON = frozenset("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"
                    "下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量"
                    "都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重"
                    "新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已"
                    "通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将"
                    "组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府报告申请信息项目，。、：；（）")
_HTML_STR_RE = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|meta|div|p|table|br|span|td|li)[\s>/]", re.I)
LEGACY_SCAN_BYTES = 8 * 1024 * 1024
LEGACY_MAX_CHARS = 400_000      # a long report is some 30,000 characters
_RUN_UNITS = 4096
# Runs of UTF-16LE text (CJK, ASCII, CJK punctuation, full-width forms) inside legacy binaries.
_UTF16_RUN_RE = re.compile(
    rb"(?:[\x20-\x7e\x07\x09\x0d]\x00|[\x00-\xff][\x4e-\x9f]|[\x00-\xff]\x30|[\x00-\xef]\xff){6,%d}"
    % _RUN_UNITS)


def _normalize_grids(grids, known: dict[str, str]):
    """normalize_text every cell: cells that are also body lines (HTML, DOCX) reuse the body's
    normalised line; the rest go through normalize_text in one call (cells are one-line)."""
    if not grids:
        return []
    normed = known.__getitem__
    try:          # HTML/DOCX: every cell is a body line already (one pass instead of two)
        return [[list(map(normed, row)) for row in grid] for grid in grids]
    except KeyError:
        pass
    todo = sorted({cell for grid in grids for row in grid for cell in row if cell not in known})
    if todo:
        normed = normalize_text("\n".join(todo)).split("\n")
        if len(normed) != len(todo):      # a cell produced a line break: cell by cell
            normed = [" ".join(normalize_text(c).split()) for c in todo]
        known = {**known, **dict(zip(todo, normed))}
    return [[[known[cell] for cell in row] for row in grid] for grid in grids]


def _read_html(text: str):
    from gicrawler.parsing.html import parse_html
    try:
        doc = parse_html(text)
    except (ValueError, TypeError) as exc:
        raise UnreadableDocument(f"html: cannot parse ({exc})") from None
    return doc.lines, doc.grids, doc.image_sections, doc.meta_lines, doc.info, []


def _read_text(text: str):
    lines = text.splitlines()
    return lines, [], frozenset(), lines, None, []


def _read_legacy(data: bytes, fmt: str):
    """Word 97/WPS/Excel binaries are not parsed; the UTF-16 text runs they store are kept so
    metadata and text-form tables may still be found (cell marks \\x07 become line breaks).
    Bounded: runs are looked for in the first LEGACY_SCAN_BYTES (a Word file's text comes
    before its pictures) and kept up to LEGACY_MAX_CHARS, so a huge file costs no huge text.
    (The regex matches at most _RUN_UNITS code units at a time: an unbounded repeat keeps a
    backtracking entry per unit, 600 MB for an 8 MB run; adjacent matches are one run.)"""
    runs: list[list[int]] = []
    for m in _UTF16_RUN_RE.finditer(memoryview(data)[:LEGACY_SCAN_BYTES]):
        if runs and runs[-1][1] == m.start():
            runs[-1][1] = m.end()
        else:
            runs.append([m.start(), m.end()])
    pieces = []
    budget = LEGACY_MAX_CHARS
    for start, end in runs:
        try:
            piece = data[start: min(end, start + 2 * budget)].decode("utf-16-le")
        except UnicodeDecodeError:
            continue
        if sum(1 for c in piece if c in _COMMON) * 4 >= len(piece):
            pieces.append(piece)
            budget -= len(piece)
            if budget <= 0:
                break
    lines = [ln for ln in re.split(r"[\x07\r\n]+", "\n".join(pieces)) if ln.strip()]
    recovered = ("; text recovered" + (f" (the first {LEGACY_MAX_CHARS:,} characters)" if budget <= 0 else "")
                 if lines else "")
    errors = [f"{fmt}: legacy binary format not parsed" + recovered]
    return lines, [], frozenset(), lines, None, errors


def _read(fmt: str, data: bytes | None, text: str | None, content_type: str | None):
    """The format's reader: (lines, grids, image sections, metadata lines, page info, errors,
    OCR grids — tables read from pictures, see parsing/image_tables.py)."""
    if fmt in ("html", "text"):
        if text is None:
            _, text = decode(data, content_type)
        return (*(_read_html(text) if fmt == "html" else _read_text(text)), [])
    if fmt == "pdf":
        from gicrawler.parsing.pdf import parse_pdf
        lines, grids, errs, image_pages = parse_pdf(data)
        # A PDF of scanned pages: every table is there, but only as an image.
        image_sections = frozenset("二三四") if image_pages and not any(s.strip() for s in lines) else frozenset()
        ocr_grids: list = []
        if image_pages:
            from gicrawler.parsing.image_tables import ocr_pdf_pages
            ocr_lines, ocr_grids, ocr_errs = ocr_pdf_pages(data, image_pages)
            lines, errs = lines + ocr_lines, errs + ocr_errs
        return lines, grids, image_sections, lines, None, errs, ocr_grids
    if fmt == "image":
        from gicrawler.parsing.image_tables import ocr_image
        lines, ocr_grids, errs = ocr_image(data)
        if not ocr_grids and not lines:
            raise UnreadableDocument(errs[0] if errs else "image: nothing read")
        # an image attachment is a table picture: its sections are images by definition
        return lines, [], frozenset("二三四"), lines, None, errs, ocr_grids
    if fmt == "docx":
        from gicrawler.parsing.docx import parse_docx
        lines, grids, image_sections, errs = parse_docx(data)
        return lines, grids, image_sections, lines, None, errs, []
    if fmt == "zip":
        raise UnreadableDocument("zip: an archive, not a report document")
    return (*_read_legacy(data, fmt), [])


def _name_hint(filename: str | None, url: str | None) -> str | None:
    """The file name a document came with: given, or in the URL (``downfile.jsp?filename=x.doc``)."""
    if filename or not url:
        return filename
    parts = urlsplit(url)
    for value in parse_qs(parts.query).values():
        if value and extension_format(value[0]) not in (None, "html"):
            return unquote(value[0])
    return unquote(parts.path.rsplit("/", 1)[-1]) or None


def _title_from_name(filename: str | None, url: str | None) -> str | None:
    for name in (filename, urlsplit(url).path if url else None):
        if name:
            stem = unquote(name).rsplit("/", 1)[-1].rsplit(".", 1)[0]
            stem = fold(normalize_text(stem))
            if "报告" in stem and re.search(r"(?:19|20)\d{2}", stem):
                return stem
    return None


def _cell_text(cell: str) -> str:
    return " ".join(normalize_text(cell).split())


def _with_ocr(found: dict, ocr_grids, errors: list[str]) -> dict:
    """Tables read by OCR fill the ones the text and grids did not give (image_tables.py)."""
    from gicrawler.parsing.image_tables import tables_from_grids
    try:
        got = tables_from_grids(ocr_grids, _cell_text)
    except Exception as exc:   # a bug in the OCR mapping costs the OCR'd tables, not the record
        log.exception("OCR table mapping failed")
        errors.append(f"ocr: mapping error ({type(exc).__name__}: {str(exc)[:100]})")
        return found
    errors.extend(f"ocr: {note}" for note in got.get("notes") or ())
    tables = dict(found.get("tables") or {})
    missing = dict(found.get("missing_tables") or {})
    sources = {}
    for key, source in got["tables_source"].items():
        if key in tables:
            continue                       # the text had this table: it stands
        sources[key] = source
        if key in got["tables"]:
            tables[key] = got["tables"][key]
            missing.pop(key, None)
        else:
            missing[key] = got["missing_tables"][key]
    template = found.get("template") or got.get("template")
    return {**found, "tables": tables, "missing_tables": missing, "template": template,
            "tables_source": sources or None}


def parse_report(data: bytes | str, *, filename: str | None = None, content_type: str | None = None,
                 url: str | None = None, explain: list | None = None) -> dict:
    """Parse one report document into the record of docs/record.md (see module docstring).

    ``explain``, if given, gets why each table row got its values (see extract_tables).
    Raises UnreadableDocument when nothing at all could be read (no other exception escapes)."""
    errors: list[str] = []
    if isinstance(data, str):
        if not data or data.isspace():
            raise UnreadableDocument("empty document")
        fmt = "html" if _HTML_STR_RE.search(data[:8192]) or extension_format(filename) == "html" else "text"
        text = data
    elif isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        if not data or data.isspace():       # (strip() would copy a 20 MB body to find out)
            raise UnreadableDocument("empty document")
        fmt = sniff_format(data, _name_hint(filename, url), content_type)
        text = None
    else:
        raise TypeError(f"parse_report needs bytes or str, not {type(data).__name__}")

    try:
        if fmt in ("html", "text"):
            if text is None:
                _, text = decode(data, content_type)
            unwrapped = embedded_html(text)   # a body shipped as JSON (gkmlpt, WebBuilder)
            if unwrapped is not None:
                text, fmt = unwrapped, "html"
        read = _read(fmt, data, text, content_type)
    except UnreadableDocument:
        raise
    except Exception as exc:  # noqa: BLE001 - a reader library failing in an unlisted way: one clear line
        log.warning("reading %s failed", url or filename or "document", exc_info=True)
        raise UnreadableDocument(f"{fmt}: cannot read ({type(exc).__name__}: {str(exc)[:120]})") from None
    lines, grids, image_sections, meta_lines, page_info, errs, ocr_grids = read
    errors.extend(errs)

    # Normalise once; cells and metadata lines that are body lines reuse the result.
    body = normalize_text("\n".join(lines))
    if not body.strip() and not ocr_grids and not any(e.startswith(f"{fmt}: ") for e in errors):
        errors.append(f"{fmt}: no text found")
    normed_lines = body.split("\n")
    known = dict(zip(lines, normed_lines)) if len(normed_lines) == len(lines) else {}
    known[""] = ""
    grids = _normalize_grids(grids, known)
    meta = metadata_from(meta_lines, page_info, known)
    if not meta.get("title"):
        meta["title"] = _title_from_name(filename, url)

    record = dict(meta)
    record["agency"] = derive_agency(meta.get("publisher"), meta.get("title"))
    record["agency_kind"] = agency_kind(meta.get("publisher"), meta.get("title"))
    record["year"] = derive_year(meta.get("title"), body, meta.get("published"))
    try:
        found = extract_tables(body, grids, image_sections, explain)
    except Exception as exc:   # a parser bug must cost this record its tables, not the crawl
        log.exception("extract_tables failed on %s", url or filename or "document")
        errors.append(f"tables: parser error ({type(exc).__name__}: {str(exc)[:100]})")
        found = {"template": None, "tables": {},
                 "missing_tables": dict.fromkeys(("active", "applications", "review_litigation"), "parser error")}
    errors.extend(found.get("notes") or ())     # glued rows decoded / ambiguous (tables/glued_rows.py)
    if ocr_grids:
        found = _with_ocr(found, ocr_grids, errors)
    record["template"] = found.get("template")
    record["tables"] = found.get("tables") or {}
    record["missing_tables"] = found.get("missing_tables") or {}
    record["tables_source"] = found.get("tables_source") or None
    record["text"] = body
    record["format"] = fmt
    record["errors"] = errors
    try:
        record["checks"] = run_checks(record)
    except Exception as exc:
        log.exception("run_checks failed on %s", url or filename or "document")
        errors.append(f"checks: error ({type(exc).__name__}: {str(exc)[:100]})")
        record["checks"] = []
    return {key: record.get(key) for key in RECORD_KEYS}
