"""``scrapy crawl huangshi``: 黄石市 (TRS WCM lists; 瑞数 challenges retried in the browser)."""
from gicrawler.spiders.base import PortalSpider


class HuangshiSpider(PortalSpider):
    name = "huangshi"
    seed_file = "huangshi"   # the entries huangshi, huangshi_… of seeds/hubei.yaml
