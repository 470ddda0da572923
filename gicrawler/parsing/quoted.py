"""Numbers the report's prose quotes that name one table cell (or one sum of cells).

``共收到政府信息公开申请20件`` names table B's ``received.total``; ``办结…18件`` / ``答复…805件`` its
``total``; ``结转下年度2件`` its ``carried_forward.total``; ``新制作行政规范性文件4个`` table A's
``normative_documents.issued`` (2021) or ``made`` (2019). The patterns are narrow on purpose: a
number the prose does not tie to exactly one cell is not quoted (docs/checks.md, *prose.numbers*):

- the number is written in digits and followed by its unit (件/个/起…); ``60余件``, ``约20件``,
  ``20件左右`` are not numbers of a cell;
- the sentence speaks of the report's own body in the report's year: a sentence naming another
  scope (本级, 部门, 区县, 乡镇, 全市, 各级, 系统, 其中…), another year, 上年/去年/同比 or a
  cumulative figure (累计, 以来) is skipped, since the tables' scope and year are the report's;
- applications are 政府信息公开 applications: the sentence says 信息公开 or 依申请, and nothing
  between the verb and 申请 names a channel (网上, 信函…), an applicant column (自然人, 法人…) or
  another matter (复议, 咨询, 建议, 事项…);
- a government's own report (``agency_kind`` government, or unknown) is not read: its prose
  quotes the government itself (``区政府办代表区政府受理…17件``) or the whole region (``全市共受理…``)
  while its tables may be either, so no number of its prose is tied to one cell;
- a verb with several readings gives them all (``办理…申请N件`` may be the new ones, the
  concluded ones or all those handled); the check compares only when every reading has the
  same value in the tables.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A number: 1,234 or 1234, not after a digit or a point. (Written to start with its first digit,
# the look-behind after it: a pattern starting with NUM then lets the regex engine skip to digits.)
NUM = r"(?P<num>\d(?<![\d.]\d)(?:\d{0,2}(?:,\d{3})+|\d*))"
_GAP = r"(?P<gap>(?:件数|数量|总数|总量|共计|合计|总计|共|为|达|计|了|的|件|:|：)*)"
_APP_UNIT = r"(?:件|个|宗|份|条)(?!左右|以上|以下)"
_CASE_UNIT = r"(?:件|起|宗|个|次)(?!左右|以上|以下)"
_DOC_UNIT = r"(?:件|个|部|份|篇)(?!左右|以上|以下)"
_MID = r"(?P<mid>[^，,。；;：:\d]{0,25}?)"

# Cell paths.
RECEIVED, CARRIED_OVER = "applications.received.total", "applications.carried_over.total"
TOTAL, CARRIED_FORWARD = "applications.total.total", "applications.carried_forward.total"
REVIEW = "review_litigation.review.total"
LITIGATION = ("review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total")

# (The look-behinds of _RECEIVED_RE and _HANDLED_RE come after their two-character verbs, where
# ``(?<![…]..)`` tests the character before the verb: a pattern starting with its verbs lets the
# regex engine skip to their first characters instead of trying every position.)
_RECEIVED_RE = re.compile(r"(?:收到|受理|接收|接到|新收)(?<![多少增减较比未没]..)" + _MID + "申请" + _GAP + NUM + _APP_UNIT)
_NONE_RECEIVED_RE = re.compile(r"(?:未|没有)(?:收到|受理|接到)(?P<mid>[^，,。；;：:\d]{0,12}?)申请(?!人)")
_CLOSED_RE = re.compile(r"(?:办结|作出答复|予以答复|答复)" + _MID + "申请" + _GAP + NUM + _APP_UNIT)
_CLOSED_BARE_RE = re.compile(r"(?:已办结|办结|已答复|答复|完成答复|办理完毕|处理完毕)(?P<gap>(?:了|共|共计|合计|为)*)"
                             + NUM + _APP_UNIT)
_HANDLED_RE = re.compile(r"(?:办理|处理)(?<![受并]..)" + _MID + "申请" + _GAP + NUM + _APP_UNIT)
_FORWARD_RE = re.compile(r"结转(?:至|到|入)?下一?(?:个)?年度?(?:继续)?(?:办理|处理|答复)?"
                         r"(?P<gap>(?:的|政府信息公开申请|申请|件数|数|共|为|了|:|：)*)" + NUM + _APP_UNIT)
_FORWARD_AFTER_RE = re.compile(NUM + r"(?:件|个)" + r"(?P<mid>[^，,。；;：:\d]{0,20}?)(?:结转|顺延|转入|延续)"
                               r"(?:至|到|入)?下一?(?:个)?年度?")
_OVER_RE = re.compile(r"上一?年度?结转(?:的|过来的|而来的)?(?:政府信息公开)?(?:申请)?" + _GAP + NUM + _APP_UNIT)
_REVIEW_RE = re.compile(r"被申请(?:了)?行政复议(?:案件)?" + _GAP + NUM + _CASE_UNIT)
_LITIGATION_RE = re.compile(r"被(?:提起了?|起诉)?行政诉讼(?:案件)?" + _GAP + NUM + _CASE_UNIT)
_ACTIVE_RE = re.compile(r"(?P<verb>新制作|制作|制定|制发|印发|出台|新公开|主动公开|公开|发布|废止|现行有效)(?:了|的)?"
                        r"(?P<kind>(?:行政)?规范性文件|规章)" + r"(?P<gap>(?:共|共计|合计|数量|件数|为|计|:|：)*)"
                        + NUM + _DOC_UNIT)
_ACTIVE_NEXT_RE = re.compile(r"[,，、及和](?P<kind>(?:行政)?规范性文件|规章)(?P<gap>(?:共|共计|合计|数量|件数|为|计)*)"
                             + NUM + _DOC_UNIT)

_ACTIVE_VERBS = {"新制作": "made", "制作": "made", "制定": "made", "制发": "made", "印发": "made", "出台": "made",
                 "新公开": "published", "主动公开": "published", "公开": "published", "发布": "published",
                 "废止": "repealed", "现行有效": "in_force"}
# Which table A column a verb names, per template (a verb with no column there is not checked).
_ACTIVE_COLUMNS = {"2019": {"made": "made", "published": "published"},
                   "2021": {"made": "issued", "repealed": "repealed", "in_force": "in_force"}}

# A sentence naming a scope, a time or a share other than the report's own.
_SCOPE_RE = re.compile(r"本级|本部(?!门)|所属|下属|直属|二级单位|各部门|部门|各单位|各区|各县|区县|县区|县市区|"
                       r"乡镇|街道|全市|全县|全区|全省|全州|全旗|全盟|全镇|全乡|各级|系统|累计|历年|以来|分别|平均|其中|"
                       r"同比|环比|上年|去年|上一年|同期|前年|截至|截止")
_SELF_RE = re.compile(r"本部门|我部门|本单位|我单位|本机关|我机关|上一?年度?结转")
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# Between the verb and 申请: a channel, an applicant column, another matter, another verb.
_MID_EXCLUDE_RE = re.compile(r"自然人|法人|企业|机构|组织|律师|网上|网络|在线|当面|现场|信函|邮寄|传真|邮件|来访|"
                             r"复议|诉讼|咨询|投诉|信访|举报|建议|提案|留言|诉求|热线|信箱|来信|来电|事项|审批|许可|"
                             r"办件|政务服务|12345|办结|答复|办理|处理|转办")
# A sentence with one of these is not about disclosure applications (for the bare 办结N件 form).
_SENTENCE_EXCLUDE_RE = re.compile(r"复议|诉讼|咨询|投诉|信访|举报|建议|提案|留言|诉求|热线|信箱|来信|来电|事项|审批|"
                                  r"许可|办件|政务服务|12345")
_APPLICATION_CONTEXT_RE = re.compile(r"信息公开|依申请")
_ACTIVE_GUARD_RE = re.compile(r"清理|审查|审核|备案|修订|修改|评估|梳理|起草|征求|报送|解读|并$|和$|及$")
_INCLUDES_OVER_RE = re.compile(r"^[(（](?:其中)?(?:含|包括|包含)上一?年度?结转")
_MENTIONS_OVER_RE = re.compile(r"上一?年度?结转")

_SPACES = (" ", "\t", "\u3000", "\xa0")          # removed from sentences (str.replace: faster than a regex)
_DIGIT_RE = re.compile(r"\d")
_MARKER_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、,.，．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．]|"
                        r"第[一二三四五六七八九十\d]+[部章节条]|[①-⑩]|[一二三四五六七八九十]是)")
# A line break that ends a paragraph: after a colon, or before a line starting with a marker.
_PARAGRAPH_BREAK_RE = re.compile(r"\n(?:(?<=[:：]\n)|(?=" + _MARKER_RE.pattern.removeprefix("^") + "))")
_SENTENCE_ENDS = "。；;！？!?"


@dataclass(frozen=True)
class Quote:
    quantity: str                    # what the prose counts: received, closed, normative_documents.issued …
    value: int
    readings: tuple                  # each a tuple of cell paths whose sum the number may be
    snippet: str


def _unrowed(text: str) -> str:
    """The text with spaces removed and table row lines made sentence ends (sentences' first step)."""
    for space in _SPACES:
        text = text.replace(space, "")
    if "|" in text:        # a table row line ends the paragraph before it, and is dropped
        text = "\n".join("。" if "|" in line else line for line in text.split("\n"))
    return text


def sentences(text: str) -> tuple[str, ...]:
    """The text's sentences, spaces removed. Lines are joined into paragraphs where a line
    wraps (PDF text, blank lines between lines included), never across a line starting with a
    heading marker, a table row (``|``) or a line ending a sentence."""
    text = _unrowed(text)
    # Where a paragraph ends without a sentence end (after a colon, before a marker line) a
    # "。" is put, and the lines are joined: the sentences are then the pieces between
    # sentence ends (an extra "。" only makes an empty piece, which is dropped). One pass over
    # the whole text, not one per line.
    text = _PARAGRAPH_BREAK_RE.sub("。", text).replace("\n", "")
    # Every sentence end made a "。" and the text split there: a third of re.split on the
    # class of them (the engine tests that class at every character).
    for end in _SENTENCE_ENDS[1:]:
        if end in text:
            text = text.replace(end, "。")
    return tuple(filter(None, text.split("。")))     # (the empty pieces dropped)


def sentences_with(text: str, word: str) -> tuple[str, ...]:
    """The sentences of ``sentences(text)`` that hold ``word``, in order, without joining the
    paragraphs of the whole text: a sentence end of the text bounds every sentence (the
    paragraph breaks only cut the pieces between them further: a break's look-behind sees a
    colon before its line break, its look-ahead a marker, neither holding a sentence end), so
    only the pieces that hold the word are cut (a report names the 信息处理费 in a few)."""
    text = _unrowed(text)
    if word not in text:
        return ()
    for end in _SENTENCE_ENDS[1:]:
        if end in text:
            text = text.replace(end, "。")
    out: list[str] = []
    for piece in text.split("。"):
        if word in piece:
            if "\n" in piece:
                piece = _PARAGRAPH_BREAK_RE.sub("。", piece).replace("\n", "")
                out.extend(s for s in piece.split("。") if word in s)
            else:
                out.append(piece)
    return tuple(out)


def _number(m: re.Match) -> int:
    return int(m.group("num").replace(",", ""))


def _other_scope(prefix: str, year: int | None) -> bool:
    prefix = _SELF_RE.sub("", prefix)
    if _SCOPE_RE.search(prefix):
        return True
    return any(int(y) != year for y in _YEAR_RE.findall(prefix))


def _snippet(sentence: str, m: re.Match) -> str:
    return sentence[m.start():m.end()][-40:]


# The kinds of body whose prose speaks of the same body as its tables.
SINGLE_BODY_KINDS = ("department", "township", "other")


def quotes(text: str, template: str | None, year: int | None, kind: str | None,
           sents: tuple[str, ...] | None = None) -> list[Quote]:
    """Every number of the prose tied to table cells (see the module docstring). ``sents``:
    ``sentences(text)``, when the caller has them already."""
    out: list[Quote] = []
    if kind not in SINGLE_BODY_KINDS:
        return out
    active = template in _ACTIVE_COLUMNS
    for s in sentences(text or "") if sents is None else sents:
        # Each reader's first test done here as well, before the digit search: most sentences
        # pass none of them.
        app, case, act = "申请" in s, "信息公开" in s, active and "规" in s
        if not (app or case or act):
            continue
        if not _DIGIT_RE.search(s) and "未" not in s and "没有" not in s:
            continue
        if app:
            out.extend(_application_quotes(s, year))
        if case:
            out.extend(_case_quotes(s, year))
        if act:
            out.extend(_active_quotes(s, template, year))
    return out


def _application_quotes(s: str, year) -> list[Quote]:
    if "申请" not in s or not _APPLICATION_CONTEXT_RE.search(s):
        return []
    found: list[Quote] = []

    def add(quantity, m, readings, value=None, mid_checked=True):
        if mid_checked and "mid" in m.re.groupindex and _MID_EXCLUDE_RE.search(m.group("mid") or ""):
            return
        if _other_scope(s[:m.start()], year):
            return
        found.append(Quote(quantity, _number(m) if value is None else value, readings, _snippet(s, m)))

    for m in _matches(_RECEIVED_RE, s, ("收到", "受理", "接收", "接到", "新收")):
        rest = s[m.end():]
        if _INCLUDES_OVER_RE.match(rest):
            add("received+carried_over", m, ((RECEIVED, CARRIED_OVER),))
        elif _MENTIONS_OVER_RE.search(rest):
            add("received", m, ((RECEIVED,), (RECEIVED, CARRIED_OVER)))
        else:
            add("received", m, ((RECEIVED,),))
    for m in _matches(_NONE_RECEIVED_RE, s, ("收到", "受理", "接到")):
        add("received", m, ((RECEIVED,),), value=0)
    closed = list(_matches(_CLOSED_RE, s, ("办结", "答复")))
    for m in closed:
        add("closed", m, ((TOTAL,),))
    if not _SENTENCE_EXCLUDE_RE.search(s):
        for m in _matches(_CLOSED_BARE_RE, s, ("办结", "答复", "完毕")):
            if "申请" in s[:m.start()] and not any(c.start() <= m.start() < c.end() for c in closed):
                add("closed", m, ((TOTAL,),), mid_checked=False)
    for m in _matches(_HANDLED_RE, s, ("办理", "处理")):
        if _INCLUDES_OVER_RE.match(s[m.end():]):
            add("handled", m, ((TOTAL,), (RECEIVED, CARRIED_OVER)))
        else:
            add("handled", m, ((RECEIVED,), (TOTAL,), (RECEIVED, CARRIED_OVER)))
    for rx, words in ((_FORWARD_RE, ("结转",)), (_FORWARD_AFTER_RE, ("结转", "顺延", "转入", "延续"))):
        for m in _matches(rx, s, words):
            if "复议" in m.group(0) or "诉讼" in m.group(0) or "上年" in (m.groupdict().get("mid") or ""):
                continue
            add("carried_forward", m, ((CARRIED_FORWARD,),), mid_checked=False)
    for m in _matches(_OVER_RE, s, ("结转",)):
        add("carried_over", m, ((CARRIED_OVER,),), mid_checked=False)
    return found


def _matches(rx: re.Pattern, s: str, words: tuple[str, ...]):
    """``rx.finditer(s)``; none without one of the ``words`` every match of rx contains (an
    ``in`` test is much cheaper than a regex scan, and most sentences name no such verb)."""
    for word in words:
        if word in s:
            return rx.finditer(s)
    return ()


def _case_quotes(s: str, year) -> list[Quote]:
    if "信息公开" not in s:
        return []
    found = []
    for rx, quantity, readings in ((_REVIEW_RE, "review", ((REVIEW,),)), (_LITIGATION_RE, "litigation", (LITIGATION,))):
        for m in rx.finditer(s):
            if not _other_scope(s[:m.start()], year):
                found.append(Quote(quantity, _number(m), readings, _snippet(s, m)))
    return found


def _active_quotes(s: str, template: str, year) -> list[Quote]:
    found = []
    if "规" not in s:
        return found                 # every match names 规范性文件 or 规章 (no regex scan needed)
    columns = _ACTIVE_COLUMNS[template]
    for m in _ACTIVE_RE.finditer(s):
        clause = re.split(r"[,，]", s[:m.start()])[-1]
        if _ACTIVE_GUARD_RE.search(clause) or _other_scope(s[:m.start()], year):
            continue
        column = columns.get(_ACTIVE_VERBS[m.group("verb")])
        if column is None:
            continue
        chain = [m]
        while True:
            nxt = _ACTIVE_NEXT_RE.match(s, chain[-1].end())
            if not nxt:
                break
            chain.append(nxt)
        for item in chain:
            row = "regulations" if item.group("kind") == "规章" else "normative_documents"
            path = f"active.{row}.{column}"
            found.append(Quote(f"{row}.{column}", _number(item), ((path,),), _snippet(s, item)))
    return found


def cell(tables: dict, path: str):
    """The value at a dotted cell path (None when absent or blank)."""
    node = tables
    for key in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node if type(node) in (int, float) else None


def reading_value(tables: dict, reading: tuple):
    values = [cell(tables, path) for path in reading]
    return None if any(v is None for v in values) else sum(values)


# ------------------------------------------------------------------ 信息处理费 statements
# (The look-behind after 收取, as in _RECEIVED_RE: the pattern starts with a literal.)
_FEE_CHARGED_RE = re.compile(r"收取(?<![未不没无免]..)(?:了)?(?P<mid>[^，,。；;\d]{0,20}?)(?:信息处理费|处理费|费用)"
                             r"(?:共计|合计|总计|共|为|计|金额|:|：)*(?P<num>\d+(?:\.\d+)?)(?P<unit>万元|元)")
_FEE_NONE_RE = re.compile(r"(?:未|没有|不|无|免)(?:收取|收|产生|涉及)(?:任何)?[^，,。；;\d]{0,14}?(?:费用|处理费|收费)"
                          r"|(?:信息处理费|处理费)(?:为|共计|合计)?0(?:\.0+)?(?:万元|元)")
_FEE_CONTEXT_RE = re.compile(r"信息处理费|处理费|依申请|信息公开|申请")
_FEE_NORMATIVE_RE = re.compile(r"但|可以|不得|除外")   # the rule quoted, not what happened


@dataclass(frozen=True)
class FeeStatement:
    charged: bool          # True: an amount > 0 was collected; False: none was
    amount_yuan: float
    snippet: str


def fee_statements(text: str, sents: tuple[str, ...] | None = None) -> list[FeeStatement]:
    """What the prose says about the 信息处理费 collected (table A's 行政事业性收费 is another fee).
    ``sents``: ``sentences(text)``, when the caller has them already."""
    out = []
    for s in sentences(text or "") if sents is None else sents:
        if "费" not in s or not _FEE_CONTEXT_RE.search(s) or "事业性收费" in s:
            continue
        spans = []
        for m in _FEE_CHARGED_RE.finditer(s):
            amount = float(m.group("num")) * (10000 if m.group("unit") == "万元" else 1)
            out.append(FeeStatement(amount > 0, amount, _snippet(s, m)))
            spans.append((m.start(), m.end()))
        if not _FEE_NORMATIVE_RE.search(s):
            for m in _FEE_NONE_RE.finditer(s):
                if not any(a <= m.start() < b for a, b in spans):
                    out.append(FeeStatement(False, 0.0, _snippet(s, m)))
    return out
