"""Glued numbers (gicrawler/parsing/glued.py): rows whose cells lost their boundaries.

The glued rows are made from real reports' true tables (the samples in gicrawler/replicas/data/samples
and tests/corpus, values read by hand)
by writing their digits without separators; the decoder must give back the true values or
nothing (ambiguous), never another number."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gicrawler.parsing.checks import run_checks
from gicrawler.parsing.glued import (Glued, decode_applications, decode_review, decode_row, glued_row,
                                     review_table, split_label, splits)
from gicrawler.template import APPLICANT_COLUMNS, REVIEW_COLUMNS as C_COLUMNS, REVIEW_GROUP_KEYS as C_GROUPS
from gicrawler.template import application_rows

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "gicrawler" / "replicas" / "data" / "samples"
B_ROW = ((7, True),)


def _b_rows(app: dict, template: str) -> dict:
    out = {}
    for key in application_rows(template):
        node = app
        for part in key.split("."):
            node = node[part]
        out[key] = tuple(node[c] for c in APPLICANT_COLUMNS)
    return out


def _sample(name: str):
    entry = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))[name]
    return entry["template"], entry["tables"]


def glue(values) -> Glued:
    return Glued(("".join(map(str, values)),))


SAMPLE_003 = "003_053508a99f49d19d.txt"
SAMPLE_002 = "002_30fde63b7d2b0111.txt"


def test_issue_example_row_decodes():
    label, digits = split_label("一、本年新收政府信息公开申请数量640020470")
    assert label == "一、本年新收政府信息公开申请数量"
    assert decode_row(digits, B_ROW) == (64, 0, 0, 2, 0, 4, 70)


def test_split_label_leaves_numbering_alone():
    assert split_label("1.属于国家秘密") is None
    assert split_label("（七）总计") is None
    label, digits = split_label("2.其他法律行政法规禁止公开 0 000000")
    assert label == "2.其他法律行政法规禁止公开" and digits.pieces == ("0", "000000")


def test_pieces_are_cell_boundaries():
    # "1 10 0000 11" and "11 00000 11" glue to the same digits; a kept space decides
    assert len(splits(glue((1, 10, 0, 0, 0, 0, 11)), B_ROW)) == 2
    assert splits(Glued.of("1 100000 11"), B_ROW) == [(1, 10, 0, 0, 0, 0, 11)]
    assert splits(Glued.of("11 00000 11"), B_ROW) == [(11, 0, 0, 0, 0, 0, 11)]


def test_no_leading_zeros_and_total_is_the_sum():
    for values in splits(Glued.of("1023010"), B_ROW):
        assert values[6] == sum(values[:6])
    assert splits(Glued.of("0510006"), B_ROW) == [(0, 5, 1, 0, 0, 0, 6)]   # never "05"
    assert splits(Glued.of("99"), B_ROW) == []                               # too few digits


def test_sample_003_every_row_glued_alone():
    template, tables = _sample(SAMPLE_003)
    rows = _b_rows(tables["applications"], template)
    for key, truth in rows.items():
        result = decode_applications({**rows, key: glue(truth)}, template)
        assert result.rows == {key: truth}, key
        assert result.decoded == [key] and not result.ambiguous


def test_sample_003_all_rows_glued_at_once():
    template, tables = _sample(SAMPLE_003)
    rows = _b_rows(tables["applications"], template)
    result = decode_applications({k: glue(v) for k, v in rows.items()}, template)
    assert result.rows == rows
    assert not result.ambiguous


def _consistent(rows: dict, template: str, **replace) -> dict:
    """rows with some result rows replaced, 总计 and 本年新收 recomputed so every identity holds."""
    rows = {**rows, **replace}
    results = [k for k in application_rows(template) if k not in ("received", "carried_over", "total", "carried_forward")]
    rows["total"] = tuple(sum(rows[k][j] for k in results) for j in range(7))
    rows["received"] = tuple(t + f - o for t, f, o in
                             zip(rows["total"], rows["carried_forward"], rows["carried_over"]))
    assert min(rows["received"]) >= 0
    return rows


def test_row_ambiguous_alone_is_decided_by_the_column_identities():
    template, tables = _sample(SAMPLE_003)
    # a row whose digits split two ways by its own sum: 1|10|0|0|0|0|11 or 11|0|…|11
    odd = (1, 10, 0, 0, 0, 0, 11)
    rows = _consistent(_b_rows(tables["applications"], template), template, **{"denied.security_stability": odd})
    assert decode_row(glue(odd), B_ROW) is None
    result = decode_applications({**rows, "denied.security_stability": glue(odd)}, template)
    assert result.rows == {"denied.security_stability": odd}


def test_two_rows_that_trade_digits_stay_ambiguous():
    template, tables = _sample(SAMPLE_003)
    a, b = (1, 10, 0, 0, 0, 0, 11), (11, 0, 0, 0, 0, 0, 11)
    # two result rows can swap their splits without changing any column sum
    rows = _consistent(_b_rows(tables["applications"], template), template,
                       **{"denied.security_stability": a, "not_processed.publication": b})
    result = decode_applications({**rows, "denied.security_stability": glue(a),
                                  "not_processed.publication": glue(b)}, template)
    assert result.rows == {}
    assert set(result.ambiguous) == {"denied.security_stability", "not_processed.publication"}
    assert all(why.startswith("ambiguous") for why in result.ambiguous.values())


def test_unknown_cells_disable_their_identity_columns():
    template, tables = _sample(SAMPLE_003)
    rows = dict(_b_rows(tables["applications"], template))
    truth = rows["received"]
    # without carried_over the balance cannot be used; the results sum does not involve received
    rows["carried_over"] = (None,) * 7
    result = decode_applications({**rows, "received": glue(truth)}, template)
    assert result.rows.get("received") in (None, truth)


def test_table_breaking_an_identity_gives_no_decoded_row():
    template, tables = _sample(SAMPLE_003)
    rows = dict(_b_rows(tables["applications"], template))
    # a misprinted 总计 row: the glued granted row has no split agreeing with it
    rows["total"] = tuple(v + 1 for v in rows["total"])
    result = decode_applications({**rows, "granted": glue(rows["granted"])}, template)
    assert "granted" not in result.rows
    assert result.ambiguous["granted"].startswith("ambiguous")


def test_review_row_decodes_and_maps_to_the_record_shape():
    _, tables = _sample(SAMPLE_003)
    rl = tables["review_litigation"]
    values = tuple(rl[g][c] for g in C_GROUPS for c in C_COLUMNS)
    # 28|2|2|5|37 and 2|8|22|5|37 (and 2|8|2|25|37) all sum right: that group stays unknown
    got = decode_review(glue(values))
    assert got == values[:10] + (None,) * 5
    table = review_table(got)
    assert table["review"] == rl["review"] and table["litigation_direct"] == rl["litigation_direct"]
    assert set(table["litigation_after_review"].values()) == {None}
    # with the boundaries inside that group kept, it decodes too
    pieces = ("".join(map(str, values[:10])), "28", "2", "2", "537")
    assert decode_review(Glued(pieces)) == values
    zeros = review_table(decode_review(Glued.of("0" * 15)))
    assert zeros == {g: dict.fromkeys(C_COLUMNS, 0) for g in C_GROUPS}
    assert all(c["ok"] for c in run_checks({"tables": {"review_litigation": zeros}}))
    assert decode_review(Glued.of("0" * 14)) is None


def test_enumeration_is_bounded():
    # 60 digits into 7 cells: no split fits (the cap on digits per cell prunes it at once)
    assert splits(Glued.of("1" * 60), B_ROW) == []
    # an unsummed 12-cell row of many digits: the node bound turns it into "ambiguous"
    assert decode_review(Glued.of("123456789" * 5), with_total=False) is None


# ---------------------------------------------------------------- property: never a wrong number
_small = st.integers(0, 3) | st.integers(0, 40) | st.integers(0, 2000)


@st.composite
def b_tables(draw):
    """A table B satisfying every identity (random counts, mostly small, many zeros)."""
    template = draw(st.sampled_from(("2019", "2021")))
    keys = application_rows(template)
    results = [k for k in keys if k not in ("received", "carried_over", "total", "carried_forward")]
    rows = {}
    zero_rows = draw(st.sets(st.sampled_from(results), max_size=len(results)))
    for k in results:
        six = [0] * 6 if k in zero_rows else draw(st.lists(_small, min_size=6, max_size=6))
        rows[k] = (*six, sum(six))
    total = tuple(sum(rows[k][j] for k in results) for j in range(7))
    rows["total"] = total
    forward = draw(st.lists(_small, min_size=6, max_size=6))
    forward = (*forward, sum(forward))
    over = tuple(draw(st.integers(0, total[j] + forward[j])) for j in range(6))
    over = (*over, sum(over))
    rows["carried_forward"], rows["carried_over"] = forward, over
    rows["received"] = tuple(t + f - o for t, f, o in zip(total, forward, over))
    return template, {k: rows[k] for k in keys}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(b_tables(), st.data())
def test_property_decoded_values_are_always_the_true_ones(table, data):
    template, rows = table
    glued_keys = data.draw(st.sets(st.sampled_from(list(rows)), min_size=1, max_size=len(rows)))
    given_rows = {}
    for k, v in rows.items():
        if k in glued_keys:
            # some cell boundaries may survive (a space kept here and there)
            cuts = data.draw(st.sets(st.integers(1, 6), max_size=2))
            pieces, start = [], 0
            for cut in sorted(cuts) + [7]:
                pieces.append("".join(map(str, v[start:cut])))
                start = cut
            given_rows[k] = Glued(tuple(pieces))
        else:
            given_rows[k] = v
    result = decode_applications(given_rows, template)
    for k in glued_keys:
        assert (k in result.rows) != (k in result.ambiguous)
        if k in result.rows:
            assert result.rows[k] == rows[k]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_small, min_size=4, max_size=4), min_size=3, max_size=3))
def test_property_review_decodes_to_the_truth_or_nothing(groups):
    values = tuple(v for g in groups for v in (*g, sum(g)))
    got = decode_review(glue(values))
    assert got is None or all(g is None or g == v for g, v in zip(got, values))



@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.tuples(_small, st.booleans()), min_size=4, max_size=4), min_size=3, max_size=3),
       st.sets(st.integers(1, 14), max_size=3))
def test_property_review_with_blank_cells_decodes_to_the_truth_or_nothing(groups, cuts):
    """Zeros printed as nothing (blank cells) leave no digit in the glued text: a split that
    assumes fifteen printed cells shifts the cells after a blank (0|_|0|10|10 read as 0|0|1|0|1)."""
    cells = []
    for group in groups:
        shown = [None if blank and v == 0 else v for v, blank in group]
        total = sum(v for v, _ in group)
        cells += shown + [total]
    texts = ["" if v is None else str(v) for v in cells]
    pieces, start = [], 0                       # some cell boundaries kept (a space here and there)
    for cut in sorted(cuts) + [15]:
        piece = "".join(texts[start:cut])
        if piece:
            pieces.append(piece)
        start = cut
    got = decode_review(Glued(tuple(pieces)), blanks=True)
    assert got is None or all(got[g * 5:g * 5 + 5] in ((None,) * 5, tuple(cells[g * 5:g * 5 + 5]))
                              for g in range(3))

@pytest.mark.parametrize("pattern", ["one", "all"])
def test_corpus_tables_decode_without_a_wrong_number(pattern):
    """Every complete table B (samples, corpus variety, synthetic): glued rows decode to the truth."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_glued", ROOT / "benchmarks" / "glued.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    tables = list(bench.corpus_tables())
    assert len(tables) >= 8
    decoded = 0
    for name, template, rows, _ in tables:
        sets = [[k] for k in rows] if pattern == "one" else [list(rows)]
        for keys in sets:
            result = decode_applications({k: (glue(v) if k in keys else v) for k, v in rows.items()}, template)
            for k in keys:
                assert result.rows.get(k, rows[k]) == rows[k], (name, k)
                decoded += k in result.rows
    assert decoded > 0


