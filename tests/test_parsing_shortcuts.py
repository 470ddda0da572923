"""The parser's speed shortcuts give exactly what the plain code they replace gives.

Each shortcut tries a regex only where it can match, or skips work a text cannot need; these
properties compare it with the straightforward version on generated text built from the
characters that matter (separators, label/heading characters, mapped characters).
"""
from __future__ import annotations

import re

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from gicrawler.parsing import html
from gicrawler.parsing import labels as L
from gicrawler.parsing import metadata, normalize, outline, quoted, t2s_changes
from gicrawler.parsing.tables import sections
from gicrawler.parsing.tables.applications import _most_runs, value_runs
from gicrawler.parsing.tables.blocks import grid_blocks, text_blocks
from gicrawler.parsing.t2s_skip import _TABLES, unchanged_by_t2s


def texts(pieces: list[str], max_size: int = 30):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


_T2S = opencc.OpenCC("t2s")
_PHRASE_CHARS = sorted({c for words in t2s_changes.PHRASES.values() for w in words for c in w})
_T2S_PIECES = (_PHRASE_CHARS + [w for words in t2s_changes.PHRASES.values() for w in words]
               + list(t2s_changes.CHANGED[::97]) + list("的一是在了和人这中大为上个国我以要 \n"))


def test_t2s_data_matches_the_installed_opencc():
    # Otherwise nothing is skipped (still correct, but every text pays for the conversion):
    # regenerate with `python -m gicrawler.parsing.t2s_skip`.
    assert t2s_changes.OPENCC_VERSION == opencc.__version__
    assert _TABLES is not None


@settings(max_examples=1500, deadline=None)
@given(texts(_T2S_PIECES))
def test_t2s_is_skipped_only_where_it_changes_nothing(s):
    if unchanged_by_t2s(s):
        assert _T2S.convert(s) == s


@pytest.mark.parametrize("start", range(0x3000, 0xA000, 0x1000))
def test_t2s_skip_single_characters(start):
    for cp in range(start, start + 0x1000):
        s = f"中{chr(cp)}文"
        if unchanged_by_t2s(s):
            assert _T2S.convert(s) == s, hex(cp)


def test_t2s_not_skipped_for_traditional_text():
    assert not unchanged_by_t2s("政府資訊公開")
    assert not unchanged_by_t2s("答覆")            # 覆 alone is simplified; 答覆 → 答复
    assert unchanged_by_t2s("覆盖全市")
    assert normalize.normalize_text("答覆申請") == "答复申请"


_MAPPED = sorted(chr(cp) for cp in normalize._TRANSLATE)


@settings(max_examples=1500, deadline=None)
@given(texts(_MAPPED[::5] + ["\r", "\r\n", "\u2028", "\u00a0", "\u3000", "\u200b", "Ａ", "１", "（", "）",
                             "a", " ", "\n", "数", "(shu)", "&nbsp;"]))
def test_normalize_maps_characters_like_translate(s):
    expected = s
    if "&" in expected:
        expected = normalize._ENTITY_RE.sub(" ", expected)
    if normalize._NEEDS_TRANSLATE_RE.search(expected):
        expected = expected.replace("\r\n", "\n").translate(normalize._TRANSLATE)
    if "(" in expected:
        expected = normalize._PINYIN_CANDIDATE_RE.sub(normalize._drop_pinyin, expected)
    assert normalize.normalize_text(s) == _T2S.convert(expected)


@settings(max_examples=2000, deadline=None)
@given(texts(list("五六存其在的主要问题改进他需报告事项、.,: \n\tx") +
             ["问题", "存在的主要问题", "其他需要报告的事项", "五、", "\n六、存在", "\n五"]))
def test_section_ends_like_finditer(s):
    for text in (s, s + "x" * 16 * len(s)):      # dense hints: plain finditer; sparse: the shortcut
        assert sections._section_ends(text) == [m.start() for m in L.SECTION_END.finditer(text)]


