"""Parser fuzzing over mutated real reports (tests/corpus), shared by tests/test_parsing_fuzz.py.

Sources: the real report texts and HTML pages (tests/corpus, the sample reports) as they are,
and the sample reports rendered as HTML, PDF and DOCX by the project's own writers
(gicrawler/replicas/writers.py).
Mutations: byte flips, truncations, duplicated/deleted lines, digit changes, re-encodings
(GB18030, UTF-16, Big5, a GBK line among UTF-8, a lying charset declaration); PDF and DOCX also
get their source edited before rendering (digits, paragraphs duplicated or dropped). Text and HTML
also get the *shapes* of broken real pages (``shape``): unclosed </td>/</tr>, a stray </table>, a
duplicated row, a table repeated, a number parted by <br>/&nbsp; or split in two, full-width
digits, thousands separators, 〇/零 for 0, a unit after a count (件, 人次 …), a 0 printed as nothing,
a cell holding <script>/<style>/<select> after its number, a broken </td> that nests the cells
after it, a text row's numbers glued (``--shapes`` picks some). (Two HTML cells merged into one
is not a shape: the page then prints the merged number in a column, as a reader sees it.)

Each input is parsed by ``parse_report`` in a child process (gicrawler/runner.py) under an
address-space limit (RLIMIT_AS) and a deadline: a bound, not a measure of speed. Outcomes:
a record, ``UnreadableDocument`` (fine), a crash (any other exception, or the child died), a
hang (past the deadline), a malformed record, a record with invented values — a number in its
tables that the input does not contain (in any scaling the parser applies: 万, 亿) — or, for a
shape, a moved value: one the undamaged document's record does not hold at that place (a shape
keeps every number in its cell, or destroys it: a value may be lost, never another).

``python -m tests.fuzzing [N [SEED]]`` prints the figures for a fixed-seed sample of N inputs.
"""
from __future__ import annotations

import copy
import json
import random
import re
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from io import BytesIO
from pathlib import Path

from gicrawler.schema import PARSER_FIELDS
from gicrawler.parsing import UnreadableDocument, parse_report
from gicrawler.runner import ChildDied, ChildRunner, RunTimeout

CORPUS = Path(__file__).parent / "corpus"
DEADLINE = 20.0                    # seconds per input: a normal report takes well under one
MEMORY_LIMIT = 1024 ** 3           # RLIMIT_AS of the child (address space; a warm child uses ~130 MB)
# the keys parse_report promises: the parser's part of the record schema (gicrawler/schema.py)
RECORD_KEYS = set(PARSER_FIELDS)
SAMPLE_NAMES = ("000", "001", "002", "003", "004")
# The five sample reports ship with the replicas (package data).
SAMPLES = Path(str(resources.files("gicrawler.replicas").joinpath("data", "samples")))


# ------------------------------------------------------------------------------ sources

@dataclass
class Source:
    name: str
    form: str                       # text | html | pdf | docx
    data: bytes
    text: str = ""                  # what the document says (for the number oracle)
    sample: str | None = None       # sample reports: re-rendered after source edits


@lru_cache(maxsize=1)
def sources() -> tuple[Source, ...]:
    from gicrawler.replicas.samples import load_sample
    from gicrawler.replicas.writers import report_docx, report_html, report_pdf

    out = []
    texts = sorted(p for p in CORPUS.rglob("*.txt") if "synthetic" not in p.parts) + sorted(SAMPLES.glob("*.txt"))
    for path in texts:
        data = path.read_bytes()
        out.append(Source(path.name, "text", data, data.decode("utf-8")))
    for path in sorted(CORPUS.rglob("*.html")):
        if "synthetic" not in path.parts:
            data = path.read_bytes()
            out.append(Source(path.name, "html", data, data.decode("utf-8")))
    for name in SAMPLE_NAMES:
        sample = load_sample(name)
        said = _said(sample.record, sample.paragraphs)
        html = report_html(sample.record, sample.paragraphs, **sample.options)
        out.append(Source(f"{name}.html", "html", html.encode("utf-8"), html, name))
        out.append(Source(f"{name}.pdf", "pdf", report_pdf(sample.record, sample.paragraphs, **sample.options),
                          said, name))
        out.append(Source(f"{name}.docx", "docx", report_docx(sample.record, sample.paragraphs, **sample.options),
                          said, name))
    return tuple(out)


