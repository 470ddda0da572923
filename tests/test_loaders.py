"""Metadata extraction (gicrawler.loaders) over the layouts real portals use (docs/families.md, The metadata block)."""
from __future__ import annotations

import parsel
import pytest

from gicrawler.loaders import METADATA_KEYS, extract_metadata
from gicrawler.parsing.metadata_loader import MetadataLoader
from gicrawler.parsing.metadata import (clean_document_number, derive_agency, derive_year,
                                        parse_date)


def page(head: str = "", body: str = "", charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}">{head}</head>'
            f"<body>{body}<div id=\"zoom\"><p>一、总体情况</p><p>正文。</p></div></body></html>")


def test_label_lines_several_labels_per_line():
    text = ("标题: 淄博市大数据局2023年政府信息公开工作年度报告\n"
            "索引号: 11370300MB28560647/2024-5426716 文号: 无文号\n"
            "发文日期: 2024-01-29 发布机构: 淄博市大数据局\n\n正文")
    assert extract_metadata(text) == {
        "title": "淄博市大数据局2023年政府信息公开工作年度报告",
        "index_number": "11370300MB28560647/2024-5426716",
        "document_number": None,
        "published": "2024-01-29",
        "publisher": "淄博市大数据局",
        "category": None,
    }


def test_two_column_table_with_bold_padded_labels():
    body = """<table class="xxgk">
      <tr><td><b>索　引　号：</b></td><td>330400/2025-00123</td></tr>
      <tr><td><b>文&nbsp;&nbsp;&nbsp;号：</b></td><td>嘉数〔2025〕3号</td></tr>
      <tr><td><b>发布机构：</b></td><td>嘉兴市数据局</td></tr>
      <tr><td><b>生成日期：</b></td><td>2025年01月20日</td></tr>
      <tr><td><b>组配分类：</b></td><td>政府信息公开年报</td></tr>
    </table><h1>嘉兴市数据局2024年度政府信息公开工作年度报告</h1>"""
    meta = extract_metadata(page(body=body))
    assert meta == {
        "title": "嘉兴市数据局2024年度政府信息公开工作年度报告",
        "index_number": "330400/2025-00123",
        "document_number": "嘉数〔2025〕3号",
        "published": "2025-01-20",
        "publisher": "嘉兴市数据局",
        "category": "政府信息公开年报",
    }


def test_four_column_table_like_seed_004():
    body = """<table>
      <tr><th>索引号</th><td>000014349/2024-06673</td><th>分类</th><td>市政府部门</td></tr>
      <tr><th>发布机构</th><td>黄石市经信局</td><th>发文日期</th><td>2024-01-29</td></tr>
      <tr><th>文号</th><td>无</td><th></th><td></td></tr>
    </table>"""
    meta = extract_metadata(page(body=body))
    assert meta["index_number"] == "000014349/2024-06673"
    assert meta["category"] == "市政府部门"
    assert meta["publisher"] == "黄石市经信局"
    assert meta["published"] == "2024-01-29"
    assert meta["document_number"] is None
    assert meta["title"] is None


def test_li_list_wuhan_with_chinese_dates():
    body = """<div class="sub"><ul>
      <li>索引号： K28044908/2026-04277</li>
      <li>发文机构： 武汉市人民政府</li>
      <li>发文字号： 武政规〔2026〕4号</li>
      <li>主题分类： 科技</li>
      <li>成文日期： 2026年02月13日</li>
      <li>发布日期： 2026年02月14日</li>
      <li>有效性： 有效</li></ul></div>"""
    meta = extract_metadata(page(body=body))
    assert meta["index_number"] == "K28044908/2026-04277"
    assert meta["publisher"] == "武汉市人民政府"
    assert meta["document_number"] == "武政规〔2026〕4号"
    assert meta["category"] == "科技"
    assert meta["published"] == "2026-02-14"    # 发布日期 beats 成文日期


def test_meta_tags_and_title_segment():
    head = ('<title>黄石市人民政府_政府信息公开_黄石市经信局2023年政府信息公开工作年度报告</title>'
            '<meta name="PubDate" content="2024-01-29 10:21">'
            '<meta name="ContentSource" content="黄石市经济和信息化局">')
    meta = extract_metadata(page(head=head))
    assert meta["published"] == "2024-01-29"
    assert meta["publisher"] == "黄石市经济和信息化局"
    assert meta["title"] == "黄石市经信局2023年政府信息公开工作年度报告"
    head += '<meta name="ArticleTitle" content="黄石市经信局2023年 政府信息公开&#12288;工作年度报告">'
    assert extract_metadata(page(head=head))["title"] == "黄石市经信局2023年政府信息公开工作年度报告"


def test_label_and_value_in_one_cell_and_docno_repeating_index():
    # Jiangsu 工信厅: 发文字号 repeats the 索引号 and must not be stored as 文号.
    body = """<div class="zwxxgk_box"><table>
      <tr><td>索引号：696785044/2026-00017</td><td>主题分类：</td></tr>
      <tr><td>发文字号：696785044/2026-00017</td><td>发布日期：2026-04-17</td></tr>
    </table></div>"""
    meta = extract_metadata(page(body=body))
    assert meta["index_number"] == "696785044/2026-00017"
    assert meta["document_number"] is None
    assert meta["published"] == "2026-04-17"
    assert meta["category"] is None


