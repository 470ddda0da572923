"""Row and column labels of the three national tables, as regexes.

All patterns run over *normalised* label text with whitespace removed (``本年新\\n公开数量``
→ ``本年新公开数量``), and are deliberately keyword-based: numbering (``(一)``, ``1.``,
``1、``) is often missing or garbled, and PDF extraction glues neighbouring cells together.
When several rows match one label, the match that ends last wins (the text nearest to the
numbers), so keep patterns specific to their row.
"""
from __future__ import annotations

import re

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
A_ROWS = {
    "regulations": re.compile(r"规章"),
    "normative_documents": re.compile(r"规范性(?:文件|档案)"),   # 档案: zh-TW mirrors' 文件
    "licensing": re.compile(r"行政许可"),
    "other_services": re.compile(r"对外管理服务"),
    "punishment": re.compile(r"行政处罚"),
    "enforcement": re.compile(r"行政强制"),
    "fees": re.compile(r"事业性收费"),
    "procurement": re.compile(r"集中采购"),
}
A_COLUMNS = {
    "2021": {
        "regulations": ("issued", "repealed", "in_force"),
        "normative_documents": ("issued", "repealed", "in_force"),
        "licensing": ("decisions",),
        "punishment": ("decisions",),
        "enforcement": ("decisions",),
        "fees": ("amount_10k_yuan",),
    },
    "2019": {
        "regulations": ("made", "published", "public_total"),
        "normative_documents": ("made", "published", "public_total"),
        "licensing": ("prior_items", "change", "decisions"),
        "other_services": ("prior_items", "change", "decisions"),
        "punishment": ("prior_items", "change", "decisions"),
        "enforcement": ("prior_items", "change", "decisions"),
        "fees": ("prior_items", "change"),
        "procurement": ("projects", "amount_yuan"),
    },
}
# Header / row words only one template uses. Counted over table A's label text.
A_MARKERS_2019 = re.compile(r"新制作|新公开|对外公开总|上一年项目|增/?减|采购项目|采购总金额|对外管理服务|集中采购")
A_MARKERS_2021 = re.compile(r"制发件数|废止件数|现行有效|本年(?:处理决定|决定处理)|收费金额")
PROCUREMENT_IN_10K = re.compile(r"采购总?金额[^\d]{0,8}万")

# ---------------------------------------------------------------- table B
APPLICANT_COLUMNS = ("natural_person", "commercial", "research", "social_org",
                     "legal_service", "other_org", "total")
APPLICANT_HEADERS = {
    "natural_person": re.compile(r"^自然人$"),
    "commercial": re.compile(r"^商业企业$"),
    "research": re.compile(r"^科研机构$"),
    "social_org": re.compile(r"^社会公益组织$"),
    "legal_service": re.compile(r"^法律服务机构$"),
    "other_org": re.compile(r"^其他$"),
    "total": re.compile(r"^[总合]计$"),
}

_B_COMMON_HEAD = [
    ("received", r"本年新收|新收.{0,6}申请"),
    ("carried_over", r"上年结转"),
    ("granted", r"予以公开"),
    ("partially_granted", r"部分公开"),
    ("denied.state_secret", r"国家秘密"),
    ("denied.prohibited_by_law", r"其他法律行政|法规禁止|禁止公开"),
    ("denied.security_stability", r"三安全一稳定|危及"),
    ("denied.third_party_rights", r"第三方"),
    ("denied.internal_affairs", r"内部事务"),
    ("denied.process_info", r"过程性"),
    ("denied.enforcement_files", r"执法案卷"),
    ("denied.administrative_query", r"行政查询"),
    ("unable.not_held", r"不掌握"),
    ("unable.needs_creation", r"没有现成|另行制作"),
    ("unable.unclear_after_correction", r"补正后|仍不明确"),
    ("not_processed.petition_complaint", r"信访|举报投诉"),
    ("not_processed.duplicate", r"重复申请"),
    ("not_processed.publication", r"出版物"),
    ("not_processed.excessive", r"大量反复"),
    ("not_processed.confirm_or_reissue", r"重新出具|确认或重"),
]
_B_TAIL = [
    ("total", r"\(七\)[总合]计|七[、.][总合]计|(?:^|[、.)])[总合]计$"),
    ("carried_forward", r"结转下年|下年度继续"),
]
_B_OTHER_2019 = [("other", r"其他处理")]
_B_OTHER_2021 = [
    ("other.no_correction", r"不补正"),
    ("other.unpaid_fee", r"缴纳费用|收费通知"),
    ("other.other", r"(?:^|[\d.、)]|处理)其他$"),
]
B_ROWS = {
    "2019": tuple(k for k, _ in _B_COMMON_HEAD + _B_OTHER_2019 + _B_TAIL),
    "2021": tuple(k for k, _ in _B_COMMON_HEAD + _B_OTHER_2021 + _B_TAIL),
}
B_PATTERNS = [(k, re.compile(p)) for k, p in _B_COMMON_HEAD + _B_OTHER_2019 + _B_OTHER_2021 + _B_TAIL]
B_MARKERS_2021 = re.compile(r"不补正|缴纳费用|收费通知")

# ---------------------------------------------------------------- table C
C_GROUPS = ("review", "litigation_direct", "litigation_after_review")
C_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
# Row labels when a table C is printed one row per group (checked in this order; the
# last label in a row wins, hence the end anchor).
C_GROUP_LABELS = (
    ("litigation_after_review", re.compile(r"复议后(?:起诉)?$")),
    ("litigation_direct", re.compile(r"(?:未经复议|直接起诉)$")),
    ("review", re.compile(r"行政复议$")),
)

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