def _said(record: dict, paragraphs) -> str:
    """The text a rendered sample shows: its paragraphs and every value of its record, in the
    units the renderer prints (amounts in 万元 by default) and as stored."""
    return "\n".join(list(paragraphs) + [json.dumps(record, ensure_ascii=False)])


# ------------------------------------------------------------------------------ mutations

def flip(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        buf[rng.randrange(len(buf))] ^= rng.randint(1, 255)
    return bytes(buf)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))]


def lines(rng: random.Random, data: bytes) -> bytes:
    parts = data.split(b"\n")
    for _ in range(rng.randint(1, 6)):
        if len(parts) < 2:
            break
        i = rng.randrange(len(parts))
        n = rng.randint(1, 8)
        if rng.random() < 0.5:
            del parts[i: i + n]
        else:
            parts[i:i] = parts[i: i + n]
    return b"\n".join(parts)


_DIGIT_RE = re.compile(rb"\d")


def digits(rng: random.Random, data: bytes) -> bytes:
    spots = [m.start() for m in _DIGIT_RE.finditer(data)]
    if not spots:
        return data
    buf = bytearray(data)
    for pos in rng.sample(spots, min(len(spots), rng.randint(1, 12))):
        if rng.random() < 0.2:
            buf[pos:pos + 1] = bytes([buf[pos]]) + str(rng.randint(0, 9)).encode()   # one digit more
        else:
            buf[pos] = ord(str(rng.randint(0, 9)))
    return bytes(buf)


def reencode(rng: random.Random, text: str) -> bytes:
    how = rng.choice(("gb18030", "utf-16", "utf-8-sig", "big5", "gbk-line", "lying-charset"))
    if how == "gbk-line":               # one line in GBK among UTF-8 (issue 9.9)
        rows = text.split("\n")
        i = rng.randrange(len(rows))
        return b"\n".join(r.encode("gbk", "replace") if k == i else r.encode("utf-8") for k, r in enumerate(rows))
    if how == "lying-charset":          # GBK bytes under a page's <meta charset="utf-8">
        return text.encode("gbk", "replace")
    return text.encode(how, "replace")


def zip_field(rng: random.Random, data: bytes) -> bytes:
    """A byte of a zip header field changed: version needed, flags, compression method (a
    byte-flipped DOCX raised NotImplementedError out of parse_report, issue 9.7)."""
    heads = [m.start() for m in re.finditer(rb"PK\x03\x04|PK\x01\x02", data)]
    if not heads:
        return flip(rng, data)
    buf = bytearray(data)
    pos = rng.choice(heads)
    central = buf[pos + 2] == 1
    offset = rng.choice((6, 7, 8, 10) if central else (4, 5, 6, 8))   # version / flags / method
    buf[pos + offset] = rng.choice((0x3f, 0x63, 0xff, buf[pos + offset] ^ 0x20, 99, 14, 12))
    return bytes(buf)


def edit_sample(rng: random.Random, sample_name: str, form: str) -> tuple[bytes, str]:
    """A sample report with its source edited (table values, paragraphs), rendered again."""
    from gicrawler.replicas.samples import load_sample
    from gicrawler.replicas.writers import report_docx, report_pdf

    sample = load_sample(sample_name)
    record = copy.deepcopy(sample.record)
    paragraphs = list(sample.paragraphs)
    leaves = list(_leaf_refs(record.get("tables") or {}))
    for _ in range(rng.randint(1, 10)):
        if leaves and rng.random() < 0.7:
            table, key = rng.choice(leaves)
            table[key] = rng.choice((None, 0, rng.randint(0, 99), rng.randint(100, 10 ** 7)))
        elif paragraphs:
            i = rng.randrange(len(paragraphs))
            if rng.random() < 0.5:
                del paragraphs[i]
            else:
                paragraphs.insert(i, paragraphs[i])
    render = report_pdf if form == "pdf" else report_docx
    return render(record, paragraphs, **sample.options), _said(record, paragraphs)


