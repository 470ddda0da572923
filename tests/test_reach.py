"""listed N, reached M: the bookkeeping behind the per-portal line (gicrawler/reach.py)."""
from __future__ import annotations

from gicrawler.reach import Reach, column_phrase, reach_phrase


def entries(*ids):
    return [{"url": f"https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/2024/t2024_{i}.htm"} for i in ids]


def test_distinct_entries_against_the_stated_size_per_column():
    reach = Reach()
    column = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"
    reach.add("pingtan", column, entries(*range(10)), listed=20)
    reach.add("pingtan", column, entries(*range(8, 18)))          # overlaps two rows: 18 distinct
    summary = reach.portal("pingtan")
    assert (summary["listed"], summary["reached"]) == (20, 18)
    assert [c["column"] for c in summary["short"]] == [column]
    assert reach_phrase(summary) == "listed 20, reached 18"


def test_a_capped_column_shows_as_reached_short():
    """A page cap (or any list page never asked) leaves M < N: the column states 3 pages, 1 read."""
    reach = Reach()
    reach.add("huangshi", "https://x/xxgk/index.shtml", entries(1, 2, 3, 4), pages=3)
    reach.add("huangshi", "https://x/other/index.shtml", entries(9), listed=1)
    summary = reach.portal("huangshi")
    assert [c["column"] for c in summary["short"]] == ["https://x/xxgk/index.shtml"]
    assert column_phrase(summary["short"][0]) == "listed 3 pages, read 1"
    assert reach_phrase(summary) == "listed 1, reached 1; listed 3 pages, read 1"


def test_columns_that_state_nothing_say_nothing():
    reach = Reach()
    reach.add("zibo", "https://www.zibo.gov.cn/gongkai/channel_c/", entries(1))
    summary = reach.portal("zibo")
    assert summary["listed"] is None and summary["short"] == [] and reach_phrase(summary) == ""
    assert reach.portal("nobody")["columns"] == []