def test_index_number_is_not_a_date():
    meta = extract_metadata("索引号: K28044908/2026-02-00018\n发布机构: 某局\n")
    assert meta["index_number"] == "K28044908/2026-02-00018"
    assert meta["published"] is None
    assert parse_date("K28044908/2026-02-00018") is None


def test_labels_without_colon_and_traditional_title():
    text = "標\u3000\u3000題　嘉興市數(shù)據(jù)局2024年度政府信息公開工作 年度報(bào)告\n發布日期 2025/1/20\n"
    meta = extract_metadata(text)
    assert meta["title"] == "嘉兴市数据局2024年度政府信息公开工作年度报告"
    assert meta["published"] == "2025-01-20"


def test_prose_is_not_read_as_labels():
    text = "分类推进政务公开标准化建设。\n发布日期为每年一月底前。\n"
    meta = extract_metadata(text)
    assert meta["category"] is None and meta["published"] is None


def test_selector_input_like_a_spider():
    sel = parsel.Selector(text=page(body="<ul><li>标题：淄博市2020年政府信息公开工作年度报告</li>"
                                         "<li>发布机构：淄博市人民政府</li></ul>"))
    meta = extract_metadata(sel)
    assert meta["title"] == "淄博市2020年政府信息公开工作年度报告"
    assert meta["publisher"] == "淄博市人民政府"
    assert set(meta) == set(METADATA_KEYS)


def test_nothing_found_gives_all_keys_none():
    assert extract_metadata("") == dict.fromkeys(METADATA_KEYS)
    assert extract_metadata(page()) == dict.fromkeys(METADATA_KEYS)


@pytest.mark.parametrize("value", ["无", "无文号", "〔〕号", "", "  ", "[]号", "暂无"])
def test_empty_document_numbers(value):
    assert clean_document_number(value) is None


@pytest.mark.parametrize("value,iso", [("2024-01-29", "2024-01-29"), ("2024年01月29日", "2024-01-29"),
                                       ("2024-01-29 10:21", "2024-01-29"), ("2024年1月9日", "2024-01-09"),
                                       ("2024-02-30", None), ("发布于近日", None)])
def test_dates(value, iso):
    assert parse_date(value) == iso


def test_placeholder_values_are_no_value():
    """主题分类：无 on a real TRS page (tests/files/trs, 公安局 2024): none, like 发文字号：无."""
    html = page(body="<table><tr><td>索引号：</td><td>无</td><td>主题分类：</td><td>无</td></tr>"
                     "<tr><td>发布机构：</td><td>/</td><td>发文字号：</td><td>无</td></tr></table>")
    meta = extract_metadata(html)
    assert (meta["index_number"], meta["category"], meta["publisher"], meta["document_number"]) == (None,) * 4
    meta = extract_metadata(html.replace("<td>无</td><td>主题分类：</td><td>无</td>",
                                         "<td>11350128MB1234567X/2024-00001</td><td>主题分类：</td><td>无证明</td>"))
    assert (meta["index_number"], meta["category"]) == ("11350128MB1234567X/2024-00001", "无证明")


def test_loader_processors_normalise_and_take_first():
    loader = MetadataLoader()
    loader.add_value("title", ["  淄博市2020年政府信息公开\n工作年度報告 ", "second"])
    loader.add_value("document_number", ["无", "淄政字〔2020〕55号"])
    loader.add_value("published", ["not a date", "2021年3月9日"])
    item = loader.load_item()
    assert item == {"title": "淄博市2020年政府信息公开工作年度报告",
                    "document_number": "淄政字〔2020〕55号", "published": "2021-03-09"}


def test_agency_and_year():
    assert derive_agency(None, "淄博市2020年政府信息公开工作年度报告") == "淄博市"
    assert derive_agency("黄石市经信局", "x2023年") == "黄石市经信局"
    assert derive_year("嘉兴市数据局2024年度政府信息公开工作年度报告", None, "2025-01-20") == 2024
    assert derive_year(None, "现向社会公布2023年度市经信局政府信息公开工作年度报告如下", "2024-01-29") == 2023
    assert derive_year(None, "本报告统计期限自2022年1月1日起", None) == 2022
    assert derive_year(None, "正文", "2024-01-29") == 2023
    assert derive_year(None, "", None) is None


def test_pdf_title_split_into_agency_and_year_lines(corpus_dir):
    text = "- 1 -\n淮安市人民政府\n2024 年政府信息公开工作年度报告\n本报告由淮安市人民政府办公室根据《条例》规定编制。\n"
    assert extract_metadata(text)["title"] == "淮安市人民政府2024年政府信息公开工作年度报告"
    head = (corpus_dir / "real" / "hongze-2024-pdfminer.txt").read_text(encoding="utf-8")[:2000]
    meta = extract_metadata(head)
    assert meta["title"] == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    assert derive_agency(meta["publisher"], meta["title"]) == "淮安市洪泽区人民政府"