def _leaf_refs(node):
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _leaf_refs(value)
        else:
            yield node, key


# Shapes of broken real pages (``shape``): each keeps every number in its cell, or destroys one
# (a split number, a unit the reader does not know): the record may lose values, never move one.
_NUMBER_NODE_RE = re.compile(r">(\s*)(\d+)(\s*)<")          # an HTML text node that is one number
_ZERO_NODE_RE = re.compile(r">(\s*)0(\s*)<")
_TEXT_NUMBER_RE = re.compile(r"(?<![\d.,])\d+(?![\d.,])")
_TEXT_ZERO_RE = re.compile(r"(?<=[\s|])0(?=[\s|])")
_TEXT_COUNT_RE = re.compile(r"(?<=[\s|])\d+(?=[ \t|])")
_COUNT_UNITS = ("件", "人次", "个", "次", "项", "宗")


def _some(rng: random.Random, pattern: re.Pattern, text: str, edit, k: int | None) -> str:
    """``text`` with ``k`` random matches of ``pattern`` (all when k is None) replaced by edit(m)."""
    spots = list(pattern.finditer(text))
    chosen = range(len(spots)) if k is None else rng.sample(range(len(spots)), min(len(spots), k))
    out, last = [], 0
    for i in sorted(chosen):
        m = spots[i]
        out += [text[last:m.start()], edit(m)]
        last = m.end()
    return "".join(out) + text[last:]


def _full_width(digits: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in digits)


def _thousands(m: re.Match, digits: str, sep: str) -> str:
    if len(digits) < 4 or digits[0] == "0" or 1900 < int(digits) < 2100:   # years stay
        return m.group()
    return m.group().replace(digits, f"{int(digits):,}".replace(",", sep))


def _split(rng: random.Random, m: re.Match) -> str:
    digits = m.group(2)
    if len(digits) < 2:
        return m.group()
    i = rng.randrange(1, len(digits))
    return f">{digits[:i]}{rng.choice(('<br>', '&nbsp;', '</p><p>', ' '))}{digits[i:]}<"


def _around(rng: random.Random, m: re.Match) -> str:
    return f">{rng.choice(('&nbsp;', '<br>', ' &#160;'))}{m.group(2)}{rng.choice(('&nbsp;', '<br/>', ''))}<"


# What a browser does not show, put in a cell after its number: table_grid must read the cell
# as shown (document.write'd 文号 cells are real; the others: templates' debris).
_HIDDEN = ('<script>document.write("7")</script>', "<style>td{width:30px}</style>",
           "<select><option>2019</option><option>8</option></select>", "<noscript>36</noscript>",
           "<!-- 45 -->", '<textarea style="display:none">12</textarea>')
# A text line whose last four or more tokens are numbers (a table row)
_TEXT_ROW_RE = re.compile(r"(?m)^((?:[^\n]*?[^\d\s][ \t]*)?)((?:\d+[ \t]+){3,}\d+)[ \t]*$")
_TEXT_LONE_ZERO_RE = re.compile(r"(?m)(?<=[ \t|])0(?=[ \t|]|$)")


def _hide_after(rng: random.Random, m: re.Match) -> str:
    return f">{m.group(1)}{m.group(2)}{rng.choice(_HIDDEN)}{m.group(3)}<"


