"""The six sections of a report's text (一、总体情况 … 六、其他需要报告的事项), for the checks.

A heading is its numeral, a separator (``、`` ``,、`` ``.`` ``：`` or a space), at most 16
characters, then a keyword of that section; it starts the text, a line, or follows a space or a
sentence end (some pages run the headings into the prose: ``如下: 一、总体情况 2023年…``). The
numbered rows of table B (``一、本年新收…``, ``四、结转下年度继续办理``) carry no section keyword,
and a numeral in brackets (``（一）``, ``第二十条第（一）项``) is a sub-heading, not a section. A
heading followed closely by the next one is a table of contents, not the section.
"""
from __future__ import annotations

import re
from typing import NamedTuple

NUMERALS = "一二三四五六"
KEYWORDS = {
    "一": r"总体情况|总体概况|基本情况|概述",
    "二": r"主动公开",
    "三": r"收到和处理|收到.{0,2}处理|依申请公开|政府信息公开申请",
    "四": r"行政复议|行政诉讼",
    "五": r"存在的?(?:主要)?问题|问题(?:及|和|与)(?:其)?改进|改进(?:情况|措施)",
    "六": r"其他需要报告|其他(?:需要)?报告的?事项|其他事项|需要报告的",
}
# A heading without its numeral is recognised only as a line holding the section's whole title.
TITLES = {
    "一": r"总体情况",
    "二": r"主动公开政府信息(?:情况)?",
    "三": r"收到和处理政府信息公开申请(?:情况)?",
    "四": r"(?:因)?政府信息公开(?:工作)?(?:被申请)?行政复议[、,，和及]*(?:提起)?行政诉讼(?:情况)?",
    "五": r"(?:政府信息公开工作)?存在的主要问题(?:及|和)改进情况",
    "六": r"其他需要报告的事项",
}
_HEADING_RES = {n: re.compile(r"(?:^|(?<=[\s。；;:：]))" + n + r"[、,.，．:：\s]{1,3}[^\n。；;]{0,16}?(?:" + kw + ")"
                              r"|^[ \t]*(?:" + TITLES[n] + r")[ \t]*$", re.M)
                for n, kw in KEYWORDS.items()}
# The two branches of _HEADING_RES[n] apart, for find_sections: the numbered heading written to
# begin with its numeral (the same match, but a literal first character lets the regex engine
# jump from one numeral to the next instead of trying every position), and the title lines of
# all six sections in one pattern (one pass over the text; a line is at most one title).
_NUMBERED_RES = {n: re.compile(n + r"(?:(?<=^" + n + r")|(?<=[\s。；;:：]" + n + r"))[、,.，．:：\s]{1,3}"
                               r"[^\n。；;]{0,16}?(?:" + kw + ")", re.M)
                 for n, kw in KEYWORDS.items()}
_TITLE_LINES_RE = re.compile(r"^[ \t]*(?:" + "|".join(f"(?P<n{i}>{TITLES[n]})" for i, n in enumerate(NUMERALS))
                             + r")[ \t]*$", re.M)
# Where a title line may start: a line break and the start of a title (a literal first
# character lets the regex engine jump between line breaks; a ^ pattern tries every position).
_TITLE_HINT_RE = re.compile(r"\n[ \t]*(?:" + "|".join(f"(?:{TITLES[n]})" for n in NUMERALS) + ")")
TOC_SPAN = 30          # a heading with another one this close after it is a table of contents entry

# What an empty section 五 says: nothing, or only "none".
_PUNCT_RE = re.compile(r"[\s\W_]+")
_NOTHING_RE = re.compile(r"^(?:本年度?|今年|\d{4}年度?)?(?:暂)?(?:无|没有|不存在|未发现|不涉及)(?:相关|明显|主要|其他)?"
                         r"(?:问题|情况|内容|事项)?$")


class Section(NamedTuple):         # (a NamedTuple: a quarter of a frozen dataclass's cost to make)
    numeral: str
    start: int          # where its heading starts
    body: int           # where its text starts (after the heading's line)
    end: int            # where the next section's heading starts (or the text's end)

    def text(self, full: str) -> str:
        return full[self.body:self.end]


def _is_toc(text: str, m: re.Match) -> bool:
    """Another heading (any of _HEADING_RES) within TOC_SPAN after ``m`` on its line. The window
    is a piece of one line, so a heading there is a numbered one or the whole piece a title:
    each numeral's pattern (for the numerals the window holds) and the title-line pattern."""
    line_end = text.find("\n", m.end())
    window = text[m.end():m.end() + TOC_SPAN if line_end < 0 else min(line_end, m.end() + TOC_SPAN)]
    for numeral in NUMERALS:
        if numeral in window and _NUMBERED_RES[numeral].search(window):
            return True
    return _TITLE_LINES_RE.match(window) is not None


def _body_start(text: str, m: re.Match) -> int:
    """The end of the heading's own line when the line is short (a heading line); else right
    after the keyword (a heading run into the prose)."""
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end < 0 else line_end
    return line_end if line_end - m.end() <= 12 else m.end()


def find_sections(text: str) -> dict[str, Section]:
    """numeral → Section for each section heading found, in order: each one is the first
    heading of its numeral after the previous section found (so a repeated keyword later in
    the text does not move a section)."""
    found: dict[str, tuple[int, int]] = {}
    titles: dict[str, list[re.Match]] = {n: [] for n in NUMERALS}
    for m in _title_lines(text):
        titles[NUMERALS[int(m.lastgroup[1:])]].append(m)
    pos = 0
    for numeral in NUMERALS:
        m = _first_heading(text, numeral, pos, titles[numeral])
        if m is not None:
            found[numeral] = (m.start(), _body_start(text, m))
            pos = m.end()
    starts = sorted(s for s, _ in found.values())
    out: dict[str, Section] = {}
    for numeral, (start, body) in found.items():
        end = next((s for s in starts if s > start), len(text))
        out[numeral] = Section(numeral, start, min(body, end), end)
    return out


def _title_lines(text: str) -> list[re.Match]:
    """``list(_TITLE_LINES_RE.finditer(text))``, trying the pattern only at the start of the text
    and of the lines _TITLE_HINT_RE points at (a title line is one line: matches cannot overlap)."""
    found = []
    m = _TITLE_LINES_RE.match(text)
    if m:
        found.append(m)
    for hint in _TITLE_HINT_RE.finditer(text):
        m = _TITLE_LINES_RE.match(text, hint.start() + 1)
        if m:
            found.append(m)
    return found


def _first_heading(text: str, numeral: str, pos: int, titles: list[re.Match]) -> re.Match | None:
    """The first match of ``_HEADING_RES[numeral].finditer(text, pos)`` that is not a table of
    contents entry, from its two branches apart: at each step the leftmost of the next numbered
    heading and the next title line (the numbered one where both start, as the alternation
    tries it first), and on from the end of a table of contents entry, as finditer goes on."""
    numbered = _NUMBERED_RES[numeral]
    i = 0
    while True:
        m = numbered.search(text, pos)
        while i < len(titles) and titles[i].start() < pos:
            i += 1
        t = titles[i] if i < len(titles) else None
        if t is not None and (m is None or t.start() < m.start()):
            m = t
        if m is None:
            return None
        if not _is_toc(text, m):
            return m
        pos = m.end()


def is_empty(section_text: str) -> bool:
    """Nothing in it but punctuation, or only 无 / 暂无 / 没有问题 …"""
    bare = _PUNCT_RE.sub("", section_text)
    return not bare or bool(_NOTHING_RE.match(bare))
