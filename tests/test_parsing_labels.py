"""Real label texts → row keys, and `gicrawler parse --explain`.

LABELS: label texts as the matcher sees them (normalised, whitespace removed: PDF extraction
glues the 第二十条 heading and the column headers onto the first row's label), taken from the
real reports in tests/corpus and the sample reports (file named beside each), with the row
they belong to. A pattern change in gicrawler/template.py that moves one of them fails here.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gicrawler.parsing import parse_report
from gicrawler.parsing.tables import active, applications
from tests.conftest import CORPUS, SAMPLES

# (table, label text, template, row key)
LABELS = [
    ("active", "行政强制", "2021", "enforcement"),  # real/hongze-2023-pdfplumber.txt
    ("active", "第二十条第(八)项信息内容本年收费金额(单位:万元)行政事业性收费", "2021", "fees"),  # real/hongze-2023-pdfplumber.txt
    ("active", "行政事业性收费", "2021", "fees"),  # variety/longgang-2024-pipe.txt
    ("active", "第二十条第(八)项信息内容上一年项目数量本年增/减行政事业性收费", "2019", "fees"),  # variety/taojiang-sjj-2020-cellpipe.txt
    ("active", "第二十条第(五)项信息内容本年处理决定数量行政许可", "2021", "licensing"),  # real/hongze-2023-pdfplumber.txt
    ("active", "行政许可", "2021", "licensing"),  # variety/longgang-2024-pipe.txt
    ("active", "第二十条第(五)项信息内容上一年项目数量本年增/减处理决定数量行政许可", "2019", "licensing"),  # variety/taojiang-sjj-2020-cellpipe.txt
    ("active", "行政规范性文件", "2021", "normative_documents"),  # real/hongze-2023-pdfplumber.txt
    ("active", "规范性文件", "2019", "normative_documents"),  # variety/hengdong-yanglin-2023-pipe.txt
    ("active", "规范性档案", "2019", "normative_documents"),  # variety/wuhan-sthj-2020-tw.txt
    ("active", "其他对外管理服务事项", "2019", "other_services"),  # variety/taojiang-sjj-2020-cellpipe.txt
    ("active", "政府集中采购", "2019", "procurement"),  # variety/hengdong-yanglin-2023-pipe.txt
    ("active", "第二十条第(九)项信息内容采购项目数量采购总金额政府集中采购", "2019", "procurement"),  # variety/taojiang-sjj-2020-cellpipe.txt
    ("active", "第二十条第(九)项信息内容采购项目数量采购总金额(万元)政府集中采购", "2019", "procurement"),  # samples/003_053508a99f49d19d.txt
    ("active", "第二十条第(六)项信息内容本年处理决定数量行政处罚", "2021", "punishment"),  # real/hongze-2023-pdfplumber.txt
    ("active", "行政处罚", "2021", "punishment"),  # variety/longgang-2024-pipe.txt
    ("active", "第二十条第(六)项信息内容上一年项目数量本年增/减处理决定数量行政处罚", "2019", "punishment"),  # variety/taojiang-sjj-2020-cellpipe.txt
    ("active", "第二十条第(一)项信息内容本年制发件数本年废止件数现行有效件数规章", "2021", "regulations"),  # real/hongze-2023-pdfplumber.txt
    ("active", "第二十条第(一)项信息内容本年制发件数本年废止件数现行有效件规章", "2021", "regulations"),  # variety/changtu-qijiazi-2023-paras.txt
    ("active", "规章", "2019", "regulations"),  # variety/hengdong-yanglin-2023-pipe.txt
    ("active", "第二十条第(一)项信息内容本年新制作数量本年新公开数量对外公开总数量规章", "2019", "regulations"),  # variety/taojiang-sjj-2020-cellpipe.txt
    ("active", "规章(设区的市、自治州人民政府应提供相关数据)", "2019", "regulations"),  # variety/wuhan-sthj-2020-tw.txt
    ("applications", "四、结转下年度继续办理", "2021", "carried_forward"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "二、上年结转政府信息公开申请数量", "2021", "carried_over"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "8.属于行政查询事项", "2021", "denied.administrative_query"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "三、本年度办理结果(三)不予公开8.属于行政查询事项", "2021", "denied.administrative_query"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "7.属于行政执法案卷", "2021", "denied.enforcement_files"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "三、本年度办理结果(三)不予公开7.属于行政执法案卷", "2021", "denied.enforcement_files"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "办(三)不予公开理5.属于三类内部事务信息", "2021", "denied.internal_affairs"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "5.属于三类内部事务信息", "2021", "denied.internal_affairs"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(三)不予公开5.属于三类内部事务信息", "2021", "denied.internal_affairs"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "结果6.属于四类过程性信息", "2021", "denied.process_info"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "6.属于四类过程性信息", "2021", "denied.process_info"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(三)不予公开6.属于四类过程性信息", "2021", "denied.process_info"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "1.属于国家秘密三2.其他法律行政止公开", "2021", "denied.prohibited_by_law"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "2.其他法律行政法规禁止公开", "2021", "denied.prohibited_by_law"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(三)不予公开2.其他法律行政法规禁止公开", "2021", "denied.prohibited_by_law"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "3.危及“三安全一稳定”", "2021", "denied.security_stability"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(三)不予公开3.危及“三安全一稳定”", "2021", "denied.security_stability"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "(三)不予公开1.属于国家秘密", "2021", "denied.state_secret"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(三)不予公开1.属于国家秘密", "2021", "denied.state_secret"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "本3.危及“三安全一稳定”年度4.保护第三方合法权益", "2021", "denied.third_party_rights"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "4.保护第三方合法权益", "2021", "denied.third_party_rights"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(三)不予公开4.保护第三方合法权益", "2021", "denied.third_party_rights"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "(一)予以公开", "2021", "granted"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "三、本年度办理结果(一)予以公开", "2021", "granted"),  # real/huaian-2024-pypdf.txt
    ("applications", "三,、本年度办理结果(一)予以公开", "2021", "granted"),  # samples/001_011fde16aa22de90.txt
    ("applications", "4.无正当理由大量反复申请5.要求行政机关确认或重新出具", "2021", "not_processed.confirm_or_reissue"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "5.要求行政机关确认或重新出具已获取信息", "2021", "not_processed.confirm_or_reissue"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(五)不予处理5.要求行政机关确认或重新出具已获取信息", "2021", "not_processed.confirm_or_reissue"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "2.重复申请", "2021", "not_processed.duplicate"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "三、本年度办理结果(五)不予处理2.重复申请", "2021", "not_processed.duplicate"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "4.无正当理由大量反复申请", "2021", "not_processed.excessive"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(五)不予处理4.无正当理由大量反复申请", "2021", "not_processed.excessive"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "1.信访举报投诉类申请", "2021", "not_processed.petition_complaint"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "(五)不予处理1.信访举报投诉类申请", "2021", "not_processed.petition_complaint"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(五)不予处理1.信访举报投诉类申请", "2021", "not_processed.petition_complaint"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "3.要求提供公开出版物", "2021", "not_processed.publication"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "三、本年度办理结果(五)不予处理3.要求提供公开出版物", "2021", "not_processed.publication"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "已获取信息(六)其他处理", "2021", "other"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "三、本年度办理结果(六)其他处理", "2019", "other"),  # variety/shanghai-bgt-2019.html
    ("applications", "(六)其他处理", "2019", "other"),  # samples/002_30fde63b7d2b0111.txt
    ("applications", "(六)其他处理1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "2021", "other.no_correction"),  # real/huaian-2024-pypdf.txt
    ("applications", "(六)其他处理1.申请人无正当理由逾期不补正,、行政机关不再处理其政府信息公开申请", "2021", "other.no_correction"),  # samples/001_011fde16aa22de90.txt
    ("applications", "3、其他", "2021", "other.other"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(六)其他处理3.其他", "2021", "other.other"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "3.其他", "2021", "other.other"),  # samples/001_011fde16aa22de90.txt
    ("applications", "2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "2021", "other.unpaid_fee"),  # real/huaian-2024-pypdf.txt
    ("applications", "2.申请人逾期未按收费通知要求缴纳费用,、行政机关不再处理其政府信息公开申请", "2021", "other.unpaid_fee"),  # samples/001_011fde16aa22de90.txt
    ("applications", "(二)部分公开(区分处理的,只计这一情形,不", "2021", "partially_granted"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "2021", "partially_granted"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "2021", "partially_granted"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "(二)部分公开(区分处理的,,只计这一情形,不计其他情形)", "2021", "partially_granted"),  # samples/001_011fde16aa22de90.txt
    ("applications", "一、本年新收政府信息公开申请数量", "2021", "received"),  # variety/longgang-2024-pipe.txt
    ("applications", "一,、本年新收政府信息公开申请数量", "2021", "received"),  # samples/001_011fde16aa22de90.txt
    ("applications", "(七)总计", "2021", "total"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "三、本年度办理结果(七)总计", "2021", "total"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "法提供2.没有现成信息需要另行制作", "2021", "unable.needs_creation"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(四)无法提供2.没有现成信息需要另行制作", "2021", "unable.needs_creation"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "2.没有现成信息需要另行制作", "2021", "unable.needs_creation"),  # samples/001_011fde16aa22de90.txt
    ("applications", "(四)无1.本机关不掌握相关政府信息", "2021", "unable.not_held"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(四)无法提供1.本机关不掌握相关政府信息", "2021", "unable.not_held"),  # variety/peer-hangzhou-style-2025.html
    ("applications", "(四)无法提供1.本机关不掌握相关政府信息", "2021", "unable.not_held"),  # samples/001_011fde16aa22de90.txt
    ("applications", "2.没有现成信息需要另行制作3.补正后申请内容仍不明确", "2021", "unable.unclear_after_correction"),  # real/hongze-2023-pdfplumber.txt
    ("applications", "3.补正后申请内容仍不明确", "2021", "unable.unclear_after_correction"),  # real/huaian-2024-pypdf.txt
    ("applications", "三、本年度办理结果(四)无法提供3.补正后申请内容仍不明确", "2021", "unable.unclear_after_correction"),  # variety/peer-hangzhou-style-2025.html
]


@pytest.mark.parametrize("table,label,template,row", LABELS)
def test_real_label_text_names_its_row(table, label, template, row):
    keys = active.row_keys(label, template) if table == "active" else applications.row_keys(label)
    assert keys and keys[-1] == row            # the last row named is the label's own (the nearest to its numbers)


def test_label_table_covers_every_row_of_table_b():
    from gicrawler import template
    assert {r for t, _, _, r in LABELS if t == "applications"} == {row.key for row in template.APPLICATION_ROWS}


def _rows(table: dict, prefix: str = ""):
    """Row keys of table B (dotted for the nested groups)."""
    for key, value in table.items():
        if "total" in value and not isinstance(value["total"], dict):
            yield prefix + key
        else:
            yield from _rows(value, f"{prefix}{key}.")


def test_explain_gives_every_row_its_rule_and_source():
    explained = []
    record = parse_report((SAMPLES / "003_053508a99f49d19d.txt").read_bytes(), filename="003.txt",
                          explain=explained)
    lines = record["text"].split("\n")
    got = {(e["table"], e["row"]) for e in explained}
    want = {("active", row) for row in record["tables"]["active"]}
    want |= {("applications", row) for row in _rows(record["tables"]["applications"])}
    want |= {("review_litigation", g) for g in record["tables"]["review_litigation"]}
    assert got == want
    for entry in explained:
        assert entry["rule"]
        where, shown = entry["source"].split(": ", 1)
        first, _, last = where.removeprefix("line ").partition("-")
        block = [ln.strip() for ln in lines[int(first) - 1:int(last or first)] if ln.strip()]
        assert shown.split(" / ")[0] == block[0]      # the source names real lines of the text


def test_parse_explain_command_on_a_grid_page():
    page = CORPUS / "variety" / "shanghai-bgt-2019.html"
    done = subprocess.run([sys.executable, "-m", "gicrawler", "parse", "--explain", str(page)],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == f"== {page}" and out[1] == "template 2019"
    at = out.index("active.regulations: 13, 13, 524")
    assert out[at + 1].startswith("    rule: row label, the row's cells; label “规章” matches /规章/")
    assert out[at + 2] == "    from: grid 1 row 3: 规章 | 13 | 13 | 13 | 524"
    plain = subprocess.run([sys.executable, "-m", "gicrawler", "parse", str(page)],
                           capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    tables = json.loads(plain.stdout)["tables"]
    rows = [line.split(":")[0] for line in out if line and not line.startswith((" ", "==", "template"))]
    assert len([r for r in rows if r.startswith("active.")]) == len(tables["active"])