def _glue_numbers(rng: random.Random, m: re.Match) -> str:
    """A row's numbers with their separators dropped (some kept: a space here and there), and
    sometimes its zeros printed as nothing (blank cells leave no digit in the glued run)."""
    keep = rng.random() < 0.3
    numbers = m.group(2).split()
    if rng.random() < 0.3:
        numbers = [n for n in numbers if n != "0" or rng.random() < 0.6] or numbers
    return m.group(1) + numbers[0] + "".join((" " if keep and rng.random() < 0.3 else "") + n for n in numbers[1:])


def _html_shape(rng: random.Random, text: str, how: str) -> str:
    if how == "hidden-in-cell":
        return _some(rng, _NUMBER_NODE_RE, text, lambda m: _hide_after(rng, m), rng.randint(1, 40))
    if how == "nested-cells":           # "<td>2<dtd><td>150": a broken end tag nests the cells after it
        text = _some(rng, _NUMBER_NODE_RE, text, lambda m: _hide_after(rng, m), rng.randint(0, 20))
        return _some(rng, re.compile(r"</td\s*>", re.I), text, lambda m: rng.choice(("<dtd>", "<div>", "<tdd>")),
                     rng.randint(1, 6))
    if how == "blank-zero":            # zeros printed as nothing (常见)
        return _some(rng, _ZERO_NODE_RE, text, lambda m: f">{m.group(1)}{m.group(2)}<", rng.randint(1, 30))
    if how == "unclosed-td":
        return _some(rng, re.compile(r"</td\s*>", re.I), text, lambda m: "", rng.randint(1, 40))
    if how == "unclosed-tr":
        return _some(rng, re.compile(r"</tr\s*>", re.I), text, lambda m: "", rng.randint(1, 10))
    if how == "stray-table-end":
        return _some(rng, re.compile(r"<tr[\s>]", re.I), text, lambda m: "</table>" + m.group(), rng.randint(1, 3))
    if how == "duplicated-row":
        return _some(rng, re.compile(r"<tr[\s>].*?</tr\s*>", re.I | re.S), text, lambda m: m.group() * 2,
                     rng.randint(1, 3))
    if how == "table-twice":
        return _some(rng, re.compile(r"<table.*?</table\s*>", re.I | re.S), text, lambda m: m.group() * 2, 1)
    if how == "nbsp-br-around":
        return _some(rng, _NUMBER_NODE_RE, text, lambda m: _around(rng, m), rng.randint(1, 30))
    if how == "split-number":
        return _some(rng, _NUMBER_NODE_RE, text, lambda m: _split(rng, m), rng.randint(1, 30))
    if how == "full-width":
        return _some(rng, _NUMBER_NODE_RE, text, lambda m: f">{m.group(1)}{_full_width(m.group(2))}{m.group(3)}<", None)
    if how == "thousands":
        sep = rng.choice((",", "，"))
        return _some(rng, _NUMBER_NODE_RE, text, lambda m: _thousands(m, m.group(2), sep), None)
    if how == "chinese-zero":
        zero = rng.choice(("〇", "零"))
        return _some(rng, _ZERO_NODE_RE, text, lambda m: f">{m.group(1)}{zero}{m.group(2)}<", rng.randint(1, 30))
    unit = rng.choice(_COUNT_UNITS)                                                   # count-unit
    return _some(rng, _NUMBER_NODE_RE, text, lambda m: f">{m.group(1)}{m.group(2)}{unit}{m.group(3)}<",
                 rng.randint(1, 30))


def _text_shape(rng: random.Random, text: str, how: str) -> str:
    if how == "glued-row":
        return _some(rng, _TEXT_ROW_RE, text, lambda m: _glue_numbers(rng, m), rng.randint(1, 12))
    if how == "blank-zero":
        return _some(rng, _TEXT_LONE_ZERO_RE, text, lambda m: "", rng.randint(1, 20))
    if how == "full-width":
        return _TEXT_NUMBER_RE.sub(lambda m: _full_width(m.group()), text)
    if how == "thousands":
        sep = rng.choice((",", "，"))
        return _some(rng, _TEXT_NUMBER_RE, text, lambda m: _thousands(m, m.group(), sep), None)
    if how == "chinese-zero":
        zero = rng.choice(("〇", "零"))
        return _some(rng, _TEXT_ZERO_RE, text, lambda m: zero, rng.randint(1, 30))
    if how == "text-twice":
        return text + "\n" + text
    unit = rng.choice(_COUNT_UNITS)                                                   # count-unit
    return _some(rng, _TEXT_COUNT_RE, text, lambda m: m.group() + unit, rng.randint(1, 30))


