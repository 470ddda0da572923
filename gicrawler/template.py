"""The national template of the three statistical tables, declared once.

国办公开办函〔2019〕60号 fixed the tables of the 政府信息公开工作年度报告; 〔2021〕30号 revised them
for reports on 2021 onward. This module says, for every row of tables A, B and C: its key in the
record, the label(s) it is printed with, the pattern the parser finds it by, its columns in each
template year and their unit. The parser (``parsing.labels``), the checks, ``gicrawler export``,
the record schema (``gicrawler.schema``), the replicas' renderers and ``docs/template.md`` all
read it from here (``python -m gicrawler.template`` prints that document).

Patterns run over *normalised* label text with whitespace removed, and are keyword-based on
purpose: numbering (``(一)``, ``1.``) is often missing or garbled, and PDF extraction glues
neighbouring cells together (see ``parsing/labels.py``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

YEARS = ("2019", "2021")
TABLE_KEYS = ("active", "applications", "review_litigation")
# The report section each table is printed in (二、主动公开政府信息情况 …).
SECTION_OF = {"active": "二", "applications": "三", "review_litigation": "四"}
SECTION_TITLES = {"active": "主动公开政府信息情况", "applications": "收到和处理政府信息公开申请情况",
                  "review_litigation": "政府信息公开行政复议、行政诉讼情况"}

COUNT, TEN_THOUSAND_YUAN, YUAN = "count", "10k_yuan", "yuan"


@dataclass(frozen=True)
class Column:
    key: str
    label: str                  # the column header as printed
    unit: str = COUNT           # count | 10k_yuan | yuan (the unit of the stored value)
    pattern: str | None = None  # how a header cell is recognised (table B's applicant columns, table C's 总计)
    signed: bool = False        # printed with its sign (本年增/减: +38, -73)


@dataclass(frozen=True)
class Row:
    key: str                    # path inside the table; a dot nests ("denied.state_secret")
    labels: dict                # template year → printed label; a year absent: not a row of that template
    pattern: str                # regex over the whitespace-free label text
    columns: dict = field(default_factory=dict)  # table A: template year → tuple[Column]
    group: str | None = None    # table A: 第二十条 item (一, 五 …); table B: the heading of a nested group

    def in_template(self, year: str) -> bool:
        return year in self.labels


def _both(label: str) -> dict:
    return dict.fromkeys(YEARS, label)


# ---------------------------------------------------------------- table A: tables.active
_MADE = (Column("made", "本年新制作数量"), Column("published", "本年新公开数量"),
         Column("public_total", "对外公开总数量"))
_ISSUED = (Column("issued", "本年制发件数"), Column("repealed", "本年废止件数"),
           Column("in_force", "现行有效件数"))
_PRIOR = Column("prior_items", "上一年项目数量")
_CHANGE = Column("change", "本年增/减", signed=True)
_ITEMS_2019 = (_PRIOR, _CHANGE, Column("decisions", "处理决定数量"))
_DECISIONS_2021 = (Column("decisions", "本年处理决定数量"),)

ACTIVE_ROWS = (
    Row("regulations", _both("规章"), r"规章", {"2019": _MADE, "2021": _ISSUED}, "一"),
    # 档案: zh-TW mirrors' 文件
    Row("normative_documents", {"2019": "规范性文件", "2021": "行政规范性文件"}, r"规范性(?:文件|档案)",
        {"2019": _MADE, "2021": _ISSUED}, "一"),
    Row("licensing", _both("行政许可"), r"行政许可", {"2019": _ITEMS_2019, "2021": _DECISIONS_2021}, "五"),
    Row("other_services", {"2019": "其他对外管理服务事项"}, r"对外管理服务", {"2019": _ITEMS_2019}, "五"),
    Row("punishment", _both("行政处罚"), r"行政处罚", {"2019": _ITEMS_2019, "2021": _DECISIONS_2021}, "六"),
    Row("enforcement", _both("行政强制"), r"行政强制", {"2019": _ITEMS_2019, "2021": _DECISIONS_2021}, "六"),
    Row("fees", _both("行政事业性收费"), r"事业性收费",
        {"2019": (_PRIOR, _CHANGE),
         "2021": (Column("amount_10k_yuan", "本年收费金额（单位：万元）", TEN_THOUSAND_YUAN),)}, "八"),
    # Printed in 万元 (or 元, or "2823.12万"), stored in yuan.
    Row("procurement", {"2019": "政府集中采购"}, r"集中采购",
        {"2019": (Column("projects", "采购项目数量"), Column("amount_yuan", "采购总金额（万元）", YUAN))}, "九"),
)
ACTIVE_ITEM_HEADING = "第二十条第（{}）项"
ACTIVE_ROW_HEADER = "信息内容"

# ---------------------------------------------------------------- table B: tables.applications
APPLICANT_COLUMNS_DECLARED = (
    Column("natural_person", "自然人", pattern=r"^自然人$"),
    Column("commercial", "商业企业", pattern=r"^商业企业$"),
    Column("research", "科研机构", pattern=r"^科研机构$"),
    Column("social_org", "社会公益组织", pattern=r"^社会公益组织$"),
    Column("legal_service", "法律服务机构", pattern=r"^法律服务机构$"),
    Column("other_org", "其他", pattern=r"^其他$"),
    Column("total", "总计", pattern=r"^[总合]计$"),
)
# Headings over the applicant columns, and the table's corner cell.
APPLICANTS_HEADING = "申请人情况"
ORGANISATIONS_HEADING = "法人或其他组织"     # over the five organisation columns
APPLICATIONS_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_HEADING = "三、本年度办理结果"      # over the rows from granted to total
GROUP_LABELS = {"denied": "（三）不予公开", "unable": "（四）无法提供", "not_processed": "（五）不予处理",
                "other": "（六）其他处理"}

_OTHER_TEXT = "行政机关不再处理其政府信息公开申请"
APPLICATION_ROWS = (
    Row("received", _both("一、本年新收政府信息公开申请数量"), r"本年新收|新收.{0,6}申请"),
    Row("carried_over", _both("二、上年结转政府信息公开申请数量"), r"上年结转"),
    Row("granted", _both("（一）予以公开"), r"予以公开"),
    Row("partially_granted", _both("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"), r"部分公开"),
    Row("denied.state_secret", _both("1.属于国家秘密"), r"国家秘密", group="denied"),
    Row("denied.prohibited_by_law", _both("2.其他法律行政法规禁止公开"), r"其他法律行政|法规禁止|禁止公开",
        group="denied"),
    Row("denied.security_stability", _both("3.危及“三安全一稳定”"), r"三安全一稳定|危及", group="denied"),
    Row("denied.third_party_rights", _both("4.保护第三方合法权益"), r"第三方", group="denied"),
    Row("denied.internal_affairs", _both("5.属于三类内部事务信息"), r"内部事务", group="denied"),
    Row("denied.process_info", _both("6.属于四类过程性信息"), r"过程性", group="denied"),
    Row("denied.enforcement_files", _both("7.属于行政执法案卷"), r"执法案卷", group="denied"),
    Row("denied.administrative_query", _both("8.属于行政查询事项"), r"行政查询", group="denied"),
    Row("unable.not_held", _both("1.本机关不掌握相关政府信息"), r"不掌握", group="unable"),
    Row("unable.needs_creation", _both("2.没有现成信息需要另行制作"), r"没有现成|另行制作", group="unable"),
    Row("unable.unclear_after_correction", _both("3.补正后申请内容仍不明确"), r"补正后|仍不明确",
        group="unable"),
    Row("not_processed.petition_complaint", _both("1.信访举报投诉类申请"), r"信访|举报投诉",
        group="not_processed"),
    Row("not_processed.duplicate", _both("2.重复申请"), r"重复申请", group="not_processed"),
    Row("not_processed.publication", _both("3.要求提供公开出版物"), r"出版物", group="not_processed"),
    Row("not_processed.excessive", _both("4.无正当理由大量反复申请"), r"大量反复", group="not_processed"),
    Row("not_processed.confirm_or_reissue", _both("5.要求行政机关确认或重新出具已获取信息"), r"重新出具|确认或重",
        group="not_processed"),
    # 2019: one row; 2021: a group of three rows.
    Row("other", {"2019": GROUP_LABELS["other"]}, r"其他处理"),
    Row("other.no_correction", {"2021": f"1.申请人无正当理由逾期不补正、{_OTHER_TEXT}"}, r"不补正", group="other"),
    Row("other.unpaid_fee", {"2021": f"2.申请人逾期未按收费通知要求缴纳费用、{_OTHER_TEXT}"}, r"缴纳费用|收费通知",
        group="other"),
    Row("other.other", {"2021": "3.其他"}, r"(?:^|[\d.、)]|处理)其他$", group="other"),
    Row("total", _both("（七）总计"), r"\(七\)[总合]计|七[、.][总合]计|(?:^|[、.)])[总合]计$"),
    Row("carried_forward", _both("四、结转下年度继续办理"), r"结转下年|下年度继续"),
)

# ---------------------------------------------------------------- table C: tables.review_litigation
REVIEW_COLUMNS_DECLARED = (Column("upheld", "结果维持"), Column("corrected", "结果纠正"),
                           Column("other", "其他结果"), Column("pending", "尚未审结"),
                           Column("total", "总计", pattern=r"^[总合]计$"))
# One group of five numbers each; the patterns find a group printed as a row (its label last).
REVIEW_GROUPS = (
    Row("review", _both("行政复议"), r"行政复议$"),
    Row("litigation_direct", _both("未经复议直接起诉"), r"(?:未经复议|直接起诉)$", group="行政诉讼"),
    Row("litigation_after_review", _both("复议后起诉"), r"复议后(?:起诉)?$", group="行政诉讼"),
)

# ---------------------------------------------------------------- plain views
APPLICANT_COLUMNS = tuple(c.key for c in APPLICANT_COLUMNS_DECLARED)
REVIEW_COLUMNS = tuple(c.key for c in REVIEW_COLUMNS_DECLARED)
REVIEW_GROUP_KEYS = tuple(g.key for g in REVIEW_GROUPS)


def active_columns(year: str) -> dict[str, tuple[str, ...]]:
    """Table A in one template: row key → its column keys, in printed order."""
    return {row.key: tuple(c.key for c in row.columns[year]) for row in ACTIVE_ROWS if row.in_template(year)}


def application_rows(year: str) -> tuple[str, ...]:
    """Table B's row keys in one template, in printed order."""
    return tuple(row.key for row in APPLICATION_ROWS if row.in_template(year))


