"""Patterns written for speed match exactly what their plain forms match.

quoted.py writes NUM to start with its first digit and puts the look-behinds of _RECEIVED_RE and
_HANDLED_RE after their two-character verbs (so the regex engine can skip to those characters);
outline.py tries the heading patterns on a table-of-contents window only when it holds a numeral
or a title's first character. Each is held here to the plain form, on seeded random strings built
from the words the patterns read.
"""
from __future__ import annotations

import random
import re

from gicrawler.parsing import outline, quoted

PLAIN_NUM = r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+|\d+)"
TAIL = quoted._MID + "申请" + quoted._GAP + quoted.NUM + quoted._APP_UNIT
PLAIN_RECEIVED = re.compile(r"(?<![多少增减较比未没])(?:收到|受理|接收|接到|新收)" + TAIL)
PLAIN_HANDLED = re.compile(r"(?<![受并])(?:办理|处理)" + TAIL)


def _spans(rx: re.Pattern, s: str) -> list:
    return [(m.span(), m.groupdict()) for m in rx.finditer(s)]


def test_num_matches_as_its_plain_form():
    rng = random.Random(4)
    hits = 0
    for tail in ("", "件", r"(?:件|个)(?!左右)", r"\d件"):
        plain, fast = re.compile("共?" + PLAIN_NUM + tail), re.compile("共?" + quoted.NUM + tail)
        for _ in range(5000):
            s = "".join(rng.choice("0123456789,.件个共左右a١") for _ in range(rng.randint(1, 14)))
            got = _spans(fast, s)
            assert got == _spans(plain, s), s
            hits += len(got)
    assert hits > 5000                 # the strings do hold numbers


def test_verbs_look_behind_after_them_matches_as_before():
    rng = random.Random(2)
    before = list("多少增减较比未没受并共本，\n 年") + [""]
    verbs = ["收到", "受理", "接收", "接到", "新收", "办理", "处理", "收", "理"]
    mids = ["", "政府信息公开", "依", "了", "，", "1", "自然人"]
    hits = 0
    for _ in range(5000):
        s = "".join(rng.choice(before) + rng.choice(verbs) + rng.choice(mids) + rng.choice(["申请", "申", ""])
                    + rng.choice(["", "共", "共计"]) + rng.choice(["12", "1,234", ""]) + rng.choice(["件", "件左右", ""])
                    for _ in range(rng.randint(1, 3)))
        for plain, fast in ((PLAIN_RECEIVED, quoted._RECEIVED_RE), (PLAIN_HANDLED, quoted._HANDLED_RE)):
            got = _spans(fast, s)
            assert got == _spans(plain, s), s
            hits += bool(got)
    assert hits > 200


def test_toc_hint_holds_wherever_a_heading_pattern_matches():
    rng = random.Random(5)
    words = [*outline.NUMERALS, "、", " ", "\t", "\n", "。", "总体情况", "主动公开", "收到和处理", "依申请公开",
             "行政复议", "行政诉讼", "存在的问题", "改进情况", "其他需要报告", "其他事项", "情况", "年",
             "因政府信息公开行政复议、行政诉讼", "政府信息公开工作存在的主要问题及改进情况", "其他需要报告的事项"]
    hits = 0
    for _ in range(20000):
        window = "".join(rng.choice(words) for _ in range(rng.randint(0, 6)))[:outline.TOC_SPAN]
        if outline._ANY_HEADING_RE.search(window):
            hits += 1
            assert outline._TOC_HINT_RE.search(window), window
    assert hits > 500
