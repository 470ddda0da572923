"""Who reports: the reporting body's name, its kind (which deadline of art. 49 applies) and the
key that identifies it across years and portals (docs/checks.md, *Agency kind*, *Agency identity*).

The name is the one the title gives (``淄博市大数据局2023年…`` → 淄博市大数据局), else the
发布机构: portals often fill 发布机构 with the site's owner (``淄博市人民政府``) for every report in
a column, while the title names the body that reports. A title naming only a region
(``淄博市2020年政府信息公开工作年度报告``) is that region's government reporting on itself.
"""
from __future__ import annotations

import re

GOVERNMENT, DEPARTMENT, TOWNSHIP, OTHER = "government", "department", "township", "other"

_YEAR_RE = re.compile(r"(?:19|20)\d{2}\s*年")
_PARENS_RE = re.compile(r"[(（][^()（）]{0,30}[)）]")
_JUNK_RE = re.compile(r"[\s\"'“”‘’《》<>〈〉【】\[\]「」:：,，、.·•_\-—|]+")
_LEADING_VERB_RE = re.compile(r"^(?:印发|公布|发布|公开|转发)")
_REPORT_WORDS_RE = re.compile(r"政府信息公开|信息公开|政务公开|工作年度报告|年度报告|报告")
_NAME_RE = re.compile(r"^[\u3400-\u9fff]{2,40}$")
_TRAILING_CJK_RE = re.compile(r"[\u3400-\u9fff]+$")

# Each kind's name shapes, tried in this order on a name without whitespace or parentheses.
_OTHER_RE = re.compile(
    r"^(?:中共|中国共产党|共青团)|人民代表大会|人大常委|政协|政治协商|纪律检查|纪委|监察委|监委|"
    r"法院$|检察院$|[省市县区州旗]委(?:员会)?(?:办公室|办|宣传部|组织部|统战部|统一战线工作部|政法委员会|政法委|"
    r"网信办|编办|机构编制委员会办公室)?$|居民委员会$|村民委员会$|[居村]委会$|社区$|村$|"
    r"公司$|集团|银行|学校$|大学$|学院$|[中小]学$|幼儿园$|医院$|卫生院$|研究院$|研究所$|科学院$|"
    r"联合会$|残联$|科协$|文联$|工商联$|红十字会$|总工会$|团委$|妇联$")
_TOWNSHIP_RE = re.compile(
    r"(?:乡|镇|苏木|街道)(?:人民政府|政府|办事处|办)?(?:党政办公室|党政办|办公室)?$|街道(?:工作委员会|工委)$")
_GOVERNMENT_OFFICE_RE = re.compile(r"(?:人民政府|政府|管委会|管理委员会|行政公署|行署)(?:办公室|办公厅|办)$")
_GOVERNMENT_RE = re.compile(
    r"(?:[省市县区旗州盟]|自治区|自治州|自治县|自治旗|特区|林区)(?:人民政府|政府)$|(?:行政公署|行署)$|"
    r"(?:区|园|港|岛|新城|片区)(?:管委会|管理委员会)$")
_DEPARTMENT_RE = re.compile(
    r"(?:局|委员会|管委会|委|办公室|办公厅|办|厅|部|中心|署|处|队|站|所|供销合作社|供销社|档案馆)$")
_REGION_RE = re.compile(r"^[\u3400-\u9fff]{1,24}?(?:省|市|县|区|旗|州|盟|地区)$")

# Leading province (or autonomous region) before a lower-level region, dropped from the key.
_PROVINCE_PREFIX_RE = re.compile(r"^[\u3400-\u9fff]{2,8}?(?:省|自治区)(?=[\u3400-\u9fff]{2,}?(?:市|州|盟|地区))")
_BARE_LEVEL_RE = re.compile(r"^(?:本|我)?[市县区州旗]")
_LEVEL_WORD_RE = re.compile(r"^(?:市场|市政|市容|区域|县域)")     # a name's first word, not its level