def result_parts() -> tuple[str, ...]:
    """Table B's results (三、本年度办理结果): the rows and groups from granted to total, whose
    sum is the total (applications.results_sum)."""
    keys = [row.key.split(".")[0] for row in APPLICATION_ROWS]
    return tuple(dict.fromkeys(keys[keys.index("granted"):keys.index("total")]))


def cell_paths() -> list[str]:
    """Every cell of tables A, B, C in both templates as a dotted record path, in a fixed order:
    table A row by row (2021 columns, then the 2019 ones), table B in printed order (the 2019
    single ``other`` row before the 2021 ``other.*`` rows), table C group by group."""
    paths = []
    for row in ACTIVE_ROWS:
        keys = dict.fromkeys(c.key for year in ("2021", "2019") for c in row.columns.get(year, ()))
        paths += [f"active.{row.key}.{col}" for col in keys]
    paths += [f"applications.{row.key}.{col}" for row in APPLICATION_ROWS for col in APPLICANT_COLUMNS]
    paths += [f"review_litigation.{g}.{col}" for g in REVIEW_GROUP_KEYS for col in REVIEW_COLUMNS]
    return paths


def unit_of(path: str) -> str:
    """The unit of a cell path from ``cell_paths``."""
    table, *row, col = path.split(".")
    if table == "active":
        for r in ACTIVE_ROWS:
            if r.key == row[0]:
                for cols in r.columns.values():
                    for c in cols:
                        if c.key == col:
                            return c.unit
    return COUNT


