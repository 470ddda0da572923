"""extract_tables / normalize_text on hand-made variations of the national tables."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gicrawler.parsing.normalize import normalize_text
from gicrawler.parsing.tables import extract_tables, parse_value

APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")

B_LABELS_2021 = [
    ("一、本年新收政府信息公开申请数量",), ("二、上年结转政府信息公开申请数量",),
    ("三、本年度办理结果", "(一)予以公开"), ("三、本年度办理结果", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
    ("三、本年度办理结果", "(三)不予公开", "1.属于国家秘密"), ("三、本年度办理结果", "(三)不予公开", "2.其他法律行政法规禁止公开"),
    ("三、本年度办理结果", "(三)不予公开", "3.危及“三安全一稳定”"), ("三、本年度办理结果", "(三)不予公开", "4.保护第三方合法权益"),
    ("三、本年度办理结果", "(三)不予公开", "5.属于三类内部事务信息"), ("三、本年度办理结果", "(三)不予公开", "6.属于四类过程性信息"),
    ("三、本年度办理结果", "(三)不予公开", "7.属于行政执法案卷"), ("三、本年度办理结果", "(三)不予公开", "8.属于行政查询事项"),
    ("三、本年度办理结果", "(四)无法提供", "1.本机关不掌握相关政府信息"), ("三、本年度办理结果", "(四)无法提供", "2.没有现成信息需要另行制作"),
    ("三、本年度办理结果", "(四)无法提供", "3.补正后申请内容仍不明确"),
    ("三、本年度办理结果", "(五)不予处理", "1.信访举报投诉类申请"), ("三、本年度办理结果", "(五)不予处理", "2.重复申请"),
    ("三、本年度办理结果", "(五)不予处理", "3.要求提供公开出版物"), ("三、本年度办理结果", "(五)不予处理", "4.无正当理由大量反复申请"),
    ("三、本年度办理结果", "(五)不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    ("三、本年度办理结果", "(六)其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("三、本年度办理结果", "(六)其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("三、本年度办理结果", "(六)其他处理", "3.其他"),
    ("三、本年度办理结果", "(七)总计"), ("四、结转下年度继续办理",),
]
B_KEYS_2021 = [
    "received", "carried_over", "granted", "partially_granted",
    "denied.state_secret", "denied.prohibited_by_law", "denied.security_stability", "denied.third_party_rights",
    "denied.internal_affairs", "denied.process_info", "denied.enforcement_files", "denied.administrative_query",
    "unable.not_held", "unable.needs_creation", "unable.unclear_after_correction",
    "not_processed.petition_complaint", "not_processed.duplicate", "not_processed.publication",
    "not_processed.excessive", "not_processed.confirm_or_reissue",
    "other.no_correction", "other.unpaid_fee", "other.other", "total", "carried_forward",
]


def _get(table, dotted):
    for part in dotted.split("."):
        table = table[part]
    return table


def _row_values(i):
    """Distinct, self-consistent numbers for row i: six columns + their total."""
    six = [i + 1, i % 3, 0, 0, i % 2, 0]
    return six + [sum(six)]


def b_grid(labels=B_LABELS_2021, values=_row_values, header=True):
    """An expanded HTML grid of table B: 3 label columns (spans repeated) + 7 values."""
    grid = []
    if header:
        note = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
        grid += [[note] * 3 + ["申请人情况"] * 7,
                 [note] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"],
                 [note] * 3 + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]]
    for i, lab in enumerate(labels):
        cells = list(lab) + [lab[-1]] * (3 - len(lab))
        grid.append(cells + [str(v) for v in values(i)])
    return grid


A_2021_GRID = [
    ["第二十条第(一)项"] * 4,
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "1", "0", "5"],
    ["行政规范性文件", "8", "26", "66"],
    ["第二十条第(五)项"] * 4,
    ["信息内容", "本年处理决定数量", "本年处理决定数量", "本年处理决定数量"],
    ["行政许可", "447228", "447228", "447228"],
    ["第二十条第(六)项"] * 4,
    ["信息内容", "本年处理决定数量", "本年处理决定数量", "本年处理决定数量"],
    ["行政处罚", "3985758", "3985758", "3985758"],
    ["行政强制", "88283", "88283", "88283"],
    ["第二十条第(八)项"] * 4,
    ["信息内容", "本年收费金额(单位:万元)", "本年收费金额(单位:万元)", "本年收费金额(单位:万元)"],
    ["行政事业性收费", "96171.6", "96171.6", "96171.6"],
]

C_GRID = [
    ["行政复议"] * 5 + ["行政诉讼"] * 10,
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5,
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3,
    ["72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "12", "1", "1", "6", "20"],
]


# ---------------------------------------------------------------- normalize_text
def test_normalize_traditional_fullwidth_spaces_pinyin():
    raw = "嘉興市數(shù)據(jù)局２０２４年度報(bào)告\r\n（一）主動(dòng)公開：１２３件\u3000共&nbsp;5\u00a0條"
    assert normalize_text(raw) == "嘉兴市数据局2024年度报告\n(一)主动公开:123件 共 5 条"


def test_normalize_keeps_real_parentheticals_and_lines():
    s = "采购总金额(万元)\n第二十条第(一)项\n(2021—2025年)\n文件(pdf)\nABC(x)"
    assert normalize_text(s) == s


def test_normalize_empty():
    assert normalize_text("") == ""


# ---------------------------------------------------------------- cells
@pytest.mark.parametrize("cell,num,unit", [
    ("0", 0, ""), ("+38", 38, ""), ("-73", -73, ""), ("1,234", 1234, ""), ("2823.12万", 2823.12, "万"),
    ("251000元", 251000, "元"), (" 12 ", 12, ""), ("〇", 0, ""), ("零", 0, ""),
])
def test_parse_value_numbers(cell, num, unit):
    v = parse_value(cell)
    assert v is not None and float(v.num) == num and v.unit == unit


@pytest.mark.parametrize("cell", ["", " ", "/", "—", "-", "&nbsp;", "——"])
def test_parse_value_blank(cell):
    v = parse_value(cell)
    assert v is not None and v.num is None


@pytest.mark.parametrize("cell", ["规章", "(一)予以公开", "第二十条第(一)项", "1.属于国家秘密"])
def test_parse_value_label(cell):
    assert parse_value(cell) is None


# ---------------------------------------------------------------- grids
def test_2021_grids_with_expanded_spans():
    got = extract_tables("", grids=[A_2021_GRID, b_grid(), C_GRID])
    assert got["template"] == "2021"
    assert got["missing_tables"] == {}
    active = got["tables"]["active"]
    assert active["regulations"] == {"issued": 1, "repealed": 0, "in_force": 5}
    assert active["licensing"] == {"decisions": 447228}        # colspan copies ignored
    assert active["fees"] == {"amount_10k_yuan": 96171.6}
    app = got["tables"]["applications"]
    for i, key in enumerate(B_KEYS_2021):
        assert _get(app, key) == dict(zip(APPLICANTS, _row_values(i))), key
    assert got["tables"]["review_litigation"]["review"] == {
        "upheld": 72, "corrected": 64, "other": 178, "pending": 37, "total": 351}
    assert got["tables"]["review_litigation"]["litigation_after_review"]["total"] == 20


def test_split_table_continued_in_second_grid():
    grid = b_grid()
    first, second = grid[:3 + 13], grid[3 + 13:]        # header + 13 rows | 12 rows, no header
    got = extract_tables("", grids=[first, second])
    app = got["tables"]["applications"]
    for i, key in enumerate(B_KEYS_2021):
        assert _get(app, key)["total"] == _row_values(i)[-1], key


def test_split_table_a_in_four_grids():
    parts = [A_2021_GRID[0:4], A_2021_GRID[4:7], A_2021_GRID[7:11], A_2021_GRID[11:]]
    got = extract_tables("", grids=parts)
    assert got["tables"]["active"]["enforcement"] == {"decisions": 88283}
    assert got["tables"]["active"]["normative_documents"] == {"issued": 8, "repealed": 26, "in_force": 66}


def test_blank_cells_are_none_not_zero():
    def values(i):
        return ["", "/", "—", "-", " ", "0", "3"] if i == 0 else _row_values(i)
    got = extract_tables("", grids=[b_grid(values=values)])
    assert got["tables"]["applications"]["received"] == {
        "natural_person": None, "commercial": None, "research": None, "social_org": None,
        "legal_service": None, "other_org": 0, "total": 3}


def test_labels_with_spaces_and_line_breaks():
    grid = [
        ["信息内容", "本年新\n制作数量", "本年新\n公开数量", "对外公开\n总数量"],
        ["规 章", "0", "0", "79"],
        ["规范性\n文件", "127", "127", "1443"],
    ]
    got = extract_tables("", grids=[grid])
    assert got["template"] == "2019"
    assert got["tables"]["active"]["regulations"] == {"made": 0, "published": 0, "public_total": 79}
    assert got["tables"]["active"]["normative_documents"] == {"made": 127, "published": 127, "public_total": 1443}


def test_2019_template_procurement_units_and_signed_changes():
    grid = [
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        ["行政许可", "347", "-73", "326417"],
        ["其他对外管理服务事项", "1573", "-179", "3356054"],
        ["信息内容", "上一年项目数量", "本年增/减", "本年增/减"],
        ["行政事业性收费", "100", "+38", "+38"],
        ["信息内容", "采购项目数量", "采购总金额", "采购总金额"],
        ["政府集中采购", "4", "2823.12万", "2823.12万"],
    ]
    active = extract_tables("", grids=[grid])["tables"]["active"]
    assert active["licensing"] == {"prior_items": 347, "change": -73, "decisions": 326417}
    assert active["other_services"]["change"] == -179
    assert active["fees"] == {"prior_items": 100, "change": 38}
    assert active["procurement"] == {"projects": 4, "amount_yuan": 28231200}
    assert isinstance(active["procurement"]["amount_yuan"], int)


@pytest.mark.parametrize("header,cell,yuan", [
    ("采购总金额(万元)", "631972.7378", 6319727378),
    ("采购总金额", "251000元", 251000),
    ("采购总金额(元)", "251000", 251000),
    ("采购总金额", "1.5亿", 150000000),
])
def test_procurement_amount_units(header, cell, yuan):
    grid = [["信息内容", "采购项目数量", header], ["政府集中采购", "3", cell]]
    assert extract_tables("", grids=[grid])["tables"]["active"]["procurement"] == {"projects": 3, "amount_yuan": yuan}


def test_fees_in_yuan_converted_to_10k():
    grid = [["信息内容", "本年收费金额(单位:万元)"], ["行政事业性收费", "5000元"]]
    assert extract_tables("", grids=[grid])["tables"]["active"]["fees"] == {"amount_10k_yuan": 0.5}


def test_b_header_maps_columns_with_extra_column():
    grid = b_grid()
    # an extra 备注 column at the end with text in it, and a 序号 column in front
    grid = [["序号"] + row + ["备注"] for row in grid[:3]] + \
           [[str(i)] + row + ["含转办件"] for i, row in enumerate(grid[3:])]
    app = extract_tables("", grids=[grid])["tables"]["applications"]
    assert app["received"] == dict(zip(APPLICANTS, _row_values(0)))
    assert app["carried_forward"] == dict(zip(APPLICANTS, _row_values(24)))


def test_b_without_total_column():
    labels = B_LABELS_2021

    def values(i):
        return _row_values(i)[:6]
    grid = b_grid(labels, values)
    grid[:3] = [row[:-1] for row in grid[:3]]                 # header without 总计
    app = extract_tables("", grids=[grid])["tables"]["applications"]
    assert app["received"]["natural_person"] == 1
    assert app["received"]["total"] is None
    assert app["total"]["natural_person"] == _row_values(23)[0]


def test_b_rows_that_dropped_a_blank_cell_are_not_the_table_without_total():
    """A 0 printed as nothing leaves six numbers in a text row of a table whose header prints
    总计: where most rows did so, the table was read as the one without 总计 columns, every
    number after the blank a column off (本年新收 3001 53 _ 0 61 4 3119: 3119 as 其他)."""
    import re
    from pathlib import Path

    from gicrawler.parsing import parse_report
    page = (Path(__file__).parent / "corpus" / "real" / "huaian-2024-pypdf.txt").read_text(encoding="utf-8")
    blanked = re.sub(r"(?m)^(.*\D )(\d+ \d+) 0 ((?:\d+ ){3}\d+)$", r"\1\2  \3", page)
    assert blanked.count("\n") == page.count("\n") and blanked.count("  ") >= 20
    clean, damaged = (parse_report(t)["tables"].get("applications") or {} for t in (page, blanked))
    assert clean["received"]["other_org"] == 4 and clean["received"]["total"] == 3119
    for key, row in damaged.items():
        for sub, cells in (row.items() if "natural_person" not in row else [("", row)]):
            want = clean[key][sub] if sub else clean[key]
            assert all(v is None or v == want[c] for c, v in cells.items()), (key, sub, cells)


def test_b_row_numbers_split_over_two_lines_are_not_one_row():
    """PDF text that prints a row's label line with four numbers (three blank cells dropped) and
    three numbers on the next line (the next row's, its label below them): the seven were one
    row, 8.属于行政查询事项 0 0 0 0 10 0 10 (its 10s the next row's 本机关不掌握)."""
    from pathlib import Path

    from gicrawler.parsing import parse_report
    page = (Path(__file__).parent / "corpus" / "real" / "hongze-2023-pdfplumber.txt").read_text(encoding="utf-8")
    split = page.replace("8.属于行政查询事项 0 0 0 0 0 0 0\n10 0 0 0 0 0 10\n", "8.属于行政查询事项 0 0 0 0\n10 0 10\n")
    assert split != page
    clean = parse_report(page)["tables"]["applications"]["denied"]["administrative_query"]
    assert clean == dict.fromkeys(APPLICANTS, 0)
    row = parse_report(split)["tables"]["applications"]["denied"]["administrative_query"]
    assert all(v is None or v == 0 for v in row.values()), row


def test_mixed_templates_2021_a_with_2019_b():
    labels = [lab for lab in B_LABELS_2021 if "(六)其他处理" not in lab]
    labels.insert(20, ("三、本年度办理结果", "(六)其他处理"))
    got = extract_tables("", grids=[A_2021_GRID, b_grid(labels)])
    assert got["template"] == "2021"
    other = got["tables"]["applications"]["other"]
    # a non-zero single "其他处理" row cannot be split into the 2021 sub-rows: kept as printed
    assert other == dict(zip(APPLICANTS, _row_values(20)))
    assert got["tables"]["applications"]["total"] == dict(zip(APPLICANTS, _row_values(21)))


def test_mixed_templates_zero_other_row_expands():
    labels = [lab for lab in B_LABELS_2021 if "(六)其他处理" not in lab]
    labels.insert(20, ("三、本年度办理结果", "(六)其他处理"))
    zeros = dict.fromkeys(APPLICANTS, 0)
    got = extract_tables("", grids=[A_2021_GRID, b_grid(labels, values=lambda i: [0] * 7)])
    assert got["tables"]["applications"]["other"] == {"no_correction": zeros, "unpaid_fee": zeros, "other": zeros}


def test_2019_report_b_single_other_row():
    labels = [lab for lab in B_LABELS_2021 if "(六)其他处理" not in lab]
    labels.insert(20, ("三、本年度办理结果", "(六)其他处理"))
    got = extract_tables("", grids=[b_grid(labels)])
    assert got["template"] == "2019"
    assert got["tables"]["applications"]["other"]["total"] == _row_values(20)[-1]


# ---------------------------------------------------------------- plain text shapes
TEXT_2021 = """一、总体情况
全年主动公开规章 3 件,行政许可 12 件。
二、主动公开政府信息情况
第二十条第(一)项
信息内容 本年制发件数 本年废止件数 现行有效件数
规章 1 0 11
行政规范性文件 8 26 66
第二十条第(五)项
信息内容 本年处理决定数量
行政许可 447228
- 4 -
信息内容 本年处理决定数量
行政处罚 3985758
行政强制 /
信息内容 本年收费金额(单位:万元)
行政事业性收费 96171.6
三、收到和处理政府信息公开申请情况
{b_rows}
四、政府信息公开行政复议、行政诉讼情况
行政复议 行政诉讼
结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉
72 64 178 37 351 13 4 8 1 26 12 1 1 6 20
五、存在的主要问题及改进情况
2024 年共有 3 个问题 5 6 7 8 9 10 11 12 13 14 15 16 17。
"""


def _b_text(sep=" ", labels=B_LABELS_2021):
    head = "申请人情况\n自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 法律服务机构 其他\n"
    rows = [sep.join(["".join(lab[-1:])] + [str(v) for v in _row_values(i)]) for i, lab in enumerate(labels)]
    return head + "\n".join(rows)


def test_pdf_like_text_lines():
    got = extract_tables(TEXT_2021.replace("{b_rows}", _b_text()))
    assert got["missing_tables"] == {}
    active = got["tables"]["active"]
    assert active["regulations"] == {"issued": 1, "repealed": 0, "in_force": 11}   # not the prose "3 件"
    assert active["licensing"] == {"decisions": 447228}                           # across a page mark
    assert active["enforcement"] == {"decisions": None}
    app = got["tables"]["applications"]
    for i, key in enumerate(B_KEYS_2021):
        assert _get(app, key) == dict(zip(APPLICANTS, _row_values(i))), key
    assert got["tables"]["review_litigation"]["litigation_direct"]["total"] == 26


def test_one_cell_per_line_text():
    text = TEXT_2021.replace("{b_rows}", _b_text(sep="\n"))
    text = "\n".join(tok for line in text.split("\n") for tok in (line.split(" ") if "年" not in line else [line]))
    got = extract_tables(text)
    assert got["tables"]["active"]["normative_documents"] == {"issued": 8, "repealed": 26, "in_force": 66}
    assert _get(got["tables"]["applications"], "other.unpaid_fee") == dict(zip(APPLICANTS, _row_values(21)))
    assert got["tables"]["review_litigation"]["review"]["total"] == 351


def test_pipe_text():
    b = "\n".join(" | ".join(list(lab) + [str(v) for v in _row_values(i)]) + " |"
                  for i, lab in enumerate(B_LABELS_2021))
    text = ("三、收到和处理政府信息公开申请情况\n(本列数据的勾稽关系为...) | 申请人情况 | ||||||\n"
            "自然人 | 法人或其他组织 | 总计 ||||\n" + b + "\n四、政府信息公开行政复议、行政诉讼情况\n")
    app = extract_tables(text)["tables"]["applications"]
    for i, key in enumerate(B_KEYS_2021):
        assert _get(app, key) == dict(zip(APPLICANTS, _row_values(i))), key


def test_missing_row_leaves_none_and_keeps_the_rest():
    labels = [lab for lab in B_LABELS_2021 if "重复申请" not in lab[-1]]
    idx = B_KEYS_2021.index("not_processed.duplicate")

    def values(i):
        return _row_values(i if i < idx else i + 1)
    text = "三、收到和处理政府信息公开申请情况\n申请人情况\n" + "\n".join(
        " ".join([lab[-1]] + [str(v) for v in values(i)]) for i, lab in enumerate(labels))
    app = extract_tables(text)["tables"]["applications"]
    assert app["not_processed"]["duplicate"] == dict.fromkeys(APPLICANTS)
    assert app["not_processed"]["publication"] == dict(zip(APPLICANTS, _row_values(idx + 1)))
    assert app["carried_forward"] == dict(zip(APPLICANTS, _row_values(24)))


def test_garbled_table_is_missing_not_wrong():
    # numbers without row labels and not matching any template shape: nothing is guessed
    text = "三、收到和处理政府信息公开申请情况\n申请人情况 自然人\n" + "\n".join(["1 2 3 4 5"] * 9)
    got = extract_tables(text)
    assert "applications" not in got["tables"]
    assert got["missing_tables"]["applications"] == "unreadable"


def test_heading_without_table_is_not_found_or_image():
    text = "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题"
    assert extract_tables(text)["missing_tables"] == {
        "active": "not found", "applications": "not found", "review_litigation": "not found"}
    got = extract_tables(text, image_sections={"二", 3})
    assert got["missing_tables"] == {"active": "image", "applications": "image", "review_litigation": "not found"}
    assert got["template"] is None and got["tables"] == {}


def test_traditional_text_through_normalize():
    text = normalize_text("二、主動公開政府信息情況\n信息內容 本年制發件數 本年廢止件數 現行有效件數\n規章 ２ ０ ９\n")
    assert extract_tables(text)["tables"]["active"]["regulations"] == {"issued": 2, "repealed": 0, "in_force": 9}


@pytest.mark.parametrize("junk", ["", "随机文本 1 2 3", "\x00\x01", "|||\n||", "二、主动公开政府信息情况\n规章"])
def test_junk_input_never_crashes(junk):
    got = extract_tables(junk, grids=[[["规章"]], [], [[""]]])
    assert set(got) == {"template", "tables", "missing_tables", "notes"}
    assert set(got["missing_tables"]) | set(got["tables"]) == {"active", "applications", "review_litigation"}


def test_grid_with_index_and_remark_columns_in_table_a():
    grid = [
        ["序号", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "备注"],
        ["1", "规章", "1", "0", "5", "含修订"],
        ["2", "行政规范性文件", "", "/", "66", ""],
    ]
    active = extract_tables("", grids=[grid])["tables"]["active"]
    assert active["regulations"] == {"issued": 1, "repealed": 0, "in_force": 5}
    assert active["normative_documents"] == {"issued": None, "repealed": None, "in_force": 66}


def test_review_litigation_one_row_per_group():
    grid = [
        ["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
        ["行政复议", "1", "2", "0", "0", "3"],
        ["行政诉讼", "复议后起诉", "5", "0", "0", "1", "6"],
        ["行政诉讼", "未经复议直接起诉", "4", "0", "0", "0", "4"],
    ]
    rl = extract_tables("", grids=[grid])["tables"]["review_litigation"]
    assert rl["review"] == {"upheld": 1, "corrected": 2, "other": 0, "pending": 0, "total": 3}
    assert rl["litigation_direct"]["upheld"] == 4          # by label, not by row order
    assert rl["litigation_after_review"]["total"] == 6


def test_review_litigation_header_row_padded_with_blank_cells():
    """A header row repeated (broken markup) whose rowspans no longer line up: ten labels and
    five blank cells. Its blanks are not the table's numbers; the data row under it is (else the
    page's text, blank cells dropped, read 5 2 7 8 1 9 twice as the twelve numbers of a table
    without 总计 columns)."""
    padded = C_GRID[2][:10] + [""] * 5
    got = extract_tables("", grids=[C_GRID[:3] + [padded] + C_GRID[3:] + C_GRID[3:]])
    assert got["tables"]["review_litigation"] == extract_tables("", grids=[C_GRID])["tables"]["review_litigation"]


def _c_page(data_row: str) -> str:
    """An HTML page holding table C (header as on real pages), its data row as given."""
    head = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    table = ('<table border="1"><tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr><tr>'
             + "".join(f'<td rowspan="2">{x}</td>' for x in head)
             + '<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>'
             + "<tr>" + "".join(f"<td>{x}</td>" for x in head * 2) + "</tr>" + data_row + "</table>")
    return ('<html><body><div id="zoom"><p>某某县2023年政府信息公开工作年度报告</p>'
            "<p>四、政府信息公开行政复议、行政诉讼情况</p>" + table
            + "<p>五、存在的主要问题及改进情况</p><p>无。</p></div></body></html>")


def test_review_litigation_blank_cells_dropped_from_the_text_are_not_a_table_without_totals():
    """Fuzzing: a stray </table> before table C's data row leaves its grid without numbers, and
    the page's text (one line per non-empty cell) shows its fifteen cells, three blank, as
    twelve numbers. Under a header that prints 总计 those are not the table without 总计
    columns (read so, 351 became review.pending): no number rather than wrong ones."""
    from gicrawler.parsing import parse_report

    cells = ["72", "64", "", "37", "351", "13", "4", "", "1", "26", "12", "1", "", "6", "20"]
    row = "<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>"
    clean = parse_report(_c_page(row).encode())["tables"]["review_litigation"]
    assert clean["review"] == {"upheld": 72, "corrected": 64, "other": None, "pending": 37, "total": 351}
    record = parse_report(_c_page("</table>" + row).encode())
    assert record["tables"].get("review_litigation") is None
    assert record["missing_tables"]["review_litigation"] == "unreadable"


def test_review_litigation_one_row_per_group_blank_cells_dropped_from_the_text():
    """The same with table C one row per group: the header (its 总计) is in the grid left
    without numbers, the text's region starts at 行政复议, and each row's five cells, one
    blank, show four numbers — not the four columns of a table without 总计."""
    from gicrawler.parsing import parse_report

    head = "".join(f"<td>{x}</td>" for x in ["类别", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])
    rows = "".join(f"<tr><td>{g}</td>" + "".join(f"<td>{x}</td>" for x in v) + "</tr>" for g, v in [
        ("行政复议", ["5", "", "1", "2", "8"]), ("未经复议直接起诉", ["3", "1", "", "0", "4"]),
        ("复议后起诉", ["2", "0", "1", "", "3"])])

    def page(between):
        return ('<html><body><div id="zoom"><p>某某县2023年政府信息公开工作年度报告</p>'
                f"<p>四、政府信息公开行政复议、行政诉讼情况</p><table><tr>{head}</tr>{between}{rows}</table>"
                "<p>五、存在的主要问题及改进情况</p><p>无。</p></div></body></html>").encode()

    clean = parse_report(page(""))["tables"]["review_litigation"]
    assert clean["review"] == {"upheld": 5, "corrected": None, "other": 1, "pending": 2, "total": 8}
    record = parse_report(page("</table>"))
    assert record["tables"].get("review_litigation") is None
    assert record["missing_tables"]["review_litigation"] == "unreadable"


def test_review_litigation_twelve_numbers_under_a_header_without_totals():
    """The table without 总计 columns is still read: twelve numbers under a header printing none."""
    head = "行政复议 行政诉讼\n未经复议直接起诉 复议后起诉\n" + "结果维持 结果纠正 其他结果 尚未审结 " * 3
    text = "四、政府信息公开行政复议、行政诉讼情况\n" + head + "\n" + " ".join(str(i) for i in range(1, 13)) + "\n"
    rl = extract_tables(text)["tables"]["review_litigation"]
    assert rl["review"] == {"upheld": 1, "corrected": 2, "other": 3, "pending": 4, "total": None}
    assert rl["litigation_after_review"] == {"upheld": 9, "corrected": 10, "other": 11, "pending": 12, "total": None}
    with_totals = text.replace("尚未审结 ", "尚未审结 总计 ")
    assert "review_litigation" not in extract_tables(with_totals)["tables"]
    by_group = [["类别", "结果维持", "结果纠正", "其他结果", "尚未审结"], ["行政复议", "1", "2", "3", "4"],
                ["未经复议直接起诉", "5", "6", "7", "8"], ["复议后起诉", "9", "10", "11", "12"]]
    assert extract_tables("", grids=[by_group])["tables"]["review_litigation"] == rl


def test_review_litigation_followed_by_prose_numbers():
    text = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
            + " ".join(str(i) for i in range(15)) + "\n2024\n")
    rl = extract_tables(text)["tables"]["review_litigation"]
    assert rl["litigation_after_review"]["total"] == 14


def _column_major_text(columns, labels):
    """pdfminer-like table B: the row labels, then each column's numbers one per line."""
    head = "三、收到和处理政府信息公开申请情况\n申请人情况\n自然人\n商业企业\n科研机构\n社会公益组织\n法律服务机构\n其他\n总计\n"
    return head + "\n".join(labels) + "\n" + "\n".join(str(v) for col in columns for v in col) + \
        "\n四、政府信息公开行政复议、行政诉讼情况\n"


def test_column_major_total_column_moved_and_middle_columns_withheld():
    labels = ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "(一)予以公开"]
    natural, commercial, research = [5, 1, 4], [2, 0, 1], [1, 0, 0]
    total = [a + b + c for a, b, c in zip(natural, commercial, research)]
    zeros = [0, 0, 0]
    # total printed before the last organisation column, as pdfminer did in hongze-2024
    cols = [natural, commercial, research, zeros, zeros, total, zeros]
    app = extract_tables(_column_major_text(cols, labels))["tables"]["applications"]
    assert app["received"]["natural_person"] == 5 and app["received"]["total"] == 8
    assert app["granted"]["total"] == 5
    # the organisation columns differ from each other: their order is not knowable
    assert app["received"]["commercial"] is None and app["received"]["other_org"] is None


def test_column_major_all_zero_organisations_kept():
    labels = ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "(一)予以公开"]
    zeros = [0, 0, 0]
    cols = [[7, 1, 6], zeros, zeros, zeros, zeros, zeros, [7, 1, 6]]
    app = extract_tables(_column_major_text(cols, labels))["tables"]["applications"]
    assert app["received"] == dict(zip(APPLICANTS, [7, 0, 0, 0, 0, 0, 7]))
    assert app["carried_over"] == dict(zip(APPLICANTS, [1, 0, 0, 0, 0, 0, 1]))