HTML_SHAPES = ("unclosed-td", "unclosed-tr", "stray-table-end", "duplicated-row", "table-twice", "nbsp-br-around",
               "split-number", "full-width", "thousands", "chinese-zero", "count-unit", "hidden-in-cell",
               "nested-cells", "blank-zero")
TEXT_SHAPES = ("full-width", "thousands", "chinese-zero", "text-twice", "count-unit", "glued-row", "blank-zero")
# Shapes that leave the document whole: it must still be read.
WHOLE_SHAPES = frozenset(("unclosed-td", "unclosed-tr", "table-twice", "nbsp-br-around", "full-width", "thousands",
                          "text-twice", "hidden-in-cell"))


def shape(rng: random.Random, src: Source, only: tuple[str, ...] = ()) -> tuple[str, str]:
    """(shape name, the source's text in that shape); ``only``: among these shapes."""
    shapes = HTML_SHAPES if src.form == "html" else TEXT_SHAPES
    how = rng.choice([s for s in shapes if s in only] if only else shapes)
    if src.form == "html":
        return how, _html_shape(rng, src.text, how)
    return how, _text_shape(rng, src.text, how)


@dataclass
class Case:
    label: str
    form: str
    data: bytes | str
    said: str                               # text the input holds, for the number oracle
    kwargs: dict = field(default_factory=dict)
    whole: bool = False                     # an undamaged document (re-encoded): must be read
    clean: Source | None = None             # a shape's undamaged source: its values may not move


def cases(n: int, seed: int = 20240901, shapes: tuple[str, ...] = ()) -> list[Case]:
    """A fixed-seed sample of n mutated inputs, spread over the forms and mutations; ``shapes``:
    only text and HTML inputs, each in one of these shapes."""
    rng = random.Random(seed)
    pool = sources()
    by_form = {form: [s for s in pool if s.form == form] for form in ("text", "html", "pdf", "docx")}
    plan = [("text", 0.35), ("html", 0.25), ("pdf", 0.2), ("docx", 0.2)]
    if shapes:
        forms = [form for form, names in (("text", TEXT_SHAPES), ("html", HTML_SHAPES)) if set(shapes) & set(names)]
        plan = [(form, 1 / len(forms)) for form in forms]
    out: list[Case] = []
    for form, share in plan:
        for k in range(round(n * share)):
            src = rng.choice(by_form[form])
            out.append(_mutate(rng, src, k, shapes))
    return out[:n]


def _mutate(rng: random.Random, src: Source, k: int, shapes: tuple[str, ...] = ()) -> Case:
    kwargs = {"filename": src.name} if rng.random() < 0.5 else {}
    if src.form in ("text", "html"):
        how = "shape" if shapes else rng.choice(("flip", "truncate", "lines", "digits", "encoding", "str", "shape"))
        if how == "encoding":
            data = reencode(rng, src.data.decode("utf-8"))
            return Case(f"{src.name}:{how}:{k}", src.form, data, src.text, kwargs, whole=True)
        if how == "shape":
            name, text = shape(rng, src, shapes)
            return Case(f"{src.name}:{name}:{k}", src.form, text.encode("utf-8"), src.text, kwargs,
                        whole=name in WHOLE_SHAPES, clean=src)
        elif how == "str":          # parse_report also takes str
            data = lines(rng, src.data).decode("utf-8", "replace")
        else:
            data = {"flip": flip, "truncate": truncate, "lines": lines, "digits": digits}[how](rng, src.data)
        return Case(f"{src.name}:{how}:{k}", src.form, data, src.text, kwargs)
    # (re-rendering an edited source costs 0.1-0.3 s: one input in four)
    how = rng.choice(("flip", "flip", "truncate", "truncate", "source", "source+flip")
                     + (("zipfield",) * 2 if src.form == "docx" else ()))
    said = src.text
    data = src.data
    if how.startswith("source"):
        data, said = edit_sample(rng, src.sample, src.form)
    if how in ("flip", "source+flip"):
        data = flip(rng, data)
    elif how == "truncate":
        data = truncate(rng, data)
    elif how == "zipfield":
        data = zip_field(rng, data)
    return Case(f"{src.name}:{how}:{k}", src.form, data, said, kwargs)