# ---------------------------------------------------------------- English descriptions
# What each row and column means, in English (the panel's data dictionary: docs/panel.md and the
# Data Package's field descriptions). Keyed by "<table>.<row key>" and "<table>.<column key>";
# tests/test_panel.py holds every row and column of the template to an entry here.
ROW_EN = {
    "active.regulations": "rules (规章)",
    "active.normative_documents": "normative documents",
    "active.licensing": "administrative licensing",
    "active.other_services": "other external administrative services",
    "active.punishment": "administrative penalties",
    "active.enforcement": "administrative coercive measures",
    "active.fees": "administrative fees",
    "active.procurement": "government centralised procurement",
    "applications.received": "new applications received this year",
    "applications.carried_over": "applications carried over from the previous year",
    "applications.granted": "outcome: disclosed",
    "applications.partially_granted": "outcome: partly disclosed",
    "applications.denied.state_secret": "not disclosed: a state secret",
    "applications.denied.prohibited_by_law": "not disclosed: prohibited by other laws or administrative regulations",
    "applications.denied.security_stability": "not disclosed: would endanger security or stability",
    "applications.denied.third_party_rights": "not disclosed: to protect a third party's lawful rights",
    "applications.denied.internal_affairs": "not disclosed: internal affairs information",
    "applications.denied.process_info": "not disclosed: process information",
    "applications.denied.enforcement_files": "not disclosed: administrative enforcement files",
    "applications.denied.administrative_query": "not disclosed: an administrative query matter",
    "applications.unable.not_held": "cannot be provided: the agency does not hold the information",
    "applications.unable.needs_creation": "cannot be provided: it would have to be created",
    "applications.unable.unclear_after_correction": "cannot be provided: still unclear after correction",
    "applications.not_processed.petition_complaint": "not processed: a petition, report or complaint",
    "applications.not_processed.duplicate": "not processed: a repeated application",
    "applications.not_processed.publication": "not processed: asks for a public publication",
    "applications.not_processed.excessive": "not processed: many repeated applications without good reason",
    "applications.not_processed.confirm_or_reissue": "not processed: asks to confirm or reissue information "
                                                     "already obtained",
    "applications.other": "other handling (one row in the 2019 template)",
    "applications.other.no_correction": "other handling: the applicant did not correct the application in time",
    "applications.other.unpaid_fee": "other handling: the applicant did not pay the fee in time",
    "applications.other.other": "other handling: other",
    "applications.total": "total handled",
    "applications.carried_forward": "carried forward to next year",
    "review_litigation.review": "administrative reconsideration",
    "review_litigation.litigation_direct": "administrative litigation without prior reconsideration",
    "review_litigation.litigation_after_review": "administrative litigation after reconsideration",
}
COLUMN_EN = {
    "active.made": "newly made this year",
    "active.published": "newly published this year",
    "active.public_total": "total published",
    "active.issued": "issued this year",
    "active.repealed": "repealed this year",
    "active.in_force": "in force",
    "active.prior_items": "items in the previous year",
    "active.change": "change this year (signed)",
    "active.decisions": "decisions made this year",
    "active.amount_10k_yuan": "fees collected this year",
    "active.projects": "procurement projects",
    "active.amount_yuan": "total procurement amount",
    "applications.natural_person": "applicants: natural persons",
    "applications.commercial": "applicants: commercial enterprises",
    "applications.research": "applicants: research institutions",
    "applications.social_org": "applicants: social welfare organisations",
    "applications.legal_service": "applicants: legal service institutions",
    "applications.other_org": "applicants: other organisations",
    "applications.total": "all applicants",
    "review_litigation.upheld": "decision upheld",
    "review_litigation.corrected": "decision corrected",
    "review_litigation.other": "other outcome",
    "review_litigation.pending": "not concluded yet",
    "review_litigation.total": "total",
}
UNIT_EN = {COUNT: "count", TEN_THOUSAND_YUAN: "10,000 yuan (万元)", YUAN: "yuan (元)"}


