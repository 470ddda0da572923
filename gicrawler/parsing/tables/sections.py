"""Where the tables are: the regions of sections 二/三/四 of a report's text, and the page marks
(``- 3 -``, ``第 3 页``) dropped before it is read.

``find_sections`` and ``drop_page_marks`` try their regexes only where they can match (found
with ``str.find``): scanning every position of a long CJK text was the slowest step of
``extract_tables`` (tests/test_parsing_shortcuts.py shows they equal the plain versions).
"""
from __future__ import annotations

import re

from gicrawler.parsing import labels
from gicrawler.template import TABLE_KEYS

_PAGE_MARK_RE = re.compile(r"(?m)^[ \t]*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,/]?\s*共\s*\d+\s*页)?)[ \t]*$")
# Where a page mark's first visible character can be: a dash or 第 before a digit.
_PAGE_MARK_HINT_RE = re.compile(r"[-—–第]\s*\d")
_VISIBLE_RE = re.compile(r"[^ \t]")


def drop_page_marks(text: str) -> str:
    """``_PAGE_MARK_RE.sub("", text)``, trying the pattern only at the start of lines whose
    first visible character is a hint (the (?m)^ pattern scans every position otherwise).
    Linear: line starts and first visible characters are found once per line."""
    hints = positions(text, "-—–第")
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
            m = labels.SECTION_FALLBACK[key].search(text)
            if not m:
                continue
            spans = [(m.start(), m.start())]
        out[key] = [(heading, body, next(b for b in bounds if b > start and b >= body))
                    for start, body in spans[:4]]
    return out


def positions(text: str, chars: str) -> list[int] | None:
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
    """Where ``labels.SECTION_END.finditer(text)`` matches start, found faster: a match can only
    begin at 五/六 (or the whitespace before it), 存 or 其, so the pattern is tried at those
    positions only (scanning every position was the slowest step of extract_tables).
    Same leftmost, non-overlapping order as finditer."""
    hints = positions(text, "五六存其")
    if hints is None:
        return [m.start() for m in labels.SECTION_END.finditer(text)]
    starts = []
    pos = 0
    match = labels.SECTION_END.match
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
    numeral = labels.SECTION_NUMERALS[key]
    for m in labels.SECTION_KEYWORDS[key].finditer(text):
        before = text[max(0, m.start() - 8):m.start()]
        p = labels.HEADING_PREFIX.search(before)
        if p and p.group(1) == numeral:
            numbered.append((m.start() - (len(before) - p.start(1)), m.end()))
        elif labels.LINE_START.search(text[max(0, m.start() - 40):m.start()]):
            bare.append((m.start(), m.end()))
    return numbered + bare
