"""Regenerate the synthetic variety reports (run from the repo root; writes next to this file).

SYNTHETIC: full-length reports with distinct, internally consistent numbers, laid out like the
real (mostly truncated) pages in ../ (see ../SOURCES.md): the same layouts, but every table
complete, so a shifted row or column shows. truth.json holds the numbers they were built from.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import opencc

HERE = Path(__file__).parent
COLS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")


def _row(*six):
    return dict(zip(COLS, list(six) + [sum(x or 0 for x in six)]))


# One consistent 2021-template report (balance, results_sum, row_sums all hold).
APP = {
    "received": _row(58, 7, 0, 2, 1, 3), "carried_over": _row(4, 1, 0, 0, 0, 0),
    "granted": _row(20, 3, 0, 1, 0, 1), "partially_granted": _row(9, 1, 0, 0, 0, 0),
    "denied": {"state_secret": _row(1, 0, 0, 0, 0, 0), "prohibited_by_law": _row(0, 0, 0, 0, 0, 0),
               "security_stability": _row(0, 0, 0, 0, 0, 0), "third_party_rights": _row(2, 0, 0, 0, 0, 0),
               "internal_affairs": _row(1, 0, 0, 0, 0, 0), "process_info": _row(3, 1, 0, 0, 0, 0),
               "enforcement_files": _row(0, 0, 0, 0, 0, 0), "administrative_query": _row(2, 0, 0, 0, 0, 0)},
    "unable": {"not_held": _row(11, 2, 0, 1, 1, 1), "needs_creation": _row(1, 0, 0, 0, 0, 0),
               "unclear_after_correction": _row(1, 0, 0, 0, 0, 0)},
    "not_processed": {"petition_complaint": _row(3, 0, 0, 0, 0, 0), "duplicate": _row(2, 0, 0, 0, 0, 0),
                      "publication": _row(0, 0, 0, 0, 0, 0), "excessive": _row(0, 0, 0, 0, 0, 0),
                      "confirm_or_reissue": _row(1, 0, 0, 0, 0, 0)},
    "other": {"no_correction": _row(2, 0, 0, 0, 0, 0), "unpaid_fee": _row(0, 0, 0, 0, 0, 0),
              "other": _row(1, 0, 0, 0, 0, 1)},
    "total": _row(60, 7, 0, 2, 1, 3), "carried_forward": _row(2, 1, 0, 0, 0, 0),
}
ACTIVE = {"regulations": {"issued": 2, "repealed": 1, "in_force": 17},
          "normative_documents": {"issued": 12, "repealed": 5, "in_force": 64},
          "licensing": {"decisions": 3521}, "punishment": {"decisions": 418},
          "enforcement": {"decisions": 27}, "fees": {"amount_10k_yuan": 86.5}}
REVIEW = {"review": dict(upheld=3, corrected=1, other=0, pending=1, total=5),
          "litigation_direct": dict(upheld=2, corrected=0, other=1, pending=0, total=3),
          "litigation_after_review": dict(upheld=1, corrected=0, other=0, pending=1, total=2)}

B_LABELS = [
    ("received", "一、本年新收政府信息公开申请数量"), ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "三、本年度办理结果 (一)予以公开"),
    ("partially_granted", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
    ("denied.state_secret", "(三)不予公开 1.属于国家秘密"), ("denied.prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("denied.security_stability", "3.危及“三安全一稳定”"), ("denied.third_party_rights", "4.保护第三方合法权益"),
    ("denied.internal_affairs", "5.属于三类内部事务信息"), ("denied.process_info", "6.属于四类过程性信息"),
    ("denied.enforcement_files", "7.属于行政执法案卷"), ("denied.administrative_query", "8.属于行政查询事项"),
    ("unable.not_held", "(四)无法提供 1.本机关不掌握相关政府信息"), ("unable.needs_creation", "2.没有现成信息需要另行制作"),
    ("unable.unclear_after_correction", "3.补正后申请内容仍不明确"),
    ("not_processed.petition_complaint", "(五)不予处理 1.信访举报投诉类申请"), ("not_processed.duplicate", "2.重复申请"),
    ("not_processed.publication", "3.要求提供公开出版物"), ("not_processed.excessive", "4.无正当理由大量反复申请"),
    ("not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"),
    ("other.no_correction", "(六)其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other.other", "3.其他"), ("total", "(七)总计"), ("carried_forward", "四、结转下年度继续办理"),
]


def _get(path):
    node = APP
    for part in path.split("."):
        node = node[part]
    return [node[c] for c in COLS]


def _n(v):
    return "" if v is None else (str(int(v)) if float(v).is_integer() else str(v))


def _table_rows():
    """(label cells, values) for tables A, B, C in print order, as the template lays them out."""
    a = [(["第二十条第(一)项"], []), (["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], []),
         (["规章"], list(ACTIVE["regulations"].values())),
         (["行政规范性文件"], list(ACTIVE["normative_documents"].values())),
         (["第二十条第(五)项"], []), (["信息内容", "本年处理决定数量"], []),
         (["行政许可"], [ACTIVE["licensing"]["decisions"]]),
         (["第二十条第(六)项"], []), (["信息内容", "本年处理决定数量"], []),
         (["行政处罚"], [ACTIVE["punishment"]["decisions"]]), (["行政强制"], [ACTIVE["enforcement"]["decisions"]]),
         (["第二十条第(八)项"], []), (["信息内容", "本年收费金额(单位:万元)"], []),
         (["行政事业性收费"], [ACTIVE["fees"]["amount_10k_yuan"]])]
    b = [(["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", "申请人情况"], []),
         (["自然人", "法人或其他组织", "总计"], []),
         (["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"], [])]
    b += [(label.split(" "), _get(key)) for key, label in B_LABELS]
    c = [(["行政复议", "行政诉讼"], []),
         (["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"], []),
         (["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2, []),
         ([], [v for g in REVIEW.values() for v in g.values()])]
    return a, b, c


HEAD = "{title}\n一、总体情况\n本年度{agency}依法推进政府信息公开工作,全年主动公开政府信息1286条,收到政府信息公开申请71件。\n"
SECTIONS = ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况")
TAIL = "五、存在的主要问题及改进情况\n一是公开质量有待提升。2024年将加强培训。\n六、其他需要报告的事项\n本年度未收取信息处理费。\n"


def cellpipe(rows):
    """xjnlk / taojiang layout: every cell on its own line, each followed by a '|' line."""
    return "".join(f"{c}\n|\n" for labels, vals in rows for c in labels + [_n(v) for v in vals])


def slashcell(rows):
    """tongjiju layout: 'x |' per line, a blank cell as a bare '|' line, '||' after short rows."""
    out = []
    for labels, vals in rows:
        out += [f"{c} |" for c in labels] + [f"{_n(v)} |" if v is not None else "|" for v in vals]
        if 0 < len(vals) < 7:
            out.append("||")
    return "\n".join(out) + "\n"


def piperows(rows):
    """longgang / jiepao layout: one table row per line, cells joined by ' | '."""
    return "".join(" | ".join(labels + [_n(v) for v in vals]) + " |\n" for labels, vals in rows)


def build(name, layout, agency, year, to_tw=False, debris=False, blanks=()):
    global APP
    saved = json.loads(json.dumps(APP))
    for path, col in blanks:                # print these cells blank (the report leaves them empty)
        node = APP
        for part in path.split("."):
            node = node[part]
        node[col] = None
    a, b, c = _table_rows()
    title = f"{agency}{year}年政府信息公开工作年度报告"
    text = HEAD.format(title=title, agency=agency)
    for heading, rows in zip(SECTIONS, (a, b, c)):
        text += heading + "\n" + layout(rows)
    text += TAIL
    if to_tw:
        text = opencc.OpenCC("s2t").convert(text)
    if debris:      # page-converter pinyin glued after some characters: 數(shù) 項(xiàng) 區(qū)
        for ch, py in (("數", "shù"), ("項", "xiàng"), ("區", "qū"), ("發", "fā"), ("請", "qǐng")):
            text = text.replace(ch, f"{ch}({py})")
        text = re.sub(r"(?m)^0\n\|$", "? 0\n|", text, count=3)        # a character lost before a value
        text = re.sub(r"\| 0 \|", "| ? 0 |", text, count=3)
    (HERE / name).write_text(text, encoding="utf-8")
    truth = {"template": "2021", "tables": {"active": ACTIVE, "applications": APP, "review_litigation": REVIEW}}
    APP = saved
    return truth


ACTIVE_2019 = {"regulations": {"made": 3, "published": 3, "public_total": 41},
               "normative_documents": {"made": 9, "published": 8, "public_total": 120},
               "licensing": {"prior_items": 12, "change": 3, "decisions": 456},
               "other_services": {"prior_items": 7, "change": -2, "decisions": 30},
               "punishment": {"prior_items": 88, "change": 0, "decisions": 1204},
               "enforcement": {"prior_items": 5, "change": 1, "decisions": 9},
               "fees": {"prior_items": 4, "change": -1},
               "procurement": {"projects": 17, "amount_yuan": 28231200}}


def html_2019():
    """shanghai-bgt-2019 layout: spans expanded differently in data rows than in header rows
    (a value spanning 上一年项目数量 and half of 本年增/减), &nbsp; blanks, 万元 amounts."""
    def td(x, cs=1, rs=1):
        a = (f' colspan="{cs}"' if cs > 1 else "") + (f' rowspan="{rs}"' if rs > 1 else "")
        return f"<td{a}>{'&nbsp;' if x in ('', None) else x}</td>"

    def tr(*cells):
        return "<tr>" + "".join(cells) + "</tr>\n"
    a19 = ACTIVE_2019
    t = tr(td("第二十条第（一）项", 5)) + tr(td("信息内容"), td("本年新<br/>制作数量"), td("本年新<br/>公开数量", 2), td("对外公开总数量"))
    for key, name in (("regulations", "规章"), ("normative_documents", "规范性文件")):
        v = list(a19[key].values())
        t += tr(td(name), td(v[0]), td(v[1], 2), td(v[2]))
    for item, rows in (("五", (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
                       ("六", (("punishment", "行政处罚"), ("enforcement", "行政强制")))):
        t += tr(td(f"第二十条第（{item}）项", 5)) + tr(td("信息内容"), td("上一年项目数量"), td("本年增/减", 2), td("处理决定数量"))
        for key, name in rows:
            v = list(a19[key].values())
            t += tr(td(name), td(v[0], 2), td(f"{v[1]:+d}" if v[1] else "0"), td(v[2]))
    fee = a19["fees"]
    t += tr(td("第二十条第（八）项", 5)) + tr(td("信息内容"), td("上一年项目数量", 2), td("本年增/减", 2))
    t += tr(td("行政事业性收费"), td(fee["prior_items"], 2), td(f"{fee['change']:+d}", 2))
    t += tr(td("第二十条第（九）项", 5)) + tr(td("信息内容"), td("采购项目数量", 2), td("采购总金额", 2))
    t += tr(td("政府集中采购"), td(a19["procurement"]["projects"], 2), td("2823.12万元", 2))
    b = tr(td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), td("申请人情况", 7))
    b += tr(td("自然人", 1, 2), td("法人或其他组织", 5), td("总计", 1, 2))
    b += tr(*(td(h) for h in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")))
    groups = {"denied": "（三）不予公开", "unable": "（四）无法提供", "not_processed": "（五）不予处理"}
    seen = set()
    for key, label in B_LABELS:
        if key.startswith("other."):
            if key == "other.no_correction":
                vals = [None if v == 0 else v for v in _get("other.no_correction")]
                vals = [sum(_get(f"other.{k}")[i] for k in ("no_correction", "unpaid_fee", "other")) for i in range(7)]
                b += tr(td("（六）其他处理", 2), *(td("" if v == 0 else v) for v in vals))
            continue
        vals = ["" if v == 0 else v for v in _get(key)]        # zeros printed as blanks, as in the original
        name = label.split(" ")[-1]
        group = key.split(".")[0]
        cells = []
        if key == "granted":
            cells.append(td("三、本年度办理结果", 1, 20))
        if group in groups and group not in seen:
            seen.add(group)
            cells.append(td(groups[group], 1, {"denied": 8, "unable": 3, "not_processed": 5}[group]))
        if "." in key:
            cells.append(td(name))
        elif key in ("received", "carried_over", "carried_forward"):
            cells.append(td(label, 3))
        else:
            cells.append(td(name, 2))
        b += tr(*cells, *(td(v) for v in vals))
    c = tr(td("行政复议", 5), td("行政诉讼", 10))
    c += tr(*(td(h, 1, 2) for h in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")),
            td("未经复议直接起诉", 5), td("复议后起诉", 5))
    c += tr(*(td(h) for h in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2))
    c += tr(*(td("" if v == 0 else v) for g in REVIEW.values() for v in g.values()))
    body = "".join(f"<p>{h}</p><table border=\"1\"><tbody>\n{x}</tbody></table>\n" for h, x in zip(SECTIONS, (t, b, c)))
    html = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>某市某局2019年政府信息公开工作年度报告</title>"
            f"</head><body><div class=\"content\"><p>一、总体情况</p><p>2019年主动公开政府信息812条。</p>\n{body}"
            f"<p>五、政府信息公开工作存在的主要问题及改进情况</p><p>无。</p><p>六、其他需要报告的事项</p><p>无。</p></div></body></html>\n")
    (HERE / "syn-html-2019-colspan.html").write_text(html, encoding="utf-8")
    app = {}
    for key, _ in B_LABELS:
        if key.startswith("other."):
            continue
        vals = [None if v == 0 else v for v in _get(key)]
        node = app
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = dict(zip(COLS, vals))
    other = [sum(_get(f"other.{k}")[i] for k in ("no_correction", "unpaid_fee", "other")) for i in range(7)]
    app["other"] = dict(zip(COLS, [None if v == 0 else v for v in other]))
    review = {g: {k: (None if v == 0 else v) for k, v in r.items()} for g, r in REVIEW.items()}
    return {"template": "2019", "tables": {"active": ACTIVE_2019, "applications": app, "review_litigation": review}}


def pipe_notes_2019():
    """wuhan-sthj-2020-tw layout in simplified characters: pipe rows whose labels carry filling
    notes naming other rows (其他对外管理服务事项(含…行政处罚、行政强制…)), an extra
    non-template row, 2019 template throughout."""
    a19 = ACTIVE_2019
    notes = {"regulations": "规章(设区的市人民政府填报)", "normative_documents": "规范性文件(含行政规范性文件)",
             "licensing": "行政许可(不含其他对外管理服务事项)",
             "other_services": "其他对外管理服务事项(含行政确认、行政处罚、行政强制)",
             "punishment": "行政处罚(不含行政强制)", "enforcement": "行政强制",
             "fees": "行政事业性收费(单位:项)", "procurement": "政府集中采购"}
    rows = [(["第二十条第(一)项"], []), (["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"], []),
            ([notes["regulations"]], list(a19["regulations"].values())),
            ([notes["normative_documents"]], list(a19["normative_documents"].values())),
            (["其他主动公开文件(除规范性文件以外)"], [186, 86, 255]),
            (["第二十条第(五)项"], []), (["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"], []),
            ([notes["licensing"]], list(a19["licensing"].values())),
            ([notes["other_services"]], list(a19["other_services"].values())),
            (["第二十条第(六)项"], []), (["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"], []),
            ([notes["punishment"]], list(a19["punishment"].values())),
            ([notes["enforcement"]], list(a19["enforcement"].values())),
            (["第二十条第(八)项"], []), (["信息内容", "上一年项目数量", "本年增/减"], []),
            ([notes["fees"]], list(a19["fees"].values())),
            (["第二十条第(九)项"], []), (["信息内容", "采购项目数量", "采购总金额(万元)"], []),
            ([notes["procurement"]], [17, 2823.12])]
    b_notes = {"denied.third_party_rights": "(含商业秘密、个人隐私)", "unable.not_held": "(含非本机关职责范围的申请)",
               "not_processed.petition_complaint": "(含重复申请后转信访的)", "total": "(与上述各项之和一致)"}
    b_rows = _table_rows()[1][:3]
    app = {}
    for key, label in B_LABELS:
        if key.startswith("other."):
            if key == "other.other":
                vals = [sum(_get(f"other.{k}")[i] for k in ("no_correction", "unpaid_fee", "other")) for i in range(7)]
                b_rows.append((["(六)其他处理"], vals))
                app["other"] = dict(zip(COLS, vals))
            continue
        parts = label.split(" ")
        parts[-1] += b_notes.get(key, "")
        b_rows.append((parts, _get(key)))
        node = app
        for part in key.split(".")[:-1]:
            node = node.setdefault(part, {})
        node[key.split(".")[-1]] = dict(zip(COLS, _get(key)))
    text = HEAD.format(title="某市生态环境局2020年政府信息公开工作年度报告", agency="某市生态环境局")
    text += SECTIONS[0] + "\n" + piperows(rows) + SECTIONS[1] + "\n" + piperows(b_rows)
    text += SECTIONS[2] + "\n" + piperows(_table_rows()[2]) + TAIL
    (HERE / "syn-pipe-notes-2019.txt").write_text(text, encoding="utf-8")
    return {"template": "2019", "tables": {"active": a19, "applications": app, "review_litigation": REVIEW}}


def main():
    truth = {
        "syn-cellpipe-2021.txt": build("syn-cellpipe-2021.txt", cellpipe, "某县审计局", 2023),
        "syn-slashcell-2021.txt": build("syn-slashcell-2021.txt", slashcell, "某区统计局", 2024,
                                        blanks=[("received", "research"), ("granted", "research")]),
        "syn-pipe-tw-debris-2021.txt": build("syn-pipe-tw-debris-2021.txt", piperows, "某区发展和改革局", 2022,
                                             to_tw=True, debris=True),
        "syn-cellpipe-tw-debris-2021.txt": build("syn-cellpipe-tw-debris-2021.txt", cellpipe, "某镇人民政府", 2021,
                                                 to_tw=True, debris=True),
        "syn-html-2019-colspan.html": html_2019(),
        "syn-pipe-notes-2019.txt": pipe_notes_2019(),
    }
    (HERE / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