# ------------------------------------------------------------------------------ the oracle

# A tag as an HTML tokenizer reads it: "<" or "</", a letter, up to the next ">" ("<" included).
_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
_TAG_NAME_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:[\t\n\f\r /]|>$)")


def _as_shown(tag: re.Match) -> str:
    """A real element's tag parts the text around it; a tag with a broken name is ignored, so
    the text on both sides runs together (``<td>202</td\ufffd<td>0`` shows 2020; so does
    ``</td\\x1c<td>``: HTML's whitespace is tab, LF, FF, CR and space, not Python's ``\\s``)."""
    return " " if _TAG_NAME_RE.match(tag.group()) else ""
_NUMBER_RE = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_SCALES = (Decimal(1), Decimal(10_000), Decimal(100_000_000))


def numbers_in(text: str) -> set[Decimal]:
    text = unicodedata.normalize("NFKC", text)
    found = set()
    for token in _NUMBER_RE.findall(text):
        try:
            found.add(Decimal(token.replace(",", "")))
        except InvalidOperation:
            continue
    return found


def document_text(case: Case) -> str:
    """What the input itself says, read without the parser: every plausible decoding of the
    bytes; PDF text by PDFium; a DOCX's document.xml."""
    data = case.data
    if isinstance(data, str):
        return data
    if case.form == "pdf":
        try:
            import pypdfium2 as pdfium
            doc = pdfium.PdfDocument(data)
            return "\n".join(doc[i].get_textpage().get_text_range() for i in range(min(len(doc), 300)))
        except Exception:   # noqa: BLE001 - unreadable for PDFium too: the source text stands
            return ""
    if case.form == "docx":
        try:
            with zipfile.ZipFile(BytesIO(data)) as z:
                xml = z.read("word/document.xml").decode("utf-8", "replace")
            return " ".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)) + "\n" + xml
        except Exception:   # noqa: BLE001
            return ""
    texts = [data.decode(enc, "replace") for enc in ("utf-8", "gb18030", "utf-16", "big5")]
    if case.form == "html":     # as a browser shows it: whole tags part cells, a broken one vanishes
        texts += [_TAG_RE.sub(_as_shown, t) for t in texts[:2]]
    return "\n".join(texts)


def invented(tables: dict, known: set[Decimal]) -> list[str]:
    """Table values no number of the input accounts for (in the scalings 1, 万, 亿)."""
    out = []
    for path, value in _leaves(tables):
        if value is None or isinstance(value, bool):
            continue
        d = abs(Decimal(str(value)))
        if not any(d / s in known or d * s in known for s in _SCALES):
            out.append(f"{path}={value}")
    return out


def _leaves(node, path=""):
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _leaves(value, f"{path}.{key}" if path else key)
        else:
            yield (f"{path}.{key}" if path else key), value


