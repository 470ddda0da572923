"""Metadata block of a report page: labels, dates, titles; agency and year of the report.

Pure string functions; ``gicrawler.loaders`` wires them into an ItemLoader. The lines they
read are "label: value" lines and table rows rendered as ``a | b | c`` (see html.walk), so the
four layouts of docs/families.md (The metadata block) (label|value cells, both in one cell, <li> lists,
several labels on one line) all look the same here.
"""
from __future__ import annotations

import datetime
import re

from .html import CJK_GAP_RE

# record key → labels, in priority order (the first label found wins for that key).
LABELS: dict[str, tuple[str, ...]] = {
    "title": ("标题", "信息名称", "文件名称", "文章标题"),
    "index_number": ("索引号",),
    "document_number": ("发文字号", "文号", "文件编号", "发文文号"),
    "published": ("发布日期", "发布时间", "公开日期", "日期", "时间", "发文日期", "生成日期", "印发日期", "成文日期"),
    "publisher": ("发布机构", "发文机关", "发文机构", "发布单位", "公开主体", "信息来源", "来源"),
    "category": ("主题分类", "组配分类", "信息分类", "分类"),
}
# The article header line under the title (平潭 ``来源：平潭县人民政府 时间：2014-02-25 00:00``,
# 甘肃 ``日期：2025-02-26 11:54 来源：``): labels too short to trust without a colon right after
# them, and never valued from the next line (an empty ``来源：`` is no publisher). What the page
# prints under its title beats the <meta> tags, which may carry the page-generation time.
HEADER_LABELS = frozenset({"来源", "时间", "日期"})
# Labels we don't store but that end the value before them.
_OTHER_LABELS = ("有效性", "统一编号", "体裁分类", "关键词", "主题词", "效力状态", "时效性", "服务对象",
                 "所属主题", "浏览次数", "访问量", "字号", "生效日期", "废止日期", "公文种类")
_LABEL_KEY = {label: key for key, labels in LABELS.items() for label in labels}


def _padded(label: str) -> str:
    return r"[ \t]*".join(map(re.escape, label))


_ALL_LABELS = sorted(set(_LABEL_KEY) | set(_OTHER_LABELS), key=len, reverse=True)
_LABEL_RE = re.compile(
    r"(?:^|(?<=[\s|:;,，；、]))(?P<label>" + "|".join(_padded(lb) for lb in _ALL_LABELS) + r")"
    r"(?P<sep>[ \t]*(?::|：)[ \t]*\|?|[ \t]*\|[ \t]*|[ \t]+|$)?"
)
_LABEL_HINT_RE = re.compile("[" + "".join(sorted({lb[0] for lb in _ALL_LABELS})) + "]")
# A separator (_LABEL_RE's look-behind) followed by a label's first character.
_LABEL_AFTER_SEP_RE = re.compile(r"[\s|:;,，；、]" + _LABEL_HINT_RE.pattern)
MAX_LABEL_LINE = 300

_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
# What a label block prints for "none" (文号：无, 主题分类：/ …), lower-cased: no value.
PLACEHOLDERS = frozenset({"无", "暂无", "/", "-", "—", "空", "none", "null"})
_NO_DOCNO_RE = re.compile(r"^(?:无文号|[\[〔【(（]?\s*[\]〕】)）]?\s*号?)$")   # … and a 文号's own blanks
_YEAR_IN_TITLE_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_TITLE_LINE_RE = re.compile(r"(?:19|20)\d{2}")     # search: a year somewhere; match: title starts with it
_BODY_YEAR_RES = (
    re.compile(r"统计(?:期限|时限|数据时限|期间|区间|时间)[^。\n]{0,12}?((?:19|20)\d{2})"),
    re.compile(r"((?:19|20)\d{2})\s*年度?[^。\n,，;；]{0,30}?政府信息公开(?:工作)?年度报告"),
)


def fold(s: str) -> str:
    """Collapse whitespace; drop it between two CJK characters (wrapped titles, padded cells)."""
    s = " ".join(s.split())
    return CJK_GAP_RE.sub("", s) if " " in s else s


def label_values(lines) -> dict[str, list[str]]:
    """{label → [values in document order]} from metadata lines (already normalised)."""
    found: dict[str, list[str]] = {}
    lines = list(lines)
    for n, line in enumerate(lines):
        hint = _LABEL_HINT_RE.search(line) if len(line) <= MAX_LABEL_LINE else None
        if hint is None:
            continue
        matches = _label_matches(line, hint.start())
        for i, m in enumerate(matches):
            label = m.group("label").replace(" ", "").replace("\t", "")   # (a padded label)
            if label not in _LABEL_KEY:
                continue
            sep = m.group("sep")
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            value = line[m.end():end]
            if not sep and (len(label) < 3 or m.start() > 0):
                continue          # "分类推进…" in prose is not a label
            header = label in HEADER_LABELS
            if header and not (sep and (":" in sep or "：" in sep)):
                continue
            value = value.split("|", 1)[0].strip(" \t|:：")
            if not value and not header and i + 1 == len(matches) and n + 1 < len(lines):
                # <dt>label</dt><dd>value</dd>: the value is the next line.
                nxt = lines[n + 1].strip(" |")
                if nxt and len(nxt) < 120 and not _LABEL_RE.match(nxt):
                    value = nxt.split("|", 1)[0].strip()
            if value:
                found.setdefault(label, []).append(value)
    return found


