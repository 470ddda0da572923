"""``scrapy crawl zibo``: 淄博市 (Shandong /gongkai/ platform, list pages rendered in the browser)."""
from gicrawler.spiders.base import PortalSpider


class ZiboSpider(PortalSpider):
    name = "zibo"
    seed_file = "zibo"   # the entries zibo, zibo_… of seeds/shandong.yaml
