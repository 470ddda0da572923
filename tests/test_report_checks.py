"""The checks that read a report's text and metadata (docs/checks.md): published_on_time by
agency kind, prose.numbers, template.year, sections.complete, fees.information_fee.

On the real corpus (tests/corpus, the sample reports) every expectation below was reasoned by
hand from the printed report; the unit cases hold the traps the patterns must not fall into."""
from __future__ import annotations

import json

import pytest

from gicrawler.parsing import parse_report
from gicrawler.parsing.checks import check_published_on_time, run_checks
from gicrawler.parsing.quoted import quotes
from tests.conftest import CORPUS, SAMPLES

VARIETY, REAL = CORPUS / "variety", CORPUS / "real"
SAMPLE_EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


def parsed(path):
    return parse_report(path.read_bytes(), filename=path.name)


def by_rule(record) -> dict:
    return {c["rule"]: c for c in record["checks"]}


# ------------------------------------------------------------------ published_on_time
def test_sample_003_government_report_published_9_march_is_on_time():
    rec = parsed(SAMPLES / "003_053508a99f49d19d.txt")        # 淄博市人民政府, 2020, published 2021-03-09
    got = by_rule(rec)["published_on_time"]
    assert got == {"rule": "published_on_time", "ok": True,
                   "detail": "published 2021-03-09 ≤ deadline 2021-03-31 (a 县级以上地方人民政府's own report "
                             "on its region: art. 49, by 31 March)"}


@pytest.mark.parametrize("kind,published,ok,deadline", [
    ("department", "2024-01-31", True, "2024-01-31"),
    ("department", "2024-02-01", False, "2024-01-31"),
    ("government", "2024-03-31", True, "2024-03-31"),
    ("government", "2024-04-01", False, "2024-03-31"),
    ("township", "2024-03-15", True, "2024-03-31"),     # art. 49 sets no date of its own
    ("township", "2024-04-02", False, "2024-03-31"),
    ("other", "2024-02-15", True, "2024-03-31"),
    (None, "2024-02-15", True, "2024-03-31"),           # unknown: only later than every date fails
    (None, "2024-05-01", False, "2024-03-31"),
])
def test_deadline_per_kind(kind, published, ok, deadline):
    got = check_published_on_time(published, 2023, kind)
    assert got["ok"] is ok
    assert f"deadline {deadline}" in got["detail"] and "art. 49" in got["detail"]


def test_late_detail_names_days_and_rule():
    got = check_published_on_time("2024-04-03", 2023, "government")
    assert got["detail"] == ("published 2024-04-03 > deadline 2024-03-31 (3 days late; a 县级以上地方人民政府's own "
                             "report on its region: art. 49, by 31 March)")


# ------------------------------------------------------------------ the samples, rule by rule
@pytest.mark.parametrize("name", sorted(SAMPLE_EXPECTED))
def test_sample_checks_as_read_by_hand(name):
    rec = parsed(SAMPLES / name)
    assert {c["rule"]: c["ok"] for c in rec["checks"]} == SAMPLE_EXPECTED[name]["checks"]


def test_sample_004_prose_and_table_disagree():
    # 黄石市经信局 2023: "新制作规章0个,新制作行政规范性文件4个" while table A prints 0 and 0
    got = by_rule(parsed(SAMPLES / "004_ea69d8cda5ce10c7.txt"))
    assert got["prose.numbers"] == {"rule": "prose.numbers", "ok": False,
                                    "detail": "normative_documents.issued: prose 4 («新制作行政规范性文件4个») ≠ table 0"}
    # and its section 六 (建议提案 only) says nothing of the 信息处理费
    assert got["fees.information_fee"]["ok"] is False


# ------------------------------------------------------------------ prose.numbers on real prose
def test_shanghai_2019_prose_ties_every_number_to_its_cell():
    # "共受理…859件；答复…805件（含上年度结转申请18件，另有72件…顺延到下年度答复）": 859 received,
    # 805 concluded, 18 carried over, 72 carried forward (859 + 18 = 805 + 72); 规章13件, 规范性文件60件
    got = by_rule(parsed(VARIETY / "shanghai-bgt-2019.html"))["prose.numbers"]
    assert got["ok"] is True
    assert got["detail"] == ("the prose quotes the tables: regulations.published 13, normative_documents.published 60, "
                             "received 859, closed 805, carried_forward 72, carried_over 18")


def test_government_report_prose_is_not_tied_to_its_tables():
    # 洪泽区 2024: "区政府办代表区政府受理政府信息公开申请17件" (the government itself) while the
    # district's table says 95 received: neither is wrong, the scopes differ.
    rec = parsed(REAL / "hongze-2024-pdfminer.txt")
    assert rec["agency_kind"] == "government"
    assert rec["tables"]["applications"]["received"]["total"] == 95
    assert "prose.numbers" not in by_rule(rec)
    found = quotes(rec["text"], rec["template"], rec["year"], "department")   # as if one body's
    assert [(q.quantity, q.value) for q in found] == [("received", 17)]


