"""Row and column labels of the three national tables, as regexes.

All patterns run over *normalised* label text with whitespace removed (``本年新\\n公开数量``
→ ``本年新公开数量``), and are deliberately keyword-based: numbering (``(一)``, ``1.``,
``1、``) is often missing or garbled, and PDF extraction glues neighbouring cells together.
When several rows match one label, the match that ends last wins (the text nearest to the
numbers), so keep patterns specific to their row.
"""
from __future__ import annotations

import re

from gicrawler import template

# ---------------------------------------------------------------- section headings
# A heading is the keyword preceded by its numeral (二、 / 二,、 / 二. …), or the bare
# keyword at the start of a line. The keyword is searched first (literal prefix: fast).
_SEP = r"[、,.,:\s]*"
SECTION_KEYWORDS = {
    "active": re.compile(r"主动公开政府信息(?:情况)?"),
    "applications": re.compile(r"收到和处理政府信息公开(?:申请)?(?:情况)?"),
    "review_litigation": re.compile(
        r"政府信息公开(?:申请)?(?:工作)?(?:被申请)?行政复议[、,和及与]*(?:提起)?行政诉讼(?:情况)?"),
}
# What may stand between the numeral and the keyword; checked backwards from the keyword.
HEADING_PREFIX = re.compile(r"(?:^|[^(\d第])([二三四])[、,.,:\s]{0,4}因?$")
LINE_START = re.compile(r"(?:^|\n)[ \t]*$")
# Where the table region starts when the heading is missing altogether.
SECTION_FALLBACK = {
    "active": re.compile(r"第二十条\s*第\s*\(一\)\s*项"),
    "applications": re.compile(r"勾稽关系|本年新收政府信息公开申请"),
    "review_litigation": re.compile(r"行政复议[\s|]*行政诉讼"),
}
# Where the table itself starts inside its section (prose before it is skipped).
TABLE_START = {
    "active": re.compile(r"第二十条|信息内容"),
    "applications": re.compile(r"勾稽关系|申请人情况|自然人"),
    "review_litigation": re.compile(r"行政复议"),
}
# End of section 四 (start of 五 or 六).
SECTION_END = re.compile(r"(?:^|\n|\s)[五六]" + _SEP + r"[^\n]{0,8}(?:问题|改进|其他需要|需要报告)"
                         r"|存在的主要问题|其他需要报告的事项")
SECTION_NUMERALS = {"active": "二", "applications": "三", "review_litigation": "四"}

# ---------------------------------------------------------------- table A
# Rows, columns and their patterns are declared in gicrawler/template.py; these are its views.
A_ROWS = {row.key: re.compile(row.pattern) for row in template.ACTIVE_ROWS}
A_COLUMNS = {year: template.active_columns(year) for year in ("2021", "2019")}
# Header / row words only one template uses. Counted over table A's label text.
A_MARKERS_2019 = re.compile(r"新制作|新公开|对外公开总|上一年项目|增/?减|采购项目|采购总金额|对外管理服务|集中采购")
A_MARKERS_2021 = re.compile(r"制发件数|废止件数|现行有效|本年(?:处理决定|决定处理)|收费金额")
PROCUREMENT_IN_10K = re.compile(r"采购总?金额[^\d]{0,8}万")

# ---------------------------------------------------------------- table B
APPLICANT_COLUMNS = template.APPLICANT_COLUMNS
APPLICANT_HEADERS = {c.key: re.compile(c.pattern) for c in template.APPLICANT_COLUMNS_DECLARED}


def _anywhere(column_pattern: str) -> re.Pattern:
    """A header cell's pattern (anchored to the whole cell) found anywhere in a label text: a
    header row's cells are one block label."""
    return re.compile(column_pattern.removeprefix("^").removesuffix("$"))


# The 总计 column's header in a label text.
B_TOTAL_HEADER = _anywhere(APPLICANT_HEADERS["total"].pattern)
B_ROWS = {year: template.application_rows(year) for year in ("2019", "2021")}
# In printed order: one combined regex tries them in this order at each position.
B_PATTERNS = [(row.key, re.compile(row.pattern)) for row in template.APPLICATION_ROWS]
B_MARKERS_2021 = re.compile(r"不补正|缴纳费用|收费通知")

# ---------------------------------------------------------------- table C
C_GROUPS = template.REVIEW_GROUP_KEYS
C_COLUMNS = template.REVIEW_COLUMNS
# The 总计 header in a label text.
C_TOTAL_HEADER = _anywhere(next(c.pattern for c in template.REVIEW_COLUMNS_DECLARED if c.key == "total"))
# Row labels when a table C is printed one row per group (checked in this order; the
# last label in a row wins, hence the end anchor).
C_GROUP_LABELS = tuple((g.key, re.compile(g.pattern)) for g in reversed(template.REVIEW_GROUPS))

# ---------------------------------------------------------------- grid classification
KIND_MARKERS = {
    "active": re.compile(r"第二十条|信息内容|规章|规范性文件|行政许可|行政处罚|行政强制|事业性收费|集中采购"),
    "applications": re.compile(r"本年新收|上年结转|予以公开|部分公开|不予公开|无法提供|不予处理|"
                               r"国家秘密|不掌握|重复申请|结转下年|自然人|商业企业"),
    "review_litigation": re.compile(r"行政复议|行政诉讼|结果维持|结果纠正|尚未审结|复议后起诉"),
}


_COMBINED: dict = {}


def row_matches(patterns, label: str):
    """(key, end) pairs of the row patterns found in ``label`` (whitespace-free); for a key
    found several times, its last match. One combined regex scan (patterns are disjoint)."""
    combined = _COMBINED.get(id(patterns))
    if combined is None:
        keys = [k for k, _ in patterns]
        rx = re.compile("|".join(f"(?P<g{i}>{p.pattern})" for i, (_, p) in enumerate(patterns)))
        combined = _COMBINED[id(patterns)] = (rx, keys)
    rx, keys = combined
    found = {}
    for m in rx.finditer(label):
        found[keys[int(m.lastgroup[1:])]] = m.end()
    return list(found.items())
