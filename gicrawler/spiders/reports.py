"""``scrapy crawl reports -a seeds=PATH [-a portal=NAME]``: any seed list (default: every built-in one)."""
from gicrawler.spiders.base import PortalSpider


class ReportsSpider(PortalSpider):
    name = "reports"