# ---------------------------------------------------------------- wired into the table assemblers
def _glued_lines(sample: str, key: str = "applications", keep=()) -> list[str]:
    """The sample's table as text lines whose numbers are glued (rows in ``keep`` stay spaced)."""
    from gicrawler.replicas.layouts import expand_layout, table_layout
    from gicrawler.replicas.samples import load_sample
    s = load_sample(sample)
    lines = []
    for row in expand_layout(table_layout(key, s.record["tables"], s.record["template"], {"fullwidth": False})):
        label, nums = [], []
        for cell in row:
            if cell.isdigit():
                nums.append(cell)
            elif cell and cell not in label:
                label.append(cell)
        text = "".join(label)
        lines.append(text + (" " + " ".join(nums) if any(k in text for k in keep) else "".join(nums)))
    return lines


def test_extract_tables_decodes_glued_text_rows():
    from gicrawler.parsing.tables import extract_tables
    template, tables = _sample(SAMPLE_003)
    text = "三、收到和处理政府信息公开申请情况\n" + "\n".join(_glued_lines("003")) + "\n五、存在的主要问题及改进情况\n"
    got = extract_tables(text)
    assert got["tables"]["applications"] == tables["applications"]
    assert got["template"] == template
    assert any(n.startswith("applications: glued digits decoded") for n in got["notes"])