def _clean(name: str | None) -> str:
    if not name:
        return ""
    name = _PARENS_RE.sub("", name)
    return _JUNK_RE.sub("", name).strip()


def title_agency(title: str | None) -> str | None:
    """The body a report's title names, or None (no name before the year, or not a name).

    ``淄博市大数据局2023年…`` → 淄博市大数据局; ``2023年淄博市人民政府政府信息公开…`` → 淄博市人民政府;
    ``xx市人民政府办公室关于印发xx市2023年…的通知`` → xx市 (the report is the region's)."""
    if not title:
        return None
    t = _JUNK_RE.sub("", title)
    m = _YEAR_RE.search(t)
    if not m:
        return None
    head, tail = t[:m.start()], t[m.end():]
    if "关于" in head:
        before, _, after = head.rpartition("关于")
        after = _LEADING_VERB_RE.sub("", after)
        head = after or before
    if not head:      # the year first: the name, if any, stands before 政府信息公开
        tail = tail.lstrip("度")
        n = tail.find("政府信息公开")
        head = tail[:n] if n > 0 else ""
        if head.endswith("人民"):            # 淄博市人民政府信息公开… (one 政府 for two)
            head += "政府"
    head = _REPORT_WORDS_RE.split(head)[0]
    head = _clean(head).rstrip("的")
    m = _TRAILING_CJK_RE.search(head)          # "Page 8 - 威海市文登区信访局" → the name
    head = m.group() if m else ""
    return head if _NAME_RE.match(head) else None


def reporting_body(publisher: str | None, title: str | None) -> tuple[str | None, str | None]:
    """(name, where it came from: "title" | "publisher") of the body that reports."""
    name = title_agency(title)
    if name:
        return name, "title"
    name = _clean(publisher)
    if _NAME_RE.match(name or ""):
        return name, "publisher"
    return None, None


def kind_of(name: str | None) -> str | None:
    """government | department | township | other for a body's name (None without a name)."""
    n = _clean(name)
    if not n:
        return None
    if _OTHER_RE.search(n):
        return OTHER
    if _TOWNSHIP_RE.search(n):
        return TOWNSHIP
    if _GOVERNMENT_OFFICE_RE.search(n):
        return DEPARTMENT
    if _GOVERNMENT_RE.search(n):
        return GOVERNMENT
    if _DEPARTMENT_RE.search(n):
        return DEPARTMENT
    if _REGION_RE.match(n):
        return GOVERNMENT               # a region reporting on itself: its government's report
    return OTHER


def agency_kind(publisher: str | None, title: str | None) -> str | None:
    """The record's ``agency_kind``: the kind of the body the title names, else of the 发布机构."""
    return kind_of(reporting_body(publisher, title)[0])


def agency_key(name: str | None, region: str | None = None) -> str | None:
    """The name an agency is known by across years and portals: parentheses, spaces and
    punctuation dropped; a leading province before a city dropped (山东省淄博市… → 淄博市…); a
    government under one name (淄博市 / 淄博市政府 / 淄博市人民政府 → 淄博市人民政府); a name that
    starts with its level only (市大数据局) completed from the portal's region (山东省淄博市)."""
    n = _clean(name)
    if not n:
        return None
    n = _PROVINCE_PREFIX_RE.sub("", n)
    if _BARE_LEVEL_RE.match(n) and region:
        place = _PROVINCE_PREFIX_RE.sub("", _clean(region))
        rest = n.lstrip("本我")
        if _LEVEL_WORD_RE.match(rest):
            n = place + rest                     # 市场监督管理局 → 淄博市市场监督管理局
        elif place.endswith(rest[0]):
            n = place + rest[1:]                 # 市大数据局 → 淄博市大数据局
    if kind_of(n) == GOVERNMENT:
        if n.endswith("人民政府"):
            pass
        elif n.endswith("政府"):
            n = n[:-2] + "人民政府"
        elif _REGION_RE.match(n):
            n += "人民政府"
    return n