def _prose_check(sentence: str, tables: dict, template="2021", year=2023, kind="department"):
    return by_rule({"checks": run_checks({"text": sentence, "tables": tables, "template": template,
                                          "year": year, "agency_kind": kind})}).get("prose.numbers")


def _b(received, carried_over=0, total=None, carried_forward=0):
    total = received + carried_over - carried_forward if total is None else total
    return {"applications": {"received": {"total": received}, "carried_over": {"total": carried_over},
                             "total": {"total": total}, "carried_forward": {"total": carried_forward}}}


@pytest.mark.parametrize("sentence,quoted", [
    ("2023年，我局共收到政府信息公开申请12件。", [("received", 12)]),
    ("全年收到政府信息公开申请12件，办结10件，结转下年度2件。", [("received", 12), ("closed", 10), ("carried_forward", 2)]),
    ("本年度未收到政府信息公开申请。", [("received", 0)]),
    ("共受理政府信息公开申请12件（含上年结转2件）。", [("received+carried_over", 12), ("carried_over", 2)]),
    # not tied to one cell: skipped
    ("共收到政府信息公开申请60余件。", []),                       # approximate
    ("共收到政府信息公开申请约20件。", []),
    ("2022年收到政府信息公开申请9件。", []),                      # another year
    ("与上年相比，收到政府信息公开申请增加3件。", []),             # a difference
    ("全市各部门共收到政府信息公开申请300件。", []),               # another scope
    ("其中，通过网上收到政府信息公开申请8件。", []),               # a share, a channel
    ("共收到自然人政府信息公开申请8件。", []),                     # one applicant column
    ("通过12345热线答复群众咨询3646件。", []),                     # not applications
    ("全年共收到人大代表建议6件、政协委员提案8件。", []),
    ("受理企业开办申请120件，办结118件。", []),                    # not 信息公开 applications
])
def test_prose_patterns(sentence, quoted):
    found = quotes(sentence, "2021", 2023, "department")
    assert [(q.quantity, q.value) for q in found] == quoted


def test_prose_numbers_compares_only_unambiguous_cells():
    # 办理 may be the new, the concluded or all handled applications: compared only when equal
    assert _prose_check("本年度办理政府信息公开申请12件。", _b(12)) is not None
    assert _prose_check("本年度办理政府信息公开申请12件。", _b(12, carried_over=3, carried_forward=3)) is None
    # a blank cell is not 0 here: no comparison
    tables = _b(12)
    tables["applications"]["received"]["total"] = None
    assert _prose_check("共收到政府信息公开申请12件。", tables) is None
    # two numbers for one quantity: two scopes, not checked
    assert _prose_check("共收到政府信息公开申请12件。共收到政府信息公开申请15件。", _b(12)) is None


def test_prose_numbers_fails_on_a_real_difference():
    got = _prose_check("2023年，共收到政府信息公开申请12件，办结9件。", _b(12, carried_forward=2))
    assert got == {"rule": "prose.numbers", "ok": False,
                   "detail": "closed: prose 9 («办结9件») ≠ table 10"}


def test_prose_numbers_table_a_columns_follow_the_template():
    active = {"active": {"normative_documents": {"made": 5, "published": 4, "issued": 5, "in_force": 30}}}
    assert _prose_check("制发规范性文件5件。", active)["ok"] is True
    assert _prose_check("主动公开规范性文件4件。", active, template="2019", year=2020)["ok"] is True
    assert _prose_check("主动公开规范性文件4件。", active) is None        # 2021: 公开 names no column
    assert _prose_check("清理并公开规范性文件4件。", active, template="2019", year=2020) is None
    assert _prose_check("现行有效规范性文件30件。", active)["ok"] is True


def test_prose_numbers_not_for_governments_or_unknown_bodies():
    assert _prose_check("共收到政府信息公开申请12件。", _b(10), kind="government") is None
    assert _prose_check("共收到政府信息公开申请12件。", _b(10), kind=None) is None
    assert _prose_check("共收到政府信息公开申请12件。", _b(10), kind="township")["ok"] is False


# ------------------------------------------------------------------ template.year
@pytest.mark.parametrize("path,ok", [
    (VARIETY / "hengdong-yanglin-2023-pipe.txt", False),     # a 2023 report on the 2019 template
    (VARIETY / "tongzi-yelang-2023-paras.txt", False),       # the same
    (VARIETY / "sxjiaxian-xizhen-2022-empty.txt", False),    # 2019 headers, printed empty, for 2022
    (VARIETY / "shanghai-bgt-2019.html", True),
    (SAMPLES / "003_053508a99f49d19d.txt", True),            # 2020 on the 2019 template
    (REAL / "huaian-2024-pypdf.txt", True),
])
def test_template_against_year(path, ok):
    got = by_rule(parsed(path))["template.year"]
    assert got["ok"] is ok, got["detail"]