def test_column_major_table_a_pdfminer():
    text = ("二、主动公开政府信息情况\n第二十条第(一)项\n信息内容\n本年制发件数 本年废止件数 现行有效件数\n"
            "规章\n\n行政规范性文件\n\n0\n\n3\n\n1\n\n0\n\n2\n\n8\n")
    active = extract_tables(text)["tables"]["active"]
    assert active["regulations"] == {"issued": 0, "repealed": 1, "in_force": 2}
    assert active["normative_documents"] == {"issued": 3, "repealed": 0, "in_force": 8}


# ---------------------------------------------------------------- an HTML page end to end
# Shaped like real 2019-template pages (Shanghai 2019): header and data rows span columns
# differently (上一年项目数量 over one column, its value over two), &nbsp; blanks, blank 总计
# cells, rowspans in the label columns. Goes through PARSER-DOCS's parse_report.
def _html_report():
    def td(x, cs=1, rs=1):
        a = (f' colspan="{cs}"' if cs > 1 else '') + (f' rowspan="{rs}"' if rs > 1 else '')
        return f'<td{a}><p>{x}</p></td>'

    def tr(*cells):
        return '<tr>' + ''.join(cells) + '</tr>'

    N = '&nbsp;'
    A = ('<table border="1"><tbody>'
         + tr(td('第二十条第（一）项', 5))
         + tr(td('信息内容'), td('本年新<br />制作数量'), td('本年新<br />公开数量', 2), td('对外公开总数量'))
         + tr(td('规章'), td('13'), td('13', 2), td('524'))
         + tr(td('规范性文件'), td('60'), td('60', 2), td('368'))
         + tr(td('第二十条第（五）项', 5))
         + tr(td('信息内容'), td('上一年项目数量'), td('本年增/减', 2), td('处理决定数量'))
         + tr(td('行政许可'), td('120', 2), td('-7'), td('3300'))
         + tr(td('其他对外管理服务事项'), td('0', 2), td('0'), td('45'))
         + tr(td('第二十条第（八）项', 5))
         + tr(td('信息内容'), td('上一年项目数量', 2), td('本年增/减', 2))
         + tr(td('行政事业性收费'), td('9', 2), td('+1', 2))
         + tr(td('第二十条第（九）项', 5))
         + tr(td('信息内容'), td('采购项目数量', 2), td('采购总金额', 2))
         + tr(td('政府集中采购'), td('6', 2), td('251000元', 2))
         + '</tbody></table>')
    B = ('<table border="1"><tbody>'
         + tr(td('（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）', 3, 3), td('申请人情况', 7))
         + tr(td('自然人', 1, 2), td('法人或其他组织', 5), td('总计', 1, 2))
         + tr(td('商业企业'), td('科研机构'), td('社会公益组织'), td('法律服务机构'), td('其他'))
         + tr(td('一、本年新收政府信息公开申请数量', 3), *[td(v) for v in ['821', '35', N, N, '2', '1', '859']])
         + tr(td('二、上年结转政府信息公开申请数量', 3), *[td(v) for v in ['18', N, N, N, N, N, '18']])
         + tr(td('三、本年度办理结果', 1, 20), td('（一）予以公开', 2), *[td(v) for v in ['258', '12', N, N, '1', '1', N]])
         + tr(td('（二）部分公开（区分处理的，只计这一情形，不计其他情形）', 2), *[td(v) for v in ['3', N, N, N, N, N, N]])
         + tr(td('（三）不予公开', 1, 8), td('1.属于国家秘密'), *[td(v) for v in ['14'] + [N] * 6])
         + ''.join(tr(td(l), *[td(v) for v in [x] + [N] * 6]) for l, x in [
             ('2.其他法律行政法规禁止公开', N), ('3.危及“三安全一稳定”', N), ('4.保护第三方合法权益', N),
             ('5.属于三类内部事务信息', '5'), ('6.属于四类过程性信息', '3'), ('7.属于行政执法案卷', N), ('8.属于行政查询事项', '10')])
         + tr(td('（四）无法提供', 1, 3), td('1.本机关不掌握相关政府信息'), *[td(v) for v in ['252', '12', N, N, '1', N, N]])
         + tr(td('2.没有现成信息需要另行制作'), *[td(v) for v in ['44', '3'] + [N] * 5])
         + tr(td('3.补正后申请内容仍不明确'), *[td(v) for v in ['25'] + [N] * 6])
         + tr(td('（五）不予处理', 1, 5), td('1.信访举报投诉类申请'), *[td(v) for v in ['148', '1'] + [N] * 5])
         + tr(td('2.重复申请'), *[td(v) for v in ['5', '4'] + [N] * 5])
         + ''.join(tr(td(l), *[td(N)] * 7) for l in ['3.要求提供公开出版物', '4.无正当理由大量反复申请', '5.要求行政机关确认或重新出具已获取信息'])
         + tr(td('（六）其他处理', 2), *[td(N)] * 7)
         + tr(td('（七）总计', 2), *[td(v) for v in ['767', '35', N, N, '2', '1', '805']])
         + tr(td('四、结转下年度继续办理', 3), *[td(v) for v in ['72', N, N, N, N, N, '72']])
         + '</tbody></table>')
    C = ('<table border="1"><tbody>'
         + tr(td('行政复议', 5), td('行政诉讼', 10))
         + tr(*[td(x, 1, 2) for x in ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计']], td('未经复议直接起诉', 5), td('复议后起诉', 5))
         + tr(*[td(x) for x in ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计'] * 2])
         + tr(*[td(x) for x in ['5', N, N, '2', '7', '8', N, N, '1', '9', N, N, N, N, N]])
         + '</tbody></table>')
    html = ('<html><head><meta name="ArticleTitle" content="2019年上海市人民政府办公厅政府信息公开工作年度报告"></head><body>'
            '<div class="content"><p>2019年上海市人民政府办公厅政府信息公开工作年度报告</p><p>一、总体情况</p><p>2019年，主动公开规章13件。</p>'
            '<p>二、主动公开政府信息情况</p>' + A + '<p>三、收到和处理政府信息公开申请情况</p>' + B +
            '<p><br />四、政府信息公开行政复议、行政诉讼情况</p>' + C +
            '<p>五、政府信息公开工作存在的主要问题及改进情况</p><p>无。</p><p>六、其他需要报告的事项</p><p>无。</p></div></body></html>')
    return html


def test_html_page_through_parse_report():
    parsing = pytest.importorskip("gicrawler.parsing")
    if not hasattr(parsing, "parse_report"):
        pytest.skip("parse_report not available yet")
    record = parsing.parse_report(_html_report().encode(), content_type="text/html", filename="r.html")
    assert record["template"] == "2019"
    assert record["missing_tables"] == {}
    active = record["tables"]["active"]
    assert active["licensing"] == {"prior_items": 120, "change": -7, "decisions": 3300}
    assert active["other_services"] == {"prior_items": 0, "change": 0, "decisions": 45}
    assert active["fees"] == {"prior_items": 9, "change": 1}
    assert active["procurement"] == {"projects": 6, "amount_yuan": 251000}
    app = record["tables"]["applications"]
    assert app["received"] == dict(zip(APPLICANTS, [821, 35, None, None, 2, 1, 859]))
    assert app["granted"] == dict(zip(APPLICANTS, [258, 12, None, None, 1, 1, None]))
    assert app["unable"]["not_held"]["legal_service"] == 1
    assert app["other"] == dict.fromkeys(APPLICANTS)
    assert app["carried_forward"]["total"] == 72
    rl = record["tables"]["review_litigation"]
    assert rl["review"] == {"upheld": 5, "corrected": None, "other": None, "pending": 2, "total": 7}
    assert rl["litigation_after_review"] == dict.fromkeys(("upheld", "corrected", "other", "pending", "total"))
    checks = {c["rule"]: c for c in record["checks"]}
    assert checks["applications.balance"]["ok"] is True
    assert checks["applications.results_sum"]["ok"] is False      # the page leaves 总计 cells blank


def test_table_of_contents_and_heading_variants():
    text = ("目录\n一、总体情况 1\n二、主动公开政府信息情况 2\n三、收到和处理政府信息公开申请情况 3\n"
            "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况 4\n五、存在的主要问题及改进情况 5\n"
            "一、总体情况\n(二)主动公开政府信息情况:规章 9 件。\n"
            "二、主动公开政府信息情况\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 1 2 3\n"
            "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况\n行政复议 行政诉讼\n"
            + " ".join(["1", "0", "0", "0", "1"] * 3) + "\n五、存在的主要问题及改进情况\n无。\n")
    got = extract_tables(text)
    assert got["tables"]["active"]["regulations"] == {"issued": 1, "repealed": 2, "in_force": 3}
    assert got["tables"]["review_litigation"]["review"]["total"] == 1
    assert got["missing_tables"] == {"applications": "not found"}


def test_missing_row_plus_stray_line_does_not_shift_rows():
    # the row count matches the template by accident: position alone would shift rows
    labels = B_LABELS_2021
    lines = [" ".join([lab[-1]] + [str(v) for v in _row_values(i)]) for i, lab in enumerate(labels)]
    dup = B_KEYS_2021.index("not_processed.duplicate")
    del lines[dup]
    lines.insert(1, "9 9 9 9 9 9 9")
    app = extract_tables("三、收到和处理政府信息公开申请情况\n申请人情况\n" + "\n".join(lines))["tables"]["applications"]
    for i, key in enumerate(B_KEYS_2021):
        expected = dict.fromkeys(APPLICANTS) if i == dup else dict(zip(APPLICANTS, _row_values(i)))
        assert _get(app, key) == expected, key


TOKENS = ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
          "五、存在的主要问题", "规章", "行政许可", "本年新收政府信息公开申请数量", "(七)总计", "3.其他", "自然人",
          "结果维持", "0", "7", "-3", "+5", "2.5万", "/", "—", "|", "\n", " ", "\t", "- 2 -", "(万元)", "采购总金额"]


@given(st.lists(st.sampled_from(TOKENS), max_size=120),
       st.lists(st.lists(st.lists(st.sampled_from(TOKENS[4:19]), max_size=9), max_size=8), max_size=3))
@settings(max_examples=150, deadline=None)
def test_random_input_keeps_the_output_shape(tokens, grids):
    got = extract_tables("".join(tokens), grids=grids, image_sections={"三"})
    assert set(got) == {"template", "tables", "missing_tables", "notes"}
    assert all(isinstance(n, str) for n in got["notes"])
    assert got["template"] in (None, "2019", "2021")
    assert not set(got["tables"]) & set(got["missing_tables"])
    assert set(got["tables"]) | set(got["missing_tables"]) == {"active", "applications", "review_litigation"}
    for table in got["tables"].values():
        for value in _leaves(table):
            assert value is None or type(value) in (int, float)


def _leaves(d):
    for v in d.values():
        if isinstance(v, dict):
            yield from _leaves(v)
        else:
            yield v


def test_pdf_labels_printed_below_their_numbers():
    # pdfplumber on tall label cells: the numbers line comes first, the label after it
    lines = []
    for i, lab in enumerate(B_LABELS_2021):
        lines += [" ".join(str(v) for v in _row_values(i)), lab[-1]]
    app = extract_tables("三、收到和处理政府信息公开申请情况\n申请人情况\n" + "\n".join(lines))["tables"]["applications"]
    for i, key in enumerate(B_KEYS_2021):
        assert _get(app, key) == dict(zip(APPLICANTS, _row_values(i))), key


def test_b_header_with_one_applicant_cell_unread_does_not_shift_columns():
    """A header whose 科研机构 cell is unreadable (OCR, debris) must not move the other columns'
    numbers into the wrong applicant columns."""
    from gicrawler.replicas.layouts import expand_layout, table_layout
    from gicrawler.replicas.samples import load_sample
    seed = load_sample("003")
    grid = expand_layout(table_layout("applications", seed.record["tables"], seed.record["template"]))
    grid = [["科研机(j)构(g ou)" if c == "科研机构" else c for c in row] for row in grid]
    got = extract_tables("", [grid])["tables"]["applications"]
    assert got == seed.record["tables"]["applications"]


@pytest.mark.parametrize("cell", ["52 4", "524人次", "524宗"])
def test_an_unreadable_value_cell_keeps_its_column(cell):
    """A value cell the reader cannot take — two numbers ("52 4"), a unit it does not know —
    is null, and the cells before it keep their columns: read as an empty trailing column or a
    label, it let the span copies of 本年废止件数 (13, 13) fill 现行有效件数 with 13."""
    grid = [["第二十条第(一)项"] * 5,
            ["信息内容", "本年制发件数", "本年废止件数", "本年废止件数", "现行有效件数"],
            ["规章", "13", "13", "13", cell],
            ["行政规范性文件", "60", "60", "60", "368"]]
    active = extract_tables("", grids=[grid])["tables"]["active"]
    assert active["regulations"] == {"issued": 13, "repealed": 13, "in_force": None}
    assert active["normative_documents"] == {"issued": 60, "repealed": 60, "in_force": 368}


def test_a_number_with_an_unknown_unit_is_not_a_label_among_values():
    """"3人次" in table B's first applicant column: taken for a label, the row's values started
    one column later (natural_person = the 商业企业 count)."""
    def values(i):
        return ["3人次", "1", "0", "0", "0", "0", "4"] if i == 0 else _row_values(i)
    grid = [row + [""] for row in b_grid(values=values)]          # an empty 备注 column
    app = extract_tables("", grids=[grid])["tables"]["applications"]
    assert app["received"] == dict(zip(APPLICANTS, [None, 1, 0, 0, 0, 0, 4]))
    assert app["carried_over"] == dict(zip(APPLICANTS, _row_values(1)))


def test_a_repeated_rowspan_row_moves_no_number_into_another_column():
    """A row with rowspan="3" printed twice (杭州-style page, and a row above it twice): its copy
    pushes the rows under it one column right, so "3.其他 | 941 | (六)其他处理 | 17 | 0 …" stands
    under the header's columns 自然人 … — read through the header, 17 became natural_person."""
    import re
    from gicrawler.parsing import parse_report
    from tests.conftest import CORPUS
    page = (CORPUS / "variety" / "peer-hangzhou-style-2025.html").read_text(encoding="utf-8")
    row = re.search(r'<tr><td rowspan="3">（六）其他处理</td>.*?</tr>', page).group()
    above = re.search(r"<tr><td>4.无正当理由大量反复申请</td>.*?</tr>", page).group()

    def values(text):
        app = parse_report(text)["tables"]["applications"]
        return {(k, c): v for k, row in app["other"].items() for c, v in row.items()}

    clean, got = values(page), values(page.replace(row, row * 2).replace(above, above * 2))
    assert {k: v for k, v in got.items() if v is not None and v != clean[k]} == {}
    assert got[("no_correction", "total")] == clean[("no_correction", "total")] == 318


def test_a_count_with_an_unknown_unit_in_a_row_without_label_cells():
    """Table C's one row of numbers with "178人次" among them: its only non-number cell, taken
    for the row's label, left twelve numbers after it, read as a table without 总计 columns."""
    row = list(C_GRID[3])
    row[2] = "178人次"
    got = extract_tables("", grids=[C_GRID[:3] + [row]])["tables"]["review_litigation"]
    assert got["review"] == {"upheld": 72, "corrected": 64, "other": None, "pending": 37, "total": 351}
    assert got["litigation_after_review"]["total"] == 20


def test_a_count_with_an_unknown_unit_keeps_its_place_in_a_text_row():
    """Table C as one text line (洪泽区 2023, pdfplumber's text) with "0人次" among its fifteen
    numbers: taken for labels, those cut the line into runs, and "5 0 0 0 0" became a group."""
    from gicrawler.parsing import parse_report
    from tests.conftest import CORPUS
    text = (CORPUS / "real" / "hongze-2023-pdfplumber.txt").read_text(encoding="utf-8")
    row = "10 1 0 0 0 0 0 0 0 0 5 0 0 0 0"
    assert row in text
    clean = parse_report(text)["tables"]["review_litigation"]
    got = parse_report(text.replace(row, "10 1 0人次 0 0人次 0 0 0 0 0人次 5 0 0 0 0"))["tables"]["review_litigation"]
    assert got["review"] == {**clean["review"], "other": None, "total": None}
    assert got["litigation_direct"] == {**clean["litigation_direct"], "total": None}
    assert got["litigation_after_review"] == clean["litigation_after_review"]


@pytest.mark.parametrize("cells, expected", [
    # a broken end tag (fuzzing: '</td" <td …>', '</td4<td …>'): libxml2 puts both cells' paragraphs
    # in one cell, whose text serialisation would read a number nobody wrote (22, 6251000)
    ('<td><p><span>2</span></p></td" <td style="x"><p><span>2</span></p></td>', ["2 2"]),
    ('<td colspan="2"><p>6</p></td4<td colspan="2"><p>251000元</p></td>', ["6 251000元"]),   # (its colspan copy: trailing, trimmed)
    ("<td>1<br>2</td>", ["1 2"]),
    # what stays as it was: digits split over inline elements, labels over lines, one paragraph
    ("<td><span>1</span><span>2</span></td>", ["12"]),
    ("<td><p><span>1</span><span>2</span></p></td>", ["12"]),
    ("<td>本年<br>制作</td>", ["本年制作"]),
    ("<td>2021<br>年</td>", ["2021年"]),
    ("<td><p>12</p></td>", ["12"]),
    ("<td><p>3</p><!-- 4 --></td>", ["3"]),
])
def test_digits_on_two_lines_of_a_cell_are_not_one_number(cells, expected):
    assert _row_grid(cells) == [expected]


def _row_grid(cells: str) -> list[list[str]]:
    """table_grid of a one-row table of these cells."""
    from gicrawler.parsing.html import parse_tree, table_grid

    return table_grid(next(parse_tree(f"<table><tr>{cells}</tr></table>").iter("table")))


@pytest.mark.parametrize("cells, expected", [
    # a 文号 cell filled by document.write (a real portal template): the script's source is not its text
    ("<td><script>var fileNum=\"\";document.write(fileNum+'号')</script></td>", [""]),
    ("<td><p>12</p><script>x=34</script></td>", ["12"]),
    ("<td>5<style>td{width:1}</style> 件</td>", ["5 件"]),
    ("<td><p><span>7</span></p><script>document.write('8')</script></td>", ["7"]),
    ('<td><select><option>2023</option></select>3</td>', ["3"]),
    # a cell holding cells (a broken end tag nests them): its own text is what a browser shows
    ("<td>2<dtd><script>var n=7;</script><td>150</td></dtd></td><td>5</td>", ["2", "150", "5"]),
])
def test_script_and_style_in_a_cell_are_not_its_text(cells, expected):
    assert _row_grid(cells) == [expected]


@pytest.mark.parametrize("cells, expected", [
    # libxml2 nests the cells after a broken end tag in the cell it leaves open; a browser closes
    # that cell at the next <td>: the nested cells stand beside it (their texts were the host's,
    # "2 150 5", and a blank host took the number of a cell nested in it: 72 under 法律服务机构)
    ("<td>2<dtd><td>150</td><td>5</td>", [["2", "150", "5"]]),
    ("<td>四、结转下年度继续办理</td><td>72</td><td>&nbsp;<dtd><td>&nbsp;</td><td>72</td></tr>",
     [["四、结转下年度继续办理", "72", "", "", "72"]]),
    ("<td>1<div><td>2<tdd><td>3</td></tdd></td></div>4</td><td>5</td>", [["1 4", "2", "3", "5"]]),
    # a table in a cell: its rows are the grid's rows, not the cell's text (nor its <style>, <select>)
    ("<td>2<table><tr><td>150</td></tr></table><style>td{width:30}</style></td>", [["2"], ["150"]]),
    ("<td><table><tr><td>3</td></tr></table><select><option>2019</option></select><!-- 4 --></td>",
     [[""], ["3"]]),
])
def test_a_cell_holding_cells_is_read_as_a_browser_shows_it(cells, expected):
    assert _row_grid(cells) == expected


def test_a_document_number_written_by_script_is_not_read_as_the_script():
    from gicrawler.parsing import parse_report

    page = ("<html><body><table><tr><td>索引号：</td><td>11340100/2024-00123</td></tr>"
            "<tr><td>文号：</td><td id=\"_fileNum\"><script>var fileNum=\"\";if(fileNum==\"\")"
            "{document.write(\"无\")}else{document.write(fileNum+'号')}</script></td></tr>"
            "<tr><td>发布机构：</td><td>某某县人民政府办公室</td></tr></table>"
            "<div id=\"zoom\"><p>某某县2023年政府信息公开工作年度报告</p></div></body></html>")
    record = parse_report(page.encode())
    assert record["document_number"] is None
    assert record["index_number"] == "11340100/2024-00123"
    assert record["publisher"] == "某某县人民政府办公室"
