"""Item pipelines for crawl subprocesses that test the pipelines themselves (a test fixture).

- ``SlowParsePipeline``: the parse pipeline, with a parser that never ends on a page carrying
  ``tests.attack.reports_portal.SLOW_MARK`` — a stand-in for the pathological documents of
  issue 9.1 (a PDF of 1,500 empty pages took ~85 s), whose parse time depends on the parser's
  speed of the day; this one is slow by construction. The parser is replaced on import of this
  module, which happens in the crawl process (ITEM_PIPELINES names the class) and in every
  parse worker (which imports ``slow_worker`` by name), so a page is slow wherever it is parsed.
- ``LosingPipeline``: between parse and store, ends the processing of every page whose URL
  number is in $LOSE_REPORTS (``2,5``) with ``asyncio.CancelledError`` — how
  the parse pool used to lose items (a cancelled executor future), which Scrapy does not log.

    -s 'ITEM_PIPELINES={"tests.slow_parse.SlowParsePipeline": 300, "gicrawler.pipelines.store.StorePipeline": 800}'
"""
from __future__ import annotations

import asyncio
import os
import time

from gicrawler.pipelines import record as record_module
from gicrawler.pipelines.parse import ParsePipeline
from gicrawler.pipelines.record import parse_page
from tests.attack.reports_portal import SLOW_MARK

_real_parse = record_module._default_parse


def _parse(data, **kwargs):
    if isinstance(data, (bytes, bytearray)) and SLOW_MARK.encode() in data:
        time.sleep(3600)
    return _real_parse(data, **kwargs)


record_module._default_parse = _parse


def slow_worker(page: dict) -> dict:
    return parse_page(page)


class SlowParsePipeline(ParsePipeline):
    worker_function = staticmethod(slow_worker)


class LosingPipeline:
    def __init__(self):
        self.lose = {f"_{n}.shtml" for n in os.environ.get("LOSE_REPORTS", "").split(",") if n}

    async def process_item(self, item):
        url = item.get("url") or ""
        if any(url.endswith(suffix) for suffix in self.lose):
            raise asyncio.CancelledError()
        return item