@dataclass(frozen=True)
class Cell:
    """One cell of the tables as a dotted record path (a column of the panel)."""
    path: str                   # "applications.received.total"
    table: str
    row: str                    # row key inside the table ("denied.state_secret")
    column: str
    templates: tuple            # the template years that print this cell
    labels: dict                # template year → the printed label, "row · column"
    unit: str
    description: str            # English


def cells() -> list[Cell]:
    """Every cell of tables A, B, C of both templates, in ``cell_paths()`` order. A row or column
    printed in both templates (same key) is ONE cell, whose ``templates`` name both; a cell of one
    template only (``active.regulations.made``, ``applications.other.no_correction.*``) names
    that one. The labels are the template's own, per year."""
    out = []
    for row in ACTIVE_ROWS:
        by_key: dict[str, dict] = {}
        for year in ("2021", "2019"):
            for col in row.columns.get(year, ()):
                by_key.setdefault(col.key, {})[year] = col
        for key, cols in by_key.items():
            years = tuple(y for y in YEARS if y in cols)
            unit = next(iter(cols.values())).unit
            out.append(Cell(f"active.{row.key}.{key}", "active", row.key, key, years,
                            {y: f"{row.labels[y]} · {cols[y].label}" for y in years}, unit,
                            f"{ROW_EN['active.' + row.key]}: {COLUMN_EN['active.' + key]}"))
    for row in APPLICATION_ROWS:
        years = tuple(y for y in YEARS if row.in_template(y))
        group = f"{GROUP_LABELS[row.group]} · " if row.group else ""
        for col in APPLICANT_COLUMNS_DECLARED:
            heading = f"{ORGANISATIONS_HEADING} · " if col.key in APPLICANT_COLUMNS[1:6] else ""
            out.append(Cell(f"applications.{row.key}.{col.key}", "applications", row.key, col.key, years,
                            {y: f"{group}{row.labels[y]} · {heading}{col.label}" for y in years}, col.unit,
                            f"{ROW_EN['applications.' + row.key]}: {COLUMN_EN['applications.' + col.key]}"))
    for g in REVIEW_GROUPS:
        heading = f"{g.group} · " if g.group else ""
        for col in REVIEW_COLUMNS_DECLARED:
            out.append(Cell(f"review_litigation.{g.key}.{col.key}", "review_litigation", g.key, col.key, YEARS,
                            {y: f"{heading}{g.labels[y]} · {col.label}" for y in YEARS}, col.unit,
                            f"{ROW_EN['review_litigation.' + g.key]}: {COLUMN_EN['review_litigation.' + col.key]}"))
    return out