@settings(max_examples=2000, deadline=None)
@given(texts(list("-—–第页共 \t\n12,/x") + ["- 3 -", "第 2 页", "第3页 共 9 页", "\n- 12 -\n", "2024-01-29",
                                              "-\n", "第\n", "\n- 4 -"]))
def test_page_marks_like_sub(s):
    for text in (s, "x" * 16 * len(s) + s, s + "x" * 16 * len(s)):
        assert sections.drop_page_marks(text) == sections._PAGE_MARK_RE.sub("", text)


_LABELS = list(metadata._ALL_LABELS)


@settings(max_examples=2000, deadline=None)
@given(texts(_LABELS + [lb[0] for lb in _LABELS] + [lb[1:] for lb in _LABELS] +
             list(" \t|:：;,，、x1-") + ["发布 日期", "文 号"], max_size=12))
def test_label_matches_like_finditer(s):
    def spans(ms):
        return [(m.span(), m.groupdict()) for m in ms]
    assert spans(metadata._label_matches(s)) == spans(metadata._LABEL_RE.finditer(s))
    hint = metadata._LABEL_HINT_RE.search(s)      # label_values passes where the first label character is
    if hint:
        assert spans(metadata._label_matches(s, hint.start())) == spans(metadata._LABEL_RE.finditer(s))


def _spans(ms):
    return [(m.span(), m.groupdict()) for m in ms]


_PLAIN_NUM = r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+|\d+)"


@settings(max_examples=1000, deadline=None)
@given(texts(list("0123456789,.件个共左右a١"), max_size=14))
def test_num_like_its_plain_form(s):
    # NUM starts with its first digit, the look-behind after it (patterns starting with it skip to digits)
    for tail in ("", "件", r"\d件"):
        assert _spans(re.finditer(quoted.NUM + tail, s)) == _spans(re.finditer(_PLAIN_NUM + tail, s))


_QUOTE_TAIL = quoted._MID + "申请" + quoted._GAP + quoted.NUM + quoted._APP_UNIT
_PLAIN_VERB_RES = {quoted._RECEIVED_RE: re.compile(r"(?<![多少增减较比未没])(?:收到|受理|接收|接到|新收)" + _QUOTE_TAIL),
                   quoted._HANDLED_RE: re.compile(r"(?<![受并])(?:办理|处理)" + _QUOTE_TAIL),
                   quoted._FEE_CHARGED_RE: re.compile(r"(?<![未不没无免])" + quoted._FEE_CHARGED_RE.pattern
                                                      .replace("(?<![未不没无免]..)", ""))}


@settings(max_examples=1000, deadline=None)
@given(texts(list("多少增减较比未没受并共本，。\n 年收理") + ["收到", "受理", "接收", "接到", "新收", "办理", "处理",
             "政府信息公开", "自然人", "申请", "共计", "12", "1,234", "件", "件左右", "收取", "不", "免", "了",
             "信息处理费", "费用", "万元", "元", "2.5"], max_size=16))
def test_verb_look_behinds_like_their_plain_forms(s):
    # the look-behind after the two-character verb tests the character before it
    for fast, plain in _PLAIN_VERB_RES.items():
        assert _spans(fast.finditer(s)) == _spans(plain.finditer(s))


_ANY_HEADING_RE = re.compile("|".join(f"(?:{rx.pattern})" for rx in outline._HEADING_RES.values()), re.M)


@settings(max_examples=1500, deadline=None)
@given(texts([*outline.NUMERALS, "、", ".", " ", "\t", "\n", "。", "x", "总体情况", "主动公开", "收到和处理",
              "依申请公开", "行政复议", "行政诉讼", "存在的问题", "改进情况", "其他需要报告", "其他事项", "情况",
              "因政府信息公开行政复议、行政诉讼", "政府信息公开工作存在的主要问题及改进情况", "其他需要报告的事项"],
             max_size=10))