def _label_matches(line: str, first: int = 0) -> list[re.Match]:
    """``list(_LABEL_RE.finditer(line))``, but the pattern is tried only where it can match:
    a label's first character at the line's start or after a separator (the look-behind).
    Trying every position cost ~10 µs a line. ``first``: where the line's first label
    character is, when the caller knows (no label starts before it)."""
    out = []
    pos = 0
    match = _LABEL_RE.match
    if first == 0 and _LABEL_HINT_RE.match(line):
        m = match(line, 0)
        if m:
            out.append(m)
            pos = m.end()
    for hint in _LABEL_AFTER_SEP_RE.finditer(line, max(pos - 1, first - 1, 0)):   # a sep may end a match
        p = hint.start() + 1
        if p < pos:
            continue
        m = match(line, p)
        if m:
            out.append(m)
            pos = m.end()
    return out


def parse_date(value: str | None) -> str | None:
    """`2024-01-29`, `2024年01月29日`, `2024-01-29 10:21`, `2024/1/29` → ISO date; else None."""
    if not value:
        return None
    m = _DATE_RE.search(value)
    if not m:
        return None
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def is_placeholder(value: str) -> bool:
    return value.lower() in PLACEHOLDERS


def clean_document_number(value: str | None) -> str | None:
    if value is None:
        return None
    value = fold(value)
    if not value or is_placeholder(value) or _NO_DOCNO_RE.match(value):
        return None
    return value


_TITLE_GAP_RE = re.compile(r"(?<=[\u3400-\u9fff\d])\s+(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])\s+(?=\d)")
_AGENCY_LINE_RE = re.compile(r"^[\u3400-\u9fff()（）]{2,30}(?:政府|局|委员会|委|办公室|办|厅|院|中心|处|署|会|部|所|站|队|馆|公司)$")


def clean_title(value: str | None) -> str | None:
    """Fold whitespace; drop it between CJK characters and between CJK and digits
    (PDF text pads numbers: ``2024 年`` → ``2024年``)."""
    if not value:
        return None
    value = " ".join(value.split()).strip(" |:")
    if " " in value:
        value = _TITLE_GAP_RE.sub("", value)
    return value or None


def title_from_html_title(value: str | None) -> str | None:
    """`<title>` is often 站名 栏目 标题 or 标题_站名: take the segment that names a report."""
    if not value:
        return None
    segments = [s.strip() for s in re.split(r"\s*(?:_|\||｜|--|—|-\s|\s-|>>|»)\s*", value) if s.strip()]
    for seg in segments:
        if "报告" in seg or "報告" in seg:
            return seg
    return segments[-1] if segments else None


def title_from_lines(lines, limit: int = 200) -> str | None:
    """A short line naming a report with a year; a title wrapped over two lines is joined."""
    lines = [ln.strip(" |") for ln in lines[:limit]]
    for i, line in enumerate(lines):
        if not line or len(line) > 80 or "。" in line or "," in line or "，" in line:
            continue
        if not _TITLE_LINE_RE.search(line):
            continue
        if "报告" in line and ("年度" in line or "工作" in line):
            if _TITLE_LINE_RE.match(line) and i and _AGENCY_LINE_RE.match(lines[i - 1].replace(" ", "")):
                line = lines[i - 1] + line       # "洪泽区人民政府" / "2024 年政府信息公开工作年度报告"
            return clean_title(line)
        if "政府信息公开" in line and i + 1 < len(lines):
            nxt = lines[i + 1]
            if nxt.endswith("报告") and len(nxt) <= 30:
                return clean_title(line + nxt)
    return None


def derive_agency(publisher: str | None, title: str | None) -> str | None:
    if publisher:
        return publisher
    if title:
        m = _YEAR_IN_TITLE_RE.search(title)
        if m:
            agency = title[:m.start()].strip(" 《(（关于")
            return agency or None
    return None


def derive_year(title: str | None, text: str | None, published: str | None) -> int | None:
    """The year the report covers: title; else body (统计期限, `2023年度…年度报告`); else the
    publication year − 1 (reports appear by 31 January of the following year)."""
    if title:
        m = _YEAR_IN_TITLE_RE.search(title)
        if m:
            return int(m.group(1))
    if text:
        head = text[:20000]
        for rx in _BODY_YEAR_RES:
            m = rx.search(head)
            if m:
                return int(m.group(1))
    if published:
        return int(published[:4]) - 1
    return None
