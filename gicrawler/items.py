"""What spiders hand to the pipelines.

A spider yields one ``ReportPage`` per report page it opened (with its attachments already
downloaded); ``pipelines.record`` turns it into the stored record described in
docs/record.md (run by ``pipelines.parse``) and ``pipelines.store`` upserts that record.
"""
from __future__ import annotations

import scrapy


class ReportPage(scrapy.Item):
    url = scrapy.Field()            # final URL of the report page (or of the attachment, for attachment-only reports)
    portal = scrapy.Field()         # seed entry name, e.g. "zibo"
    region = scrapy.Field()
    family = scrapy.Field()         # portal family adapter name
    list_url = scrapy.Field()       # the list page the report was found on
    list_title = scrapy.Field()     # title as shown in the list
    list_date = scrapy.Field()      # ISO date as shown in the list, or None
    status = scrapy.Field()         # HTTP status of the report page
    body = scrapy.Field()           # raw bytes of the report page, never decoded/altered
    content_type = scrapy.Field()   # Content-Type header of the report page
    etag = scrapy.Field()
    last_modified = scrapy.Field()
    metadata = scrapy.Field()       # dict from gicrawler.loaders (title, index_number, ...), may be partial
    attachments = scrapy.Field()    # list of dicts: url, kind, sha1, size, content_type, body (bytes) | error
    fetch_error = scrapy.Field()    # set when the page could not be fetched at all (e.g. 404); body is then None