# ---------------------------------------------------------------- the data dictionary
def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """docs/template.md (tests/test_docs.py keeps the file equal to this)."""
    out = ["# The national template (generated)", "",
           "Generated from `gicrawler/template.py` by `python -m gicrawler.template > docs/template.md`;",
           "do not edit by hand. Record paths are `tables.<table>.<row>.<column>` (see docs/record.md);",
           "a pattern runs over the label text with whitespace removed (docs/architecture.md, *Add a row*).", ""]
    out += ["## Table A — `tables.active` (二、主动公开政府信息情况)", "",
            "| row | item | 2019 label | 2021 label | pattern | 2019 columns | 2021 columns |",
            "|---|---|---|---|---|---|---|"]
    for row in ACTIVE_ROWS:
        cols = {y: ", ".join(f"`{c.key}` {c.label}" + (f" ({c.unit})" if c.unit != COUNT else "")
                             for c in row.columns.get(y, ())) or "—" for y in YEARS}
        out.append(f"| `{row.key}` | {row.group} | {row.labels.get('2019', '—')} | {row.labels.get('2021', '—')} "
                   f"| `{_md_escape(row.pattern)}` | {cols['2019']} | {cols['2021']} |")
    out += ["", "## Table B — `tables.applications` (三、收到和处理政府信息公开申请情况)", "",
            "Every row has the seven applicant columns: "
            + ", ".join(f"`{c.key}` {c.label}" for c in APPLICANT_COLUMNS_DECLARED) + " (counts).", "",
            "| row | group | 2019 label | 2021 label | pattern |", "|---|---|---|---|---|"]
    for row in APPLICATION_ROWS:
        group = GROUP_LABELS[row.group] if row.group else ""
        out.append(f"| `{row.key}` | {group} | {row.labels.get('2019', '—')} | {row.labels.get('2021', '—')} "
                   f"| `{_md_escape(row.pattern)}` |")
    out += ["", "## Table C — `tables.review_litigation` (四、政府信息公开行政复议、行政诉讼情况)", "",
            "Every group has five columns: " + ", ".join(f"`{c.key}` {c.label}" for c in REVIEW_COLUMNS_DECLARED)
            + " (counts).", "", "| group | heading | label | pattern (a group printed as one row) |",
            "|---|---|---|---|"]
    for g in REVIEW_GROUPS:
        out.append(f"| `{g.key}` | {g.group or ''} | {g.labels['2021']} | `{_md_escape(g.pattern)}` |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