def test_glued_rows_complete_a_table_whose_other_rows_were_read():
    from gicrawler.parsing.tables import extract_tables
    _, tables = _sample(SAMPLE_003)
    # every row spaced (read by the assembler) but 本年新收 and 予以公开, which are glued
    lines = _glued_lines("003", keep=("上年结转", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理",
                                      "总计", "结转下年"))
    assert any(line.startswith("一、本年新收政府信息公开申请数量133045") for line in lines)
    got = extract_tables("三、收到和处理政府信息公开申请情况\n" + "\n".join(lines) + "\n五、存在的主要问题\n")
    assert got["tables"]["applications"] == tables["applications"]
    assert got["notes"] == ["applications: glued digits decoded with the template's identities: received, granted"]


def test_grid_cells_holding_a_whole_glued_row_are_decoded():
    """An HTML/OCR grid whose value cells were merged into one (``640020470`` in one <td>)."""
    from gicrawler.parsing.tables import extract_tables
    from gicrawler.replicas.layouts import expand_layout, table_layout
    template, tables = _sample(SAMPLE_002)
    grid = expand_layout(table_layout("applications", tables, template, {"fullwidth": False}))
    glued_grid = [[c for c in row if not c.isdigit()] + ["".join(c for c in row if c.isdigit())] for row in grid]
    got = extract_tables("", [glued_grid])
    assert got["tables"]["applications"] == tables["applications"]