def test_toc_like_any_heading_search(s):
    # _is_toc looks in the rest of the heading's line (at most TOC_SPAN) for any heading
    text = "一、总体情况" + s
    head = outline._NUMBERED_RES["一"].match(text)
    line_end = text.find("\n", head.end())
    window = text[head.end():head.end() + outline.TOC_SPAN if line_end < 0 else min(line_end, head.end() + outline.TOC_SPAN)]
    assert outline._is_toc(text, head) == bool(_ANY_HEADING_RE.search(window))


def _plain_sentences(text):
    for space in quoted._SPACES:
        text = text.replace(space, "")
    if "|" in text:
        text = "\n".join("。" if "|" in line else line for line in text.split("\n"))
    text = quoted._PARAGRAPH_BREAK_RE.sub("。", text).replace("\n", "")
    return tuple(s for s in re.split(r"[。；;！？!?]", text) if s)


@settings(max_examples=1000, deadline=None)
@given(texts(list("。；;！？!?:：|\n \t\u3000\xa0x1、") + ["一、", "(二)", "3.", "第五条", "①", "三是", "申请"]))
def test_sentences_like_re_split(s):
    assert quoted.sentences(s) == _plain_sentences(s)


@settings(max_examples=1500, deadline=None)
@given(texts(["<p>", "</p>", "<span>", "</span>", "<br>", "<!--c-->", "<?pi x?>", "<td>", "<th>", "<b></b>",
              "12", "本年", "a", " ", "\n", "&nbsp;", "&amp;"], max_size=8))
def test_one_child_cell_text_like_the_serialisation(inner):
    root = html.parse_tree(f"<table><tr><td>{inner}</td><td>x</td></tr></table>")
    for cell in root.iter("td", "th"):
        if len(cell) == 1 and (text := html._one_child_text(cell)) is not None:
            # the serialisation, but for digits it glued across a line break (html.unglued)
            assert text == html.unglued(cell, etree.tostring(cell, method="text", encoding=str, with_tail=False))


_B_TEXT = ["一、本年新收政府信息公开申请数量", "(一)予以公开", "1.属于国家秘密", "自然人", "总计", "规章",
           "0", "1", "12", "3", "-", " ", " ", "\n", "\n", " | ", "|"]


_B_CELLS = ["一、本年新收政府信息公开申请数量", "(一)予以公开", "总计", "0", "1", "12", "12", "", "-"]


@settings(max_examples=1500, deadline=None)
@given(texts(_B_TEXT, max_size=60), st.lists(st.lists(st.sampled_from(_B_CELLS), max_size=9), max_size=6))
def test_most_runs_bounds_value_runs(s, grid):
    # assemble_applications skips cutting runs when this bound cannot beat the rows it has
    for blocks in (text_blocks(s), grid_blocks(grid)):
        for ncols in (7, 6):
            assert len(value_runs(blocks, ncols)) <= _most_runs(blocks, ncols)


@settings(max_examples=1500, deadline=None)
@given(texts(list("。；;！？!?:：|\n \t\u3000\xa0x1费、") + ["一、", "(二)", "3.", "第五条", "①", "三是", "处理费",
                                                          "未收取费用", "收取信息处理费20元", "\n|"], max_size=40))
def test_sentences_with_a_word_like_filtering_all_sentences(s):
    # the fee check cuts only the pieces of the text that name a 费 (quoted.sentences_with)
    assert quoted.sentences_with(s, "费") == tuple(x for x in quoted.sentences(s) if "费" in x)


@settings(max_examples=1500, deadline=None)
@given(st.text(st.characters(categories=["Nd", "No", "Nl", "Zs"]) | st.sampled_from("0123456789²½,. 元"),
               min_size=1, max_size=8))
def test_a_decimal_cell_is_a_number_cell(s):
    # table_grid takes a cell of decimal digits for a number cell without the regex
    if s.isdecimal():
        assert html._NUMBER_CELL_RE.fullmatch(s)
    for ch in s:     # what the regex calls a digit is what isdecimal does
        assert bool(re.fullmatch(r"\d", ch)) == ch.isdecimal()