def malformed(record) -> str | None:
    if not isinstance(record, dict) or set(record) != RECORD_KEYS:
        return "record keys"
    if not isinstance(record["errors"], list) or not all(isinstance(e, str) for e in record["errors"]):
        return "errors not a list of strings"
    if not isinstance(record["tables"], dict) or not isinstance(record["missing_tables"], dict):
        return "tables not dicts"
    for path, value in _leaves(record["tables"]):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return f"non-number {path}={value!r}"
    try:
        json.dumps(record, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        return f"not JSON-storable ({exc})"
    return None


# ------------------------------------------------------------------------------ running

@dataclass
class Outcome:
    label: str
    kind: str       # record | unreadable | crash | hang | malformed | invented | moved | lost
    detail: str = ""


def check(runner: ChildRunner, case: Case) -> Outcome:
    try:
        record = runner.run(parse_report, case.data, timeout=DEADLINE, **case.kwargs)
    except UnreadableDocument as exc:
        if not str(exc) or "\n" in str(exc):
            return Outcome(case.label, "malformed", f"error message {str(exc)!r}")
        return Outcome(case.label, "lost" if case.whole else "unreadable", str(exc))
    except RunTimeout as exc:
        return Outcome(case.label, "hang", str(exc))
    except ChildDied as exc:
        return Outcome(case.label, "crash", str(exc))
    except BaseException as exc:  # noqa: BLE001 - MemoryError included: every escape is a crash
        return Outcome(case.label, "crash", f"{type(exc).__name__}: {str(exc)[:200]}")
    problem = malformed(record)
    if problem:
        return Outcome(case.label, "malformed", problem)
    made_up = invented(record["tables"], numbers_in(case.said) | numbers_in(document_text(case)))
    if made_up:
        return Outcome(case.label, "invented", ", ".join(made_up[:5]))
    if case.clean is not None:
        undamaged = _clean_values(runner, case.clean, case.kwargs)
        elsewhere = [f"{path}={value} (undamaged: {undamaged.get(path)})" for path, value in _leaves(record["tables"])
                     if value is not None and value != undamaged.get(path)]
        if elsewhere:
            return Outcome(case.label, "moved", ", ".join(elsewhere[:5]))
    return Outcome(case.label, "record")


_CLEAN: dict = {}


def _clean_values(runner: ChildRunner, src: Source, kwargs: dict) -> dict:
    """The table values of the undamaged source's record, by path (parsed once per source)."""
    key = (src.name, tuple(sorted(kwargs.items())))
    if key not in _CLEAN:
        _CLEAN[key] = dict(_leaves(runner.run(parse_report, src.data, timeout=DEADLINE, **kwargs)["tables"]))
    return _CLEAN[key]


def run_cases(case_list: list[Case]) -> list[Outcome]:
    with ChildRunner(memory_limit=MEMORY_LIMIT) as runner:
        return [check(runner, case) for case in case_list]


def summary(outcomes: list[Outcome]) -> dict:
    kinds = [o.kind for o in outcomes]
    return {"inputs": len(outcomes), **{k: kinds.count(k) for k in
                                        ("record", "unreadable", "crash", "hang", "malformed", "invented",
                                         "moved", "lost")}}


if __name__ == "__main__":
    import argparse
    import time
    parser = argparse.ArgumentParser(prog="python -m tests.fuzzing",
                                     description="parse N mutated corpus reports; print the bad outcomes and a summary")
    parser.add_argument("n", type=int, nargs="?", default=300, help="how many inputs (default 300)")
    parser.add_argument("seed", type=int, nargs="?", default=20240901, help="the sample's seed")
    parser.add_argument("--shapes", default="", metavar="A,B",
                        help="only text and HTML inputs in these shapes: " + ", ".join(dict.fromkeys(HTML_SHAPES + TEXT_SHAPES)))
    args = parser.parse_args()
    only = tuple(filter(None, args.shapes.split(",")))
    unknown = set(only) - set(HTML_SHAPES + TEXT_SHAPES)
    if unknown:
        parser.error(f"unknown shapes: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    results = run_cases(cases(args.n, args.seed, only))
    bad = [o for o in results if o.kind not in ("record", "unreadable")]
    for o in bad:
        print(f"{o.kind:9} {o.label}: {o.detail}")
    print(json.dumps(summary(results)), f"{time.monotonic() - started:.0f} s")
    sys.exit(1 if bad else 0)