def _leaves(node, path=""):
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _leaves(value, f"{path}.{key}")
        else:
            yield f"{path}.{key}", value


def test_a_row_with_an_unreadable_cell_is_not_glued():
    """A zero printed as the letter O (or 〇, "0人次") is a cell the table reader cannot read;
    the cells before it are numbers, so the row is not a label and one glued run: reading its
    last digits as one split 5345 | 129 | O | 41 | 19 | 14 | 5548 into 4, 1, 19, 14, 5, 5, 48."""
    assert glued_row(["(一)予以公开", "5345", "129", "O", "41", "19", "14", "5548"], 7) is None
    assert glued_row("(一)予以公开 5345 129 0人次 41 19 14 5548", 7) is None
    assert glued_row(["一、本年新收政府信息公开申请数量", "64", "0020470"], 7)[1].pieces == ("64", "0020470")
    assert glued_row("1.属于国家秘密 130000013", 7)[0] == "1.属于国家秘密"
    from gicrawler.parsing import parse_report
    for page, zero, printed in (("peer-hangzhou-style-2025.html", "<td>0</td>", "<td>O</td>"),
                                ("peer-suqian-2025-md.txt", "| 0 |", "| O |")):
        text = (ROOT / "tests" / "corpus" / "variety" / page).read_text(encoding="utf-8")
        clean = dict(_leaves(parse_report(text, filename=page)["tables"]))
        got = dict(_leaves(parse_report(text.replace(zero, printed), filename=page)["tables"]))
        assert any(v is not None for v in got.values())
        wrong = {k: (clean[k], v) for k, v in got.items() if v is not None and v != clean[k]}
        assert wrong == {}, page


