"""agency_kind and the agency's identity (gicrawler/parsing/agency.py, docs/checks.md)."""
from __future__ import annotations

import json

import pytest

from gicrawler.parsing import parse_report
from gicrawler.parsing.agency import agency_key, agency_kind, kind_of, reporting_body, title_agency
from tests.conftest import SAMPLES

T = "2023年政府信息公开工作年度报告"

# (publisher, title, kind): names as real portals print them; the reason in the comment.
KINDS = [
    # the region's own report: a title naming only the region, whoever published it
    ("淄博市人民政府", "淄博市2020年政府信息公开工作年度报告", "government"),
    ("淄博市人民政府办公室", "淄博市2020年政府信息公开工作年度报告", "government"),
    (None, "洪泽区人民政府2023年政府信息公开工作年度报告", "government"),
    (None, "桓台县人民政府" + T, "government"),
    (None, "2023年淄博市政府信息公开工作年度报告", "government"),
    (None, "某自治州人民政府" + T, "government"),
    (None, "锡林郭勒盟行政公署" + T, "government"),
    (None, "淄博高新技术产业开发区管理委员会" + T, "government"),      # a zone reporting like a county
    (None, "某市人民政府办公室关于印发某市2023年政府信息公开工作年度报告的通知", "government"),
    # the government's office and the government's departments
    (None, "淄博市人民政府办公室" + T, "department"),
    (None, "2019年上海市人民政府办公厅政府信息公开工作年度报告", "department"),
    ("淄博市人民政府", "淄博市大数据局" + T, "department"),        # 发布机构 is the site's owner
    ("黄石市经信局", None, "department"),
    (None, "某市人民政府国有资产监督管理委员会" + T, "department"),
    (None, "某市城市管理委员会" + T, "department"),                 # not a zone's 管理委员会
    (None, "某市发展和改革委员会" + T, "department"),
    (None, "国家税务总局淄博市税务局" + T, "department"),
    (None, "某市公共资源交易中心" + T, "department"),
    (None, "某市大数据局关于" + T, "department"),
    (None, "市人民政府办公室" + T, "department"),
    # townships: 镇 / 乡 / 街道, with or without 人民政府 / 办事处
    (None, "衡阳市衡东县杨林镇2023年政府信息公开年度报告", "township"),
    (None, "西柳镇人民政府" + T, "township"),
    (None, "某民族乡人民政府" + T, "township"),
    (None, "某区人民政府夜郎街道办事处" + T, "township"),
    (None, "2022年度螅镇政府信息公开工作年度报告", "township"),
    # neither a government nor one of its departments
    (None, "中共某市委宣传部" + T, "other"),
    (None, "某市委办公室" + T, "other"),
    (None, "某市中级人民法院" + T, "other"),
    (None, "某市残疾人联合会" + T, "other"),
    (None, "某市第一人民医院" + T, "other"),
    (None, "某市某社区" + T, "other"),
    # nothing to tell
    (None, T, None),
    (None, "【2023年】政府信息公开工作年度报告", None),
    (None, None, None),
]


@pytest.mark.parametrize("publisher,title,kind", KINDS)
def test_agency_kind(publisher, title, kind):
    assert agency_kind(publisher, title) == kind


def test_the_title_names_the_body_the_publisher_may_be_the_site():
    assert reporting_body("淄博市人民政府", "淄博市大数据局" + T) == ("淄博市大数据局", "title")
    assert reporting_body("淄博市大数据局", T) == ("淄博市大数据局", "publisher")
    assert title_agency("Page 8 - 威海市文登区信访局2022年政府信息公开工作年度报告") == "威海市文登区信访局"
    assert title_agency("2023年度政府信息公开工作年度报告") is None


def test_kind_of_a_bare_name():
    assert kind_of("张店区") == "government"            # a region: its government
    assert kind_of("张店区人民政府") == "government"
    assert kind_of("张店区人民政府办公室") == "department"
    assert kind_of("张店区公园街道") == "township"
    assert kind_of("") is None and kind_of(None) is None


def test_agency_key_one_name_across_years_and_portals():
    assert agency_key("淄博市") == agency_key("淄博市政府") == agency_key("淄博市人民政府") == "淄博市人民政府"
    assert agency_key("山东省淄博市大数据局") == agency_key("淄博市大数据局（淄博市政务服务管理局）") == "淄博市大数据局"
    assert agency_key("市大数据局", "山东省淄博市") == "淄博市大数据局"
    assert agency_key("市场监督管理局", "山东省淄博市") == "淄博市市场监督管理局"   # 市场 is no level
    assert agency_key("山东省大数据局") == "山东省大数据局"                   # a province's own body stays
    assert agency_key("淄博市人民政府办公室") != agency_key("淄博市人民政府")


def test_sample_reports_kinds():
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
    for name, exp in expected.items():
        record = parse_report((SAMPLES / name).read_bytes(), filename=name)
        assert record["agency_kind"] == exp["agency_kind"], name
    # sample 003: 淄博市人民政府's report on the city (title 淄博市2020年…): a government's
    assert expected["003_053508a99f49d19d.txt"]["agency_kind"] == "government"
