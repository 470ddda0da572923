"""The sample reports the replicas publish: five real reports, as published (text), with every
value read by hand (data/samples/expected.json; their provenance: tests/corpus/README.md).

``load_sample(name) -> SampleReport``: sample ``name`` ("000" … "004" or a file name) as
``.record`` (metadata + expected tables), ``.paragraphs`` (the sample's own body text with its
table text replaced by table markers) and ``.options`` (image_sections / label / style for the
writers, to reproduce the sample's shape). ``SAMPLES`` is the folder (package data).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Callable

from gicrawler.replicas.writers import heading_number, table_marker
from gicrawler.template import SECTION_OF


@dataclass
class SampleReport:
    name: str
    record: dict
    paragraphs: list[str]
    options: dict = field(default_factory=dict)   # image_sections / label / style for the writers
    raw_text: str = ""


_HEADING = re.compile(
    r"^\s*(?:[一二三四五六][、,，]+\s*)?(?:总体情况|主动公开政府信息情况|收到和处理政府信息公开(?:申请)?情况|"
    r"政府信息公开(?:申请)?行政复议、?行政诉讼情况|(?:工作)?存在的(?:主要)?问题|其他需要报告的事项)")
_TABLE_START = (("active", re.compile(r"^\s*第二十条")),
                ("applications", re.compile(r"^\s*[（(]本列数据")),
                ("review_litigation", re.compile(r"^\s*行政复议\s*$")))
# Lines before the body (title and label lines, page toolbars) of each sample.
_BODY_AFTER = {"000": "图片解读", "001": None, "002": "工作年度报告", "003": "• 打印", "004": "文号 |"}


SAMPLES = resources.files("gicrawler.replicas").joinpath("data", "samples")


@lru_cache(maxsize=None)
def sample_names() -> tuple[str, ...]:
    return tuple(sorted(p.name for p in SAMPLES.iterdir() if p.name.endswith(".txt")))


@lru_cache(maxsize=None)
def _sample_expected() -> dict:
    return json.loads(SAMPLES.joinpath("expected.json").read_text(encoding="utf-8"))


def load_sample(name: str) -> SampleReport:
    """Sample ``name`` ("003" or "003_053508a99f49d19d.txt") as record + body paragraphs."""
    fname = next((n for n in sample_names() if n == name or n.startswith(f"{name}_")), None)
    if fname is None:
        raise KeyError(f"no sample report {name!r}")
    short = fname[:3]
    text = SAMPLES.joinpath(fname).read_text(encoding="utf-8")
    expected = {k: v for k, v in _sample_expected()[fname].items() if k not in ("notes", "missing_tables")}
    lines = text.splitlines()
    marker = _BODY_AFTER.get(short)
    start = 1
    if marker:
        start = next(i for i, line in enumerate(lines) if marker in line) + 1
    body = lines[start:]
    options: dict = {}
    missing = _sample_expected()[fname].get("missing_tables") or []
    if missing:
        options["image_sections"] = tuple(missing)
    if short == "001":
        options["label"] = debris_labeler(text)
        options["style"] = {"fullwidth": False}
    if short == "002":
        options["style"] = {"procurement": "wan_suffix"}
    if short in ("003", "004"):
        options["style"] = {"fullwidth": False}
    paragraphs = _strip_tables(body, pipe=short in ("001", "004"))
    if missing:   # image-only sections: the image goes under the section heading
        out = []
        for p in paragraphs:
            out.append(p)
            for key in missing:
                if heading_number(p) == SECTION_OF[key]:
                    out.append(table_marker(key))
        paragraphs = out
    if short == "001":
        # The page text was converted to traditional characters; a sensible stored title is simplified.
        expected.setdefault("title", "嘉兴市数据局2024年度政府信息公开工作年度报告")
        paragraphs.insert(0, lines[0].strip())
    if short == "004":
        expected.setdefault("title", "黄石市经信局2023年政府信息公开工作年度报告")
    return SampleReport(short, expected, paragraphs, options, text)


def _strip_tables(lines: list[str], *, pipe: bool) -> list[str]:
    """Body paragraphs with each run of table text replaced by a table marker."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if pipe and "|" in line:
            j = i
            while j < len(lines) and "|" in lines[j]:
                j += 1
            run = "".join(lines[i:j])
            key = ("applications" if ("申請" in run or "申请" in run) else
                   "active" if ("信息內" in run or "信息内容" in run) else "review_litigation")
            out.append(table_marker(key))
            i = j
            continue
        key = next((k for k, rx in _TABLE_START if rx.match(line)), None) if not pipe else None
        if key:
            j = i + 1
            while j < len(lines) and not _HEADING.match(lines[j]) and not lines[j].strip().startswith("说明"):
                j += 1
            out.append(table_marker(key))
            i = j
            continue
        if stripped:
            out.append(stripped)
        i += 1
    return out


def debris_labeler(sample: str) -> Callable[[str], str]:
    """Label transform imitating sample 001: traditional characters, pinyin glued after some of them
    (``數(shù)據(jù)``), learnt from the pairs present in ``sample``."""
    import opencc

    pairs = {ch: py for ch, py in re.findall(r"([\u4e00-\u9fff])\(([^()\s\d]{1,8})\)", sample)}
    conv = opencc.OpenCC("s2t.json")

    def label(text: str) -> str:
        trad = conv.convert(text)
        return "".join(f"{ch}({pairs[ch]})" if ch in pairs else ch for ch in trad)

    return label