def test_parse_report_says_ambiguous_and_leaves_the_row_null():
    from gicrawler.parsing import parse_report
    from gicrawler.template import APPLICATION_ROWS
    template, tables = _sample(SAMPLE_003)
    odd_a, odd_b = (1, 10, 0, 0, 0, 0, 11), (11, 0, 0, 0, 0, 0, 11)
    glued_keys = ("denied.security_stability", "not_processed.publication")
    rows = _consistent(_b_rows(tables["applications"], template), template, **dict(zip(glued_keys, (odd_a, odd_b))))
    printed = {r.key: r.labels[template] for r in APPLICATION_ROWS if r.in_template(template)}
    lines = ["三、收到和处理政府信息公开申请情况", "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"]
    for key in application_rows(template):
        sep = "" if key in glued_keys else " "
        lines.append(printed[key] + sep + sep.join(map(str, rows[key])))
    lines.append("五、存在的主要问题及改进情况")
    record = parse_report("\n".join(lines))
    app = record["tables"]["applications"]
    assert app["denied"]["security_stability"] == dict.fromkeys(APPLICANT_COLUMNS)
    assert app["not_processed"]["publication"] == dict.fromkeys(APPLICANT_COLUMNS)
    assert app["received"] == dict(zip(APPLICANT_COLUMNS, rows["received"]))
    assert any(e.startswith("applications.denied.security_stability: ambiguous") for e in record["errors"])
    assert any(e.startswith("applications.not_processed.publication: ambiguous") for e in record["errors"])


@pytest.mark.parametrize("total", ["总计", "总 计"])       # (PDF text spaces a two-character header)
def test_glued_table_c_decodes_its_groups(total):
    from gicrawler.parsing.tables import extract_tables
    _, tables = _sample(SAMPLE_003)
    rl = tables["review_litigation"]
    digits = "".join(str(rl[g][c]) for g in C_GROUPS for c in C_COLUMNS)
    text = (f"四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 {total}\n"
            + digits + "\n五、存在的主要问题及改进情况\n")
    got = extract_tables(text)
    table = got["tables"]["review_litigation"]
    assert table["review"] == rl["review"] and table["litigation_direct"] == rl["litigation_direct"]
    assert set(table["litigation_after_review"].values()) == {None}     # 28|2|2|5 or 2|8|22|5 …
    assert "review_litigation.litigation_after_review: ambiguous" in " ".join(got["notes"])


@pytest.mark.parametrize("row", ["四、结转下年度继续办理 783 6 0 2 25 3 819", "3.其他 941 17 0 1 3 3 965"])
def test_a_row_of_table_b_in_table_c_is_not_its_glued_digits(row):
    """A page whose table B rows strayed into table C (broken markup, duplicated lines): their
    12 to 14 digits split one per cell, with no 总计 to check, made a table C of single digits."""
    from gicrawler.parsing.tables import extract_tables
    text = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
            + row + "\n五、存在的主要问题及改进情况\n")
    got = extract_tables(text)
    values = [v for group in (got["tables"].get("review_litigation") or {}).values() for v in group.values()]
    assert set(values) <= {None}, got["tables"]["review_litigation"]
    assert not any(n.startswith("review_litigation: glued") for n in got["notes"])


