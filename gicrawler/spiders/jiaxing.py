"""``scrapy crawl jiaxing``: 嘉兴市 (Hanweb JCMS column + dataproxy.jsp)."""
from gicrawler.spiders.base import PortalSpider


class JiaxingSpider(PortalSpider):
    name = "jiaxing"
    seed_file = "jiaxing"   # the entries jiaxing, jiaxing_… of seeds/zhejiang.yaml
