"""The crawl's start-up objects are frozen out of the garbage collector while the engine runs
(gicrawler/gcfreeze.py), and Python's own settings are back once it stops."""
from __future__ import annotations

import gc

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from gicrawler.gcfreeze import YOUNG_THRESHOLD, FreezeStartupObjects


def test_startup_objects_frozen_while_the_engine_runs_and_released_after():
    crawler = get_crawler(settings_dict={})
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    ext = FreezeStartupObjects.from_crawler(crawler)  # kept: signals hold their handlers weakly
    try:
        crawler.signals.send_catch_log(signals.engine_started)
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (max(YOUNG_THRESHOLD, before[0]), *before[1:])
        garbage = []
        garbage.append(garbage)  # a cycle made after start-up is still collected
        del garbage
        assert gc.collect() >= 1
    finally:
        crawler.signals.send_catch_log(signals.engine_stopped)
        del ext
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


def test_setting_off_leaves_the_collector_alone():
    with pytest.raises(NotConfigured):
        FreezeStartupObjects.from_crawler(get_crawler(settings_dict={"GICRAWLER_GC_FREEZE": False}))


def test_the_crawl_settings_enable_it():
    from gicrawler import settings
    assert "gicrawler.gcfreeze.FreezeStartupObjects" in settings.EXTENSIONS