def test_template_year_needs_printed_evidence():
    # no header of either template printed (the page is cut before table A's headers): no check
    assert "template.year" not in by_rule(parsed(VARIETY / "shenji-2020-flipbook-p9.txt"))
    got = by_rule(parsed(VARIETY / "hengdong-yanglin-2023-pipe.txt"))["template.year"]
    assert got["detail"].startswith("2019 template (") and got["detail"].endswith(
        "for a report on 2023: reports on 2021 onward follow the 2021 template")


# ------------------------------------------------------------------ sections.complete
@pytest.mark.parametrize("path", [REAL / "huaian-2024-pypdf.txt", REAL / "hongze-2024-pdfminer.txt",
                                  VARIETY / "peer-hangzhou-style-2025.html",
                                  SAMPLES / "002_30fde63b7d2b0111.txt",    # 三、四 printed without numerals
                                  SAMPLES / "004_ea69d8cda5ce10c7.txt"])   # headings run into the prose
def test_all_six_sections(path):
    assert by_rule(parsed(path))["sections.complete"]["ok"] is True


def test_missing_sections_are_named():
    # a web copy cut inside table B: 四, 五, 六 are not in the document
    got = by_rule(parsed(VARIETY / "longgang-2024-pipe.txt"))["sections.complete"]
    assert got == {"rule": "sections.complete", "ok": False, "detail": "missing section 四, 五, 六"}


@pytest.mark.parametrize("five,ok", [("无。", False), ("暂无。", False), ("本年度无相关问题。", False),
                                     ("", False), ("一是解读形式单一。", True)])
def test_section_five_not_empty(five, ok):
    text = ("一、总体情况\n本年度工作平稳。\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
            "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n" + five + "\n六、其他需要报告的事项\n无。\n")
    got = by_rule({"checks": run_checks({"text": text, "year": 2020})})["sections.complete"]
    assert got["ok"] is ok, got["detail"]


def test_a_table_of_contents_is_not_the_sections():
    text = ("报告包括：一、总体情况；二、主动公开政府信息情况；三、收到和处理政府信息公开申请情况；"
            "四、政府信息公开行政复议、行政诉讼情况；五、存在的主要问题及改进情况；六、其他需要报告的事项。\n"
            "一、总体情况\n本年度工作平稳。\n")
    got = by_rule({"checks": run_checks({"text": text, "year": 2020})})["sections.complete"]
    assert got["detail"] == "missing section 二, 三, 四, 五, 六"


# ------------------------------------------------------------------ fees.information_fee
@pytest.mark.parametrize("path,ok,detail", [
    (REAL / "huaian-2024-pypdf.txt", True, "信息处理费 charged: 3940 元"),
    (VARIETY / "peer-suqian-2025-md.txt", True, "信息处理费 charged: 380 元"),
    # table A's 行政事业性收费 (7730.28 万元) is another fee: 0 元 of 信息处理费 is consistent with it
    (REAL / "hongze-2023-pdfplumber.txt", True, "no 信息处理费 charged"),
    (SAMPLES / "003_053508a99f49d19d.txt", True, "no 信息处理费 charged («未收取任何费用»)"),
])
def test_information_fee_statements(path, ok, detail):
    rec = parsed(path)
    got = by_rule(rec)["fees.information_fee"]
    assert got["ok"] is ok and got["detail"].startswith(detail), got["detail"]


def test_information_fee_contradiction_and_silence():
    six = "一、总体情况\n…\n五、存在的主要问题及改进情况\n一是不足。\n六、其他需要报告的事项\n"
    said_both = six + "本年度未收取信息处理费。全年收取信息处理费200元。"
    got = by_rule({"checks": run_checks({"text": said_both, "year": 2023})})["fees.information_fee"]
    assert got["ok"] is False and "charged" in got["detail"] and "none was" in got["detail"]
    # quoting the rule is no statement of what happened
    rule_only = six + "依申请提供政府信息不收取费用，但申请数量明显超过合理范围的可以收取信息处理费。全年收取信息处理费200元。"
    assert by_rule({"checks": run_checks({"text": rule_only, "year": 2023})})["fees.information_fee"]["ok"] is True
    # 2021 onward: section 六 must report it; a 2020 report need not
    silent = six + "无。"
    assert by_rule({"checks": run_checks({"text": silent, "year": 2023})})["fees.information_fee"]["ok"] is False
    assert "fees.information_fee" not in by_rule({"checks": run_checks({"text": silent, "year": 2020})})