_C_PAGE = "四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n{}\n{}\n五、存在的主要问题及改进情况\n"
_C_HEADER = "结果维持 结果纠正 其他结果 尚未审结"


@pytest.mark.parametrize("header, digits", [
    (_C_HEADER + " 总计", "100010001000"),     # 12 digits for 15 cells: three blank, which unknown
    (_C_HEADER, "100110011001"),              # no 总计: 1|0|0|1 or 10|_|0|1 …, no identity decides
    (_C_HEADER, "110021100211002"),           # no 总计 columns: 1|1|0|0|2 would invent them
    ("", "110021100211002"),                  # no header: neither form is known
])
def test_glued_table_c_no_identity_fixes_is_left_null(header, digits):
    """Glued table C digits were split with no identity to check them (12-14 digits read one
    per cell as the table without 总计, whatever its header printed), or with the 总计 identity
    under a header without 总计 columns: every stored number was a guess."""
    from gicrawler.parsing.tables import extract_tables
    got = extract_tables(_C_PAGE.format(header, digits))
    assert "review_litigation" not in got["tables"], got["tables"]["review_litigation"]
    assert got["missing_tables"]["review_litigation"].startswith("ambiguous")
    assert any(n.startswith("review_litigation: ambiguous") for n in got["notes"])


def test_glued_table_c_with_a_blank_cell_is_not_read_shifted():
    """复议 0|_|0|10|10, 直接起诉 3|_|2|2|7, 复议后起诉 0|2|1|1|4 (a 0 printed blank twice) glue to
    fifteen digits that also split 0|0|1|0|1, 0|3|2|2|7, 0|2|1|1|4: both sum right."""
    from gicrawler.parsing.tables import extract_tables
    digits = "0" "" "0" "10" "10" "3" "" "2" "2" "7" "0" "2" "1" "1" "4"
    got = extract_tables(_C_PAGE.format(_C_HEADER + " 总计", digits))
    table = got["tables"]["review_litigation"]
    assert table["litigation_after_review"] == dict(zip(C_COLUMNS, (0, 2, 1, 1, 4)))
    assert table["review"] == table["litigation_direct"] == dict.fromkeys(C_COLUMNS)
    assert "review_litigation.review: ambiguous" in " ".join(got["notes"])


def test_glued_table_b_row_with_a_blank_cell_is_not_read_shifted():
    """746|12|_|0|10|1|769 (a 0 printed as nothing) glues to 746120101 769, which also splits
    746|1|20|1|0|1|769 with the same sum; the results identity could not tell (the glued 9|_|_|0|0|0|9
    above it is unknown): 1 and 20 were stored as 商业企业 and 科研机构."""
    from gicrawler.parsing import parse_report
    page = (ROOT / "tests" / "corpus" / "real" / "huaian-2024-pypdf.txt").read_text(encoding="utf-8")
    glued = (page.replace("7.属于行政执法案卷 9 0 0 0 0 0 9", "7.属于行政执法案卷 90009")
             .replace("1.本机关不掌握相关政府信息 746 12 0 0 10 1 769", "1.本机关不掌握相关政府信息 746120101 769"))
    record = parse_report(glued)
    assert record["tables"]["applications"]["unable"]["not_held"] == dict.fromkeys(APPLICANT_COLUMNS)
    assert any(e.startswith("applications.unable.not_held: ambiguous") for e in record["errors"])
    # a row glued without a blank still decodes
    record = parse_report(page.replace("746 12 0 0 10 1 769", "7461200101769"))
    assert record["tables"]["applications"]["unable"]["not_held"] == dict(
        zip(APPLICANT_COLUMNS, (746, 12, 0, 0, 10, 1, 769)))
